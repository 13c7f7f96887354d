import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { renderWithProviders, stubLayoutApis } from '../testSupport';
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

beforeAll(() => stubLayoutApis());

afterEach(cleanup);

function renderList(fetchFn: typeof fetch) {
  renderWithProviders(<PatientListPage />, { path: '/patients', fetchFn });
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
