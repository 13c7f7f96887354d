import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import type { Bundle, FhirResource } from 'fhir/r4';
import { renderWithProviders, stubLayoutApis } from '../testSupport';
import PatientPage from './PatientPage';

const SYL = [{ url: 'http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation', valueCode: 'SYL' }];
const HANDOFF = 'http://renkei.example.jp/fhir/CodeSystem/handoff';

beforeAll(() => stubLayoutApis());

afterEach(cleanup);

function minute(i: number): string {
  return new Date(Date.parse('2026-11-20T00:00:00Z') + i * 60_000).toISOString();
}

/** 100 observations and 100 hand-off Tasks, interleaved in time (Task i at minute 2i, Observation at 2i+1). */
const observations: FhirResource[] = Array.from({ length: 100 }, (_, i) => ({
  resourceType: 'Observation',
  id: `o${i}`,
  meta: { lastUpdated: minute(2 * i + 1) },
  status: 'final',
  code: { text: '体温' },
  valueQuantity: { value: 36 + i / 100, unit: '℃' },
}));
const tasks: FhirResource[] = Array.from({ length: 100 }, (_, i) => ({
  resourceType: 'Task',
  id: `t${i}`,
  meta: { lastUpdated: minute(2 * i) },
  status: 'requested',
  intent: 'order',
  code: { coding: [{ system: HANDOFF, code: 'discharge-summary' }] },
  owner: { display: 'いわて在宅ケアセンター' },
  restriction: { period: { end: '2020-01-01T23:59:59+09:00' } },
}));
const newestFirst = (list: FhirResource[]) => [...list].reverse();

function searchset(all: FhirResource[], type: string, offset: number): Bundle {
  const page = all.slice(offset, offset + 50);
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    entry: page.map((resource) => ({ resource, search: { mode: 'match' } })),
    ...(offset + 50 < all.length ? { link: [{ relation: 'next', url: `http://localhost:3000/fhir?_getpages=${type}&_getpagesoffset=${offset + 50}` }] } : {}),
  };
}

const empty: Bundle = { resourceType: 'Bundle', type: 'searchset', entry: [] };

function hub() {
  const requests: string[] = [];
  const fetchFn = vi.fn(async (input: string | URL | Request, init?: RequestInit) => {
    const url = decodeURIComponent(String(input));
    const method = init?.method ?? 'GET';
    const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200 });
    if (method === 'POST' && url === '/fhir') {
      const batch = JSON.parse(String(init?.body)) as Bundle;
      const urls = (batch.entry ?? []).map((e) => e.request?.url ?? '');
      requests.push(`batch ${urls.map((u) => u.split('?')[0]).join(',')}`);
      return json({
        resourceType: 'Bundle',
        type: 'batch-response',
        entry: urls.map((u) => {
          const type = u.split('?')[0];
          const resource =
            type === 'Observation'
              ? searchset(newestFirst(observations), 'Observation', 0)
              : type === 'Task'
                ? searchset(newestFirst(tasks), 'Task', 0)
                : type === 'CareTeam'
                  ? {
                      resourceType: 'Bundle',
                      type: 'searchset',
                      entry: [
                        {
                          resource: {
                            resourceType: 'CareTeam',
                            participant: [
                              {
                                role: [{ text: '介護支援専門員' }],
                                member: { reference: 'PractitionerRole/role-cm', display: '佐々木 和子' },
                                onBehalfOf: { reference: 'Organization/org-homecare', display: 'いわて在宅ケアセンター' },
                              },
                            ],
                          },
                          search: { mode: 'match' },
                        },
                        { resource: { resourceType: 'PractitionerRole', id: 'role-cm', organization: { reference: 'Organization/org-homecare' } }, search: { mode: 'include' } },
                      ],
                    }
                  : type === 'Consent'
                    ? { resourceType: 'Bundle', type: 'searchset', entry: [{ resource: { resourceType: 'Consent', status: 'active', dateTime: '2026-10-01T10:00:00+09:00', provision: { type: 'permit' } } }] }
                    : empty;
          return { response: { status: '200 OK' }, resource };
        }),
      });
    }
    requests.push(`${method} ${url}`);
    if (url === '/fhir/Patient/pat-yamada/$emergency-summary') {
      return json({
        resourceType: 'Bundle',
        type: 'collection',
        entry: [
          {
            resource: {
              resourceType: 'Patient',
              id: 'pat-yamada',
              gender: 'female',
              birthDate: '1938-05-12',
              name: [
                { use: 'official', family: '山田', given: ['花子'] },
                { extension: SYL, use: 'official', family: 'ヤマダ', given: ['ハナコ'] },
              ],
            },
          },
          { resource: { resourceType: 'AllergyIntolerance', id: 'a1', patient: {}, code: { text: 'ペニシリン' }, criticality: 'high' } },
          {
            resource: {
              resourceType: 'Consent',
              id: 'adr1',
              status: 'active',
              scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'adr' }] },
              category: [],
            },
          },
        ],
      });
    }
    if (url.startsWith('/fhir/Organization?_id=org-homecare')) {
      return json({ resourceType: 'Bundle', type: 'searchset', entry: [{ resource: { resourceType: 'Organization', id: 'org-homecare', name: 'いわて在宅ケアセンター', telecom: [{ system: 'phone', value: '019-000-2000' }] } }] });
    }
    const next = url.match(/^\/fhir\?_getpages=(\w+)&_getpagesoffset=(\d+)$/);
    if (next) {
      return json(searchset(newestFirst(next[1] === 'Task' ? tasks : observations), next[1], Number(next[2])));
    }
    const read = url.match(/^\/fhir\/(\w+)\/(\w+)$/);
    if (read) {
      return json([...observations, ...tasks].find((r) => r.resourceType === read[1] && r.id === read[2]));
    }
    return new Response(JSON.stringify({ resourceType: 'OperationOutcome' }), { status: 404 });
  });
  return { fetchFn, requests };
}

