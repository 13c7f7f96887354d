import { describe, expect, it, vi } from 'vitest';
import { FhirClient } from './client';
import { FhirError } from './errors';

function answer(status: number, body?: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/fhir+json' },
  });
}

describe('FhirClient', () => {
  it('searches with the bearer token and the parameters encoded', async () => {
    const fetchFn = vi.fn(async () => answer(200, { resourceType: 'Bundle', type: 'searchset', entry: [] }));
    const client = new FhirClient('/fhir', () => 'tok', fetchFn);
    const bundle = await client.search('Patient', { name: 'やまだ', _count: 20, empty: '' });
    expect(bundle.resourceType).toBe('Bundle');
    const [url, init] = fetchFn.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/fhir/Patient?name=%E3%82%84%E3%81%BE%E3%81%A0&_count=20');
    expect((init.headers as Record<string, string>).Authorization).toBe('Bearer tok');
    expect((init.headers as Record<string, string>).Accept).toBe('application/fhir+json');
    expect(init.credentials).toBe('omit');
  });

  it('updates with If-Match on the version it read', async () => {
    const fetchFn = vi.fn(async () => answer(200, { resourceType: 'Patient', id: 'p1' }));
    await new FhirClient('/fhir', () => 'tok', fetchFn).update({ resourceType: 'Patient', id: 'p1', meta: { versionId: '3' } });
    const [url, init] = fetchFn.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/fhir/Patient/p1');
    expect(init.method).toBe('PUT');
    expect((init.headers as Record<string, string>)['If-Match']).toBe('W/"3"');
  });

  it('asks for the print preview of an unsent document by POSTing it to Bundle/$pdf', async () => {
    const fetchFn = vi.fn(async () =>
      new Response(new Uint8Array([0x25, 0x50, 0x44, 0x46]), {
        status: 200,
        headers: { 'Content-Type': 'application/pdf', 'Content-Disposition': "attachment; filename=\"discharge-summary-preview.pdf\"; filename*=UTF-8''%E9%80%80%E9%99%A2.pdf" },
      }),
    );
    const document = { resourceType: 'Bundle' as const, type: 'document' as const };
    const { blob, fileName } = await new FhirClient('/fhir', () => 'tok', fetchFn).pdf('Bundle/$pdf', document);
    const [url, init] = fetchFn.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/fhir/Bundle/$pdf');
    expect(init.method).toBe('POST');
    expect((init.headers as Record<string, string>)['Content-Type']).toBe('application/fhir+json');
    expect((init.headers as Record<string, string>).Authorization).toBe('Bearer tok');
    expect(JSON.parse(init.body as string)).toEqual(document);
    expect(blob.size).toBe(4);
    expect(fileName).toBe('退院.pdf');
  });

  it('reads a stored record\'s PDF with GET and no body', async () => {
    const fetchFn = vi.fn(async () => new Response(new Uint8Array([0x25]), { status: 200, headers: { 'Content-Type': 'application/pdf' } }));
    await new FhirClient('/fhir', () => 'tok', fetchFn).pdf('Bundle/b1/$pdf');
    const [, init] = fetchFn.mock.calls[0] as unknown as [string, RequestInit];
    expect(init.method).toBe('GET');
    expect(init.body).toBeUndefined();
  });

  it('turns an error answer into a FhirError with the OperationOutcome issues', async () => {
    const fetchFn = vi.fn(async () =>
      answer(422, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'required', diagnostics: 'x', expression: ['Patient.gender'] }] }),
    );
    const error = await new FhirClient('/fhir', () => 'tok', fetchFn).create({ resourceType: 'Patient' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FhirError);
    expect((error as FhirError).kind).toBe('invalid');
    expect((error as FhirError).issuesAt('Patient.gender')).toHaveLength(1);
  });

  it('asks to sign in again on 401, even when the body is not FHIR', async () => {
    const fetchFn = vi.fn(async () => new Response('nope', { status: 401 }));
    const error = await new FhirClient('/fhir', () => undefined, fetchFn).read('Patient', 'p1').catch((e: unknown) => e);
    expect((error as FhirError).kind).toBe('signin');
  });

  it('reports a request without an answer as a network error to retry', async () => {
    const fetchFn = vi.fn(async () => {
      throw new TypeError('Failed to fetch');
    });
    const error = await new FhirClient('/fhir', () => 'tok', fetchFn).read('Patient', 'p1').catch((e: unknown) => e);
    expect((error as FhirError).kind).toBe('network');
    expect((error as FhirError).retryable).toBe(true);
  });
});
