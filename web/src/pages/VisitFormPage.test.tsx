import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import type { Bundle, Observation } from 'fhir/r4';
import type { UserManager } from 'oidc-client-ts';
import type { Session } from '../auth/session';
import { onlineManager } from '@tanstack/react-query';
import { createQueryClient } from '../fhir/FhirProvider';
import { PATIENT_PAGE } from '../live/invalidation';
import { OutboxProvider, useOutbox } from '../offline/OutboxProvider';
import { renderWithProviders, startingAuth, stubLayoutApis } from '../testSupport';
import VisitFormPage, { KEPT_NO_ANSWER, KEPT_OFFLINE } from './VisitFormPage';

const NURSE: Session = {
  subject: 'nurse-1',
  name: '吉田 直美',
  kana: '',
  roles: ['visiting-nurse'],
  profession: '訪問看護師',
  home: 'visiting-nurse',
  practitionerRole: 'role-nurse',
};
const auth = { ...startingAuth, state: { status: 'ready' as const, manager: {} as UserManager, user: null, session: NURSE, renewalFailed: false } };

/** The hub as the app's FHIR client sees it: the patient, and each transaction answered by the next planned status. */
class Hub {
  transactions: Bundle[] = [];
  plan: number[] = [];
  fetchFn = vi.fn(async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    if (url === '/fhir/Patient/pat-yamada') {
      return new Response(JSON.stringify({ resourceType: 'Patient', id: 'pat-yamada', name: [{ family: '山田', given: ['花子'] }] }), { status: 200 });
    }
    if (init?.method === 'POST' && url === '/fhir') {
      const bundle = JSON.parse(String(init.body)) as Bundle;
      this.transactions.push(bundle);
      const status = this.plan.shift() ?? 200;
      if (status === 422) {
        const outcome = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invariant', diagnostics: '体温の値が範囲外です (value out of range)', expression: ['Observation.value'] }] };
        return new Response(JSON.stringify(outcome), { status });
      }
      if (status >= 500) {
        return new Response('{}', { status });
      }
      const entries = (bundle.entry ?? []).map((_, i) => ({ response: { status: '201 Created', location: `Observation/o${this.transactions.length}-${i}/_history/1` } }));
      return new Response(JSON.stringify({ resourceType: 'Bundle', type: 'transaction-response', entry: entries }), { status: 200 });
    }
    return new Response('{}', { status: 404 });
  });
}

/** The device's outbox as the frame and 未送信の記録 show it: each entry's line, state and the hub's problem. */
function OutboxProbe() {
  const { entries } = useOutbox();
  return (
    <ul aria-label="probe">
      {entries.map((e) => (
        <li key={e.id}>{`${e.summary} ${e.state} ${e.problem?.title ?? ''}`}</li>
      ))}
    </ul>
  );
}

let hub: Hub;
let online: boolean;

/** The browser loses or regains its connection: navigator.onLine and the event (which TanStack Query listens to too). */
function setOnline(value: boolean) {
  online = value;
  // TanStack Query's own state outlives a test's QueryClient (a singleton): set it even when no client listens
  onlineManager.setOnline(value);
  window.dispatchEvent(new Event(value ? 'online' : 'offline'));
}

// IndexedDB, WebCrypto and the outbox's chain take their time on a loaded machine
const SLOW = { timeout: 10_000 };

function renderForm() {
  const queryClient = createQueryClient();
  const invalidated = vi.spyOn(queryClient, 'invalidateQueries');
  renderWithProviders(
    <OutboxProvider>
      <OutboxProbe />
      <Routes>
        <Route path="visits/new" element={<VisitFormPage />} />
      </Routes>
    </OutboxProvider>,
    { path: '/visits/new?patient=pat-yamada', fetchFn: hub.fetchFn as unknown as typeof fetch, queryClient, auth },
  );
  return { invalidated };
}

async function enterTemperature(value: string) {
  await screen.findByRole('heading', { name: '訪問記録の入力（山田 花子）' }, SLOW);
  fireEvent.change(screen.getByRole('textbox', { name: '体温（℃）' }), { target: { value } });
  fireEvent.click(screen.getByRole('button', { name: '送信' }));
}

const probe = () => Array.from(screen.getByRole('list', { name: 'probe' }).querySelectorAll('li')).map((li) => li.textContent);
const identifiers = (bundle: Bundle) => (bundle.entry ?? []).map((e) => (e.resource as Observation).identifier?.[0]?.value);
const transactionPosts = () => hub.fetchFn.mock.calls.filter(([, init]) => init?.method === 'POST').length;

