import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { MantineProvider } from '@mantine/core';
import { AuthContext } from '../auth/AuthProvider';
import { AppLayout } from './AppLayout';

/** A viewport as wide as {@code width} px for Mantine's media queries (jsdom has no layout). */
function viewport(width: number) {
  window.matchMedia = ((query: string) => {
    const min = /min-width:\s*([\d.]+)em/.exec(query);
    return {
      matches: min ? width >= Number(min[1]) * 16 : false,
      media: query,
      onchange: null,
      addListener: () => {},
      removeListener: () => {},
      addEventListener: () => {},
      removeEventListener: () => {},
      dispatchEvent: () => false,
    };
  }) as typeof window.matchMedia;
}

function renderLayout() {
  const auth = { state: { status: 'starting' as const }, signIn: async () => {}, signOut: async () => {}, accessToken: () => undefined };
  render(
    <AuthContext.Provider value={auth}>
      <MantineProvider>
        <MemoryRouter initialEntries={['/']}>
          <Routes>
            <Route element={<AppLayout />}>
              <Route index element={<p>ホーム</p>} />
            </Route>
          </Routes>
        </MemoryRouter>
      </MantineProvider>
    </AuthContext.Provider>,
  );
  return screen.getByRole('navigation', { name: 'メインメニュー', hidden: true });
}

afterEach(cleanup);

describe('AppLayout', () => {
  it('keeps the closed menu of a phone out of the Tab order (inert) until the menu button opens it', () => {
    viewport(375);
    const menu = renderLayout();
    expect(menu.hasAttribute('inert')).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'メニュー' }));
    expect(menu.hasAttribute('inert')).toBe(false);
  });

  it('leaves the menu of a wide screen, which is always shown, reachable', () => {
    viewport(1280);
    expect(renderLayout().hasAttribute('inert')).toBe(false);
  });
});
