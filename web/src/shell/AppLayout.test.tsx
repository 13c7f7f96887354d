import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import { renderWithProviders, stubLayoutApis } from '../testSupport';
import { AppLayout } from './AppLayout';

/** A viewport as wide as {@code width} px for Mantine's media queries (jsdom has no layout). */
function viewport(width: number) {
  stubLayoutApis((query) => {
    const min = /min-width:\s*([\d.]+)em/.exec(query);
    return min ? width >= Number(min[1]) * 16 : false;
  });
}

function renderLayout() {
  renderWithProviders(
    <Routes>
      <Route element={<AppLayout />}>
        <Route index element={<p>ホーム</p>} />
      </Route>
    </Routes>,
    { path: '/' },
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
