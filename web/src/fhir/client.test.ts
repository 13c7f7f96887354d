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
