import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import type { QueryClient } from '@tanstack/react-query';
import type { Bundle, Task } from 'fhir/r4';
import type { UserManager } from 'oidc-client-ts';
import type { Session } from '../auth/session';
import { createQueryClient } from '../fhir/FhirProvider';
import { staleKeys } from '../live/invalidation';
import { renderWithProviders, startingAuth, stubLayoutApis } from '../testSupport';
import InboxPage from './InboxPage';

beforeAll(() => stubLayoutApis());
afterEach(cleanup);

const SESSION: Session = {
  subject: 'u1',
  name: '佐々木 和子',
  kana: '',
  roles: ['care-manager'],
  profession: '介護支援専門員',
  home: 'care-manager',
  organization: 'org-homecare',
  practitionerRole: 'role-care-manager',
};

const task = (id: string, due: string): Task => ({
  resourceType: 'Task',
  id,
  meta: { versionId: '1' },
  status: 'requested',
  intent: 'order',
  code: { coding: [{ system: 'http://renkei.example.jp/fhir/CodeSystem/handoff', code: 'discharge-summary' }] },
  focus: { reference: `Bundle/b-${id}` },
  for: { reference: 'Patient/pat-yamada' },
  owner: { reference: 'Organization/org-homecare' },
  requester: { reference: 'PractitionerRole/role-msw', display: '加藤 大輔' },
  authoredOn: '2026-11-24T16:30:00+09:00',
  restriction: { period: { end: due } },
});

/** A hub answering the inbox's two searches from `tasks` and naming the patient. */
function hub(tasks: Task[]) {
  const urls: string[] = [];
  const fetchFn = vi.fn(async (input: string | URL | Request, init?: RequestInit) => {
    const url = decodeURIComponent(String(input));
    urls.push(`${init?.method ?? 'GET'} ${url}`);
    const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200 });
    const searchset = (resources: unknown[]): Bundle => ({ resourceType: 'Bundle', type: 'searchset', entry: resources.map((resource) => ({ resource: resource as Task })) });
    if (url.startsWith('/fhir/Task?')) return json(searchset(tasks));
    if (url.startsWith('/fhir/Communication?')) return json(searchset([]));
    if (init?.method === 'POST' && url === '/fhir') {
      return json({
        resourceType: 'Bundle',
        type: 'batch-response',
        entry: [{ response: { status: '200 OK' }, resource: searchset([{ resourceType: 'Patient', id: 'pat-yamada', name: [{ family: '山田', given: ['花子'] }] }]) }],
      });
    }
    return new Response('{}', { status: 404 });
  });
  return { fetchFn: fetchFn as unknown as typeof fetch, urls };
}

function renderInbox(fetchFn: typeof fetch, queryClient: QueryClient) {
  const auth = { ...startingAuth, state: { status: 'ready' as const, manager: {} as UserManager, user: null, session: SESSION, renewalFailed: false } };
  renderWithProviders(
    <Routes>
      <Route path="/inbox" element={<InboxPage />} />
    </Routes>,
    { path: '/inbox', fetchFn, queryClient, auth },
  );
}

describe('受信箱 page', () => {
  it('lists the hand-offs by deadline, and a hand-off that arrives live (the live client’s stale keys) appears with a notice', async () => {
    const tasks = [task('t-later', '2099-12-02T23:59:59+09:00')];
    const { fetchFn, urls } = hub(tasks);
    const queryClient = createQueryClient();
    renderInbox(fetchFn, queryClient);
    const list = await screen.findByRole('list', { name: '受信した引継ぎと回答' });
    await waitFor(() => expect(within(list).getAllByRole('listitem')).toHaveLength(1));
    expect(urls.some((u) => u.includes('/fhir/Task?owner=Organization/org-homecare,PractitionerRole/role-care-manager&status=requested,received,accepted,in-progress'))).toBe(true);
    expect(within(list).getByRole('link', { name: '山田 花子 さん' }).getAttribute('href')).toBe('/inbox/tasks/t-later');
    expect(screen.getByRole('status').textContent).toBe('');
    expect(screen.getByText(/通知音はこの画面を一度クリック|このブラウザでは通知音を鳴らせません/)).toBeTruthy();

    // the MSW sends: the hub opens a Task, the socket brings an id-only handoff-task event
    tasks.push(task('t-overdue', '2020-01-01T23:59:59+09:00'));
    for (const queryKey of staleKeys({ topic: 'handoff-task', focus: { type: 'Task', id: 't-overdue' } })) {
      void queryClient.invalidateQueries({ queryKey });
    }
    await waitFor(() => expect(within(list).getAllByRole('listitem')).toHaveLength(2));
    const rows = within(list).getAllByRole('listitem');
    expect(rows[0].getAttribute('aria-label')).toBe('退院時情報提供書 山田 花子 未受領 期限超過');
    expect(within(rows[0]).getByText(/期限超過/).getAttribute('data-overdue')).toBe('true');
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('新着が1件あります: 退院時情報提供書（山田 花子）'));
    expect(await screen.findByText('新着: 退院時情報提供書')).toBeTruthy();
    expect(screen.getByRole('button', { name: '通知を閉じる' })).toBeTruthy();
  });
});