beforeAll(() => {
  stubLayoutApis();
  // jsdom has no FontFaceSet; Mantine's autosize Textarea listens to it
  Object.defineProperty(document, 'fonts', { configurable: true, value: new EventTarget() });
});

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
  hub = new Hub();
  Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => online });
  setOnline(true);
});

afterEach(cleanup);

describe('訪問記録の入力 through the device’s outbox', { timeout: 30_000 }, () => {
  it('offline, 送信 keeps each visit on the device as 未送信 and says so; back online each is sent once, in order', async () => {
    const { invalidated } = renderForm();
    act(() => setOnline(false));
    await enterTemperature('36.8');
    expect(await screen.findByText('未送信（この端末に保存しました）', {}, SLOW)).toBeTruthy();
    expect(screen.getAllByText(KEPT_OFFLINE).length).toBeGreaterThan(0);
    expect(screen.getByRole('link', { name: '未送信の記録' }).getAttribute('href')).toBe('/outbox');

    fireEvent.click(screen.getByRole('button', { name: '続けて入力' }));
    await enterTemperature('37.2');
    await screen.findByText('未送信（この端末に保存しました）', {}, SLOW);
    await waitFor(() => expect(probe()).toHaveLength(2), SLOW);
    expect(probe().every((line) => /^バイタル・訪問記録 \d+月\d+日 \d\d:\d\d pending $/.test(line ?? ''))).toBe(true);
    expect(transactionPosts()).toBe(0);

    await act(async () => setOnline(true));
    await waitFor(() => expect(probe()).toEqual([]), SLOW);
    expect(hub.transactions).toHaveLength(2);
    const temperatures = hub.transactions.map((b) => (b.entry![0].resource as Observation).valueQuantity?.value);
    expect(temperatures).toEqual([36.8, 37.2]);
    const [first, second] = hub.transactions.map(identifiers);
    expect(first[0]).toMatch(/^urn:uuid:/);
    expect(second[0]).not.toBe(first[0]);
    expect(invalidated).toHaveBeenCalledWith({ queryKey: [PATIENT_PAGE, 'timeline', 'pat-yamada'] });
    expect(invalidated).toHaveBeenCalledWith({ queryKey: [PATIENT_PAGE, 'vitals', 'pat-yamada'] });
  });

  it('online, 送信 sends at once and says 送信しました as before; nothing waits on the device', async () => {
    renderForm();
    await enterTemperature('36.5');
    expect(await screen.findByText('訪問記録を送信しました', {}, SLOW)).toBeTruthy();
    expect(hub.transactions).toHaveLength(1);
    expect(probe()).toEqual([]);
  });

  it('when the hub does not answer, the visit is kept and the form says it will be sent later', async () => {
    renderForm();
    hub.plan = [503];
    await enterTemperature('36.5');
    expect(await screen.findByText('未送信（この端末に保存しました）', {}, SLOW)).toBeTruthy();
    expect(screen.getAllByText(KEPT_NO_ANSWER).length).toBeGreaterThan(0);
    expect(probe()).toHaveLength(1);
  });

  it('a 4xx answered at once is shown at the form with the hub’s reasons, what was typed stays, nothing waits', async () => {
    renderForm();
    hub.plan = [422];
    await enterTemperature('36.5');
    expect(await screen.findByText('入力内容に誤りがあります。', {}, SLOW)).toBeTruthy();
    expect(screen.getByText(/体温の値が範囲外です/)).toBeTruthy();
    expect((screen.getByRole('textbox', { name: '体温（℃）' }) as HTMLInputElement).value).toBe('36.5');
    expect(probe()).toEqual([]);
  });

  it('a 4xx answered when the outbox sends it later keeps the visit as 要修正 with the hub’s explanation, not sent again', async () => {
    renderForm();
    act(() => setOnline(false));
    await enterTemperature('36.5');
    await screen.findByText('未送信（この端末に保存しました）', {}, SLOW);
    hub.plan = [422];
    await act(async () => setOnline(true));
    await waitFor(() => expect(probe()).toEqual([expect.stringMatching(/needs-fix 入力内容に誤りがあります。$/)]), SLOW);
    await act(async () => {
      window.dispatchEvent(new Event('online'));
    });
    expect(hub.transactions).toHaveLength(1);
  });
});
