import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import type { UserManager } from 'oidc-client-ts';
import { renderWithProviders, startingAuth, stubLayoutApis } from '../testSupport';
import type { Session } from '../auth/session';
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

  it('opens no page but her home to the hub administrator, and offers her no patient list', () => {
    viewport(1280);
    const admin: Session = { subject: 'a', name: '斎藤 修', kana: '', roles: ['hub-admin'], profession: 'ハブ管理者', home: 'admin' };
    const auth = { ...startingAuth, state: { status: 'ready' as const, manager: {} as UserManager, user: null, session: admin, renewalFailed: false } };
    renderWithProviders(
      <Routes>
        <Route element={<AppLayout />}>
          <Route index element={<p>ハブの状態</p>} />
          <Route path="patients/:id" element={<p>患者ページ</p>} />
        </Route>
      </Routes>,
      { path: '/patients/pat-yamada', auth },
    );
    expect(screen.queryByText('患者ページ')).toBeNull();
    expect(screen.getByRole('heading', { level: 1, name: '表示できないページです' })).toBeTruthy();
    expect(screen.getByText('ハブ管理者には患者の情報を表示しません')).toBeTruthy();
    expect(screen.queryByRole('link', { name: '患者一覧' })).toBeNull();
    fireEvent.click(screen.getByRole('link', { name: 'ホームへ戻る' }));
    expect(screen.getByText('ハブの状態')).toBeTruthy();
  });
});
