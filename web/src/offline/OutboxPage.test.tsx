import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import { AppLayout } from '../shell/AppLayout';
import { renderWithProviders, startingAuth, stubLayoutApis } from '../testSupport';
import OutboxPage from './OutboxPage';
import { OutboxContext, type OutboxValue } from './OutboxProvider';
import type { OutboxEntry } from './types';

const bundle = { resourceType: 'Bundle' as const, type: 'transaction' as const, entry: [] };
const entries: OutboxEntry[] = [
  { id: 'a', patientId: 'pat-yamada', summary: 'バイタル・訪問記録 12月7日 10:30', bundle, createdAt: Date.UTC(2026, 11, 7, 1, 31), state: 'pending', attempts: 2 },
  { id: 'b', patientId: 'pat-yamada', summary: 'バイタル・訪問記録 12月7日 11:00', bundle, createdAt: Date.UTC(2026, 11, 7, 2, 1), state: 'sending', attempts: 0 },
  {
    id: 'c',
    patientId: 'pat-sato',
    summary: 'バイタル・訪問記録 12月7日 14:00',
    bundle,
    createdAt: Date.UTC(2026, 11, 7, 5, 1),
    state: 'needs-fix',
    attempts: 0,
    problem: { status: 422, title: '入力内容に誤りがあります。', action: '項目ごとのメッセージを確認して、修正してからもう一度送信してください。', issues: [{ severity: 'error', code: 'required', diagnostics: '状態がありません (status is missing)', expression: ['Observation.status'] }] },
  },
];

function outbox(overrides: Partial<OutboxValue> = {}): OutboxValue {
  return { entries, keeps: true, submit: vi.fn(), resend: vi.fn(async () => {}), discard: vi.fn(async () => {}), sendNow: vi.fn(async () => {}), ...overrides };
}

function renderAt(path: string, value: OutboxValue, signOut = vi.fn(async () => {})) {
  stubLayoutApis(() => true);
  renderWithProviders(
    <OutboxContext.Provider value={value}>
      <Routes>
        <Route element={<AppLayout />}>
          <Route index element={<p>ホーム</p>} />
          <Route path="outbox" element={<OutboxPage />} />
        </Route>
      </Routes>
    </OutboxContext.Provider>,
    { path, auth: { ...startingAuth, signOut } },
  );
  return signOut;
}

afterEach(cleanup);

describe('未送信の記録', () => {
  it('lists each entry with its state, and the hub’s problem of one to correct, which can be sent again or discarded', async () => {
    const value = outbox();
    renderAt('/outbox', value);
    const list = screen.getByRole('list', { name: '未送信の記録の一覧' });
    expect((within(list).getByRole('listitem', { name: 'バイタル・訪問記録 12月7日 10:30（未送信）' })).textContent).toContain('送信を試みた回数: 2');
    expect(within(list).getByRole('listitem', { name: 'バイタル・訪問記録 12月7日 11:00（送信中）' })).toBeTruthy();
    const toFix = within(list).getByRole('listitem', { name: 'バイタル・訪問記録 12月7日 14:00（要修正）' });
    expect(toFix.textContent).toContain('入力内容に誤りがあります。');
    expect(toFix.textContent).toContain('状態がありません (status is missing)');
    expect(toFix.textContent).toContain('端末に保存: 12月7日 14:01');

    fireEvent.click(within(toFix).getByRole('button', { name: 'もう一度送信' }));
    expect(value.resend).toHaveBeenCalledWith('c');
    fireEvent.click(within(toFix).getByRole('button', { name: '削除…' }));
    const dialog = await screen.findByRole('dialog', { name: '記録を削除しますか？' });
    expect(value.discard).not.toHaveBeenCalled();
    fireEvent.click(within(dialog).getByRole('button', { name: '削除する' }));
    expect(value.discard).toHaveBeenCalledWith('c');
  }, 30_000);

  it('shows 要修正 in the header while an entry needs a correction, 未送信 n otherwise, nothing when empty', () => {
    renderAt('/', outbox());
    expect((screen.getByRole('link', { name: '未送信の記録 3件（要修正 1件）' })).textContent).toContain('要修正 1');
    cleanup();
    renderAt('/', outbox({ entries: entries.slice(0, 2) }));
    expect((screen.getByRole('link', { name: '未送信の記録 2件' })).textContent).toContain('未送信 2');
    cleanup();
    renderAt('/', outbox({ entries: [] }));
    expect(screen.queryByRole('link', { name: /^未送信の記録/ })).toBeNull();
  }, 30_000);

  it('asks before a sign-out that would delete unsent entries, and signs out at once when there are none', async () => {
    const signOut = renderAt('/', outbox({ entries: entries.slice(0, 1) }));
    fireEvent.click(screen.getByRole('button', { name: 'サインアウト' }));
    const dialog = await screen.findByRole('dialog', { name: '未送信の記録があります' }, { timeout: 15_000 });
    expect(dialog.textContent).toContain('1件');
    expect(signOut).not.toHaveBeenCalled();
    fireEvent.click(within(dialog).getByRole('button', { name: '削除してサインアウト' }));
    await waitFor(() => expect(signOut).toHaveBeenCalledTimes(1));
    cleanup();

    const direct = renderAt('/', outbox({ entries: [] }));
    fireEvent.click(screen.getByRole('button', { name: 'サインアウト' }));
    expect(direct).toHaveBeenCalledTimes(1);
  }, 30_000);
});
