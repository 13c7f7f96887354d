import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { MantineProvider } from '@mantine/core';
import { QueryClientProvider } from '@tanstack/react-query';
import { AuthContext } from '../auth/AuthProvider';
import { FhirClient } from '../fhir/client';
import { createQueryClient, FhirClientProvider } from '../fhir/FhirProvider';
import PatientListPage from './PatientListPage';

const SYL = [{ url: 'http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation', valueCode: 'SYL' }];
const yamada = {
  resourceType: 'Patient',
  id: 'pat-yamada',
  gender: 'female',
  birthDate: '1938-05-03',
  name: [
    { use: 'official', family: '山田', given: ['花子'] },
    { extension: SYL, use: 'official', family: 'ヤマダ', given: ['ハナコ'] },
  ],
};

beforeAll(() => {
  // jsdom has no matchMedia; Mantine asks it for responsive props
  window.matchMedia ??= ((query: string) => ({
    matches: false,
    media: query,
    onchange: null,
    addListener: () => {},
    removeListener: () => {},
    addEventListener: () => {},
    removeEventListener: () => {},
    dispatchEvent: () => false,
  })) as typeof window.matchMedia;
});

afterEach(cleanup);

function renderList(fetchFn: typeof fetch) {
  const auth = { state: { status: 'starting' as const }, signIn: async () => {}, signOut: async () => {}, accessToken: () => 'tok' };
  render(
    <AuthContext.Provider value={auth}>
      <MantineProvider>
        <QueryClientProvider client={createQueryClient()}>
          <FhirClientProvider client={new FhirClient('/fhir', () => 'tok', fetchFn)}>
            <MemoryRouter initialEntries={['/patients']}>
              <PatientListPage />
            </MemoryRouter>
          </FhirClientProvider>
        </QueryClientProvider>
      </MantineProvider>
    </AuthContext.Provider>,
  );
}

describe('PatientListPage', () => {
  it('asks the hub for the name typed (hiragana as typed) and shows its answer with the kana reading', async () => {
    const fetchFn = vi.fn(async (url: string | URL | Request) => {
      const found = String(url).includes('name=') ? [{ resource: yamada }] : [];
      return new Response(JSON.stringify({ resourceType: 'Bundle', type: 'searchset', entry: found }), { status: 200 });
    });
    renderList(fetchFn as unknown as typeof fetch);
    await screen.findByText('表示できる患者はいません。');

    fireEvent.change(screen.getByLabelText(/氏名で検索/), { target: { value: 'やまだ' } });
    await screen.findByText('山田 花子');
    expect(screen.getByText('ヤマダ ハナコ')).toBeTruthy();
    expect(screen.getByRole('link', { name: '山田 花子（ヤマダ ハナコ）' }).getAttribute('href')).toBe('/patients/pat-yamada');
    const urls = fetchFn.mock.calls.map((call) => decodeURIComponent(String(call[0])));
    expect(urls).toContain('/fhir/Patient?name=やまだ&_count=50');
  });

  it('shows a refusal in Japanese with what to do', async () => {
    const fetchFn = vi.fn(async () => new Response(JSON.stringify({ resourceType: 'OperationOutcome', issue: [] }), { status: 403 }));
    renderList(fetchFn as unknown as typeof fetch);
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('この操作は許可されていません'));
  });
});