function renderPage(fetchFn: typeof fetch) {
  renderWithProviders(
    <Routes>
      <Route path="/patients/:id" element={<PatientPage />} />
    </Routes>,
    { path: '/patients/pat-yamada', fetchFn },
  );
}

describe('PatientPage', () => {
  it('shows the header with furigana, the markers, the consent and the care team with its phone', async () => {
    const { fetchFn } = hub();
    renderPage(fetchFn);
    const heading = await screen.findByRole('heading', { level: 1, name: '山田 花子（ヤマダ ハナコ）' });
    expect([...heading.querySelectorAll('rt')].map((rt) => rt.textContent)).toEqual(['ヤマダ', 'ハナコ']);
    expect(screen.getByText(/1938年5月12日（昭和13年）/)).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'アレルギー 1件' }));
    expect(await screen.findByText('ペニシリン（重篤）')).toBeTruthy();
    expect(screen.getByText('緊急時連絡票なし')).toBeTruthy();
    expect(screen.getByRole('button', { name: '事前指示書あり' })).toBeTruthy();

    expect(await screen.findByText('同意あり（令和8年10月1日）')).toBeTruthy();
    const team = screen.getByRole('list', { name: 'ケアチームのメンバー' });
    expect(within(team).getByText('佐々木 和子')).toBeTruthy();
    expect((await within(team).findByRole('link', { name: /019-000-2000/ })).getAttribute('href')).toBe('tel:0190002000');
  });

  // a generous timeout: the machine is shared, and this renders 200 entries in jsdom (speed is for the benchmark)
  it('shows 50 of 200 timeline entries newest first from one batch, and loads more only when asked', { timeout: 30_000 }, async () => {
    const { fetchFn, requests } = hub();
    renderPage(fetchFn);
    const list = await screen.findByRole('list', { name: 'タイムライン（新しい順）' });
    await waitFor(() => expect(within(list).getAllByRole('listitem')).toHaveLength(50));
    const items = within(list).getAllByRole('listitem');
    expect(items[0].textContent).toContain('体温'); // o99 at minute 199 is the newest
    expect(items[0].textContent).toContain('36.99℃');
    expect(items[1].textContent).toContain('退院時情報提供書の送付');
    // the hand-off is long overdue: said in words and marked for red
    expect(items[1].querySelector('[data-overdue]')?.textContent).toMatch(/^期限超過 \d+日/);
    expect(requests.filter((r) => r.startsWith('batch'))).toEqual([
      'batch CareTeam,Consent',
      'batch Bundle,Composition,DocumentReference,Task,Communication,Observation',
    ]);
    expect(requests.filter((r) => r.includes('_getpages'))).toEqual([]);

    fireEvent.click(screen.getByRole('button', { name: 'さらに表示' }));
    await waitFor(() => expect(within(list).getAllByRole('listitem')).toHaveLength(100));
    fireEvent.click(screen.getByRole('button', { name: 'さらに表示' }));
    await waitFor(() => expect(within(list).getAllByRole('listitem')).toHaveLength(150));
    fireEvent.click(screen.getByRole('button', { name: 'さらに表示' }));
    await waitFor(() => expect(within(list).getAllByRole('listitem')).toHaveLength(200));
    await waitFor(() => expect(screen.queryByRole('button', { name: 'さらに表示' })).toBeNull());
    const all = within(list).getAllByRole('listitem');
    expect(all[199].textContent).toContain('退院時情報提供書の送付'); // t0, the oldest
    const times = all.map((li) => li.querySelector('time')?.getAttribute('datetime') ?? '');
    expect([...times].sort().reverse()).toEqual(times);
    expect(new Set(all.map((li) => li.textContent)).size).toBeGreaterThan(100);
  });

  it('opens an entry’s detail in a dialog and reads the record', async () => {
    const { fetchFn, requests } = hub();
    renderPage(fetchFn);
    const list = await screen.findByRole('list', { name: 'タイムライン（新しい順）' });
    await waitFor(() => expect(within(list).getAllByRole('listitem').length).toBeGreaterThan(1));
    fireEvent.click(within(within(list).getAllByRole('listitem')[1]).getByRole('button'));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText('宛先')).toBeTruthy();
    expect(within(dialog).getAllByText(/期限超過/).length).toBeGreaterThan(0);
    await waitFor(() => expect(requests).toContain('GET /fhir/Task/t99'));
  });
});
