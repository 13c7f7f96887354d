import type { Task } from 'fhir/r4';
import { describe, expect, it } from 'vitest';
import { FhirClient } from '../../fhir/client';
import { FhirError } from '../../fhir/errors';
import { canTake, takeStep, withStatus } from './taskActions';

const TASK: Task & { id: string } = {
  resourceType: 'Task',
  id: 't1',
  meta: { versionId: '3', lastUpdated: '2026-11-24T16:30:00+09:00' },
  status: 'requested',
  intent: 'order',
  code: { coding: [{ system: 'http://renkei.example.jp/fhir/CodeSystem/handoff', code: 'discharge-summary' }] },
  owner: { reference: 'Organization/org-homecare' },
};

function fakeHub(status: number, body: unknown) {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const fetchFn = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/fhir+json' } });
  }) as unknown as typeof fetch;
  return { client: new FhirClient('/fhir', () => 'token-1', fetchFn), calls };
}

describe('受領・受諾', () => {
  it('allows only the steps of the state machine from the current state', () => {
    expect(canTake(TASK, 'receive')).toBe(true);
    expect(canTake(TASK, 'accept')).toBe(false);
    expect(canTake({ ...TASK, status: 'received' }, 'accept')).toBe(true);
    expect(() => withStatus(TASK, 'accept')).toThrow();
    expect(withStatus(TASK, 'receive')).toEqual({ ...TASK, status: 'received' });
  });

  it('PUTs the Task read with its new status and If-Match of the version read', async () => {
    const { client, calls } = fakeHub(200, { ...TASK, status: 'received', meta: { versionId: '4' } });
    const saved = await takeStep(client, TASK, 'receive');
    expect(saved.status).toBe('received');
    expect(calls).toHaveLength(1);
    const [{ url, init }] = calls;
    expect(url).toBe('/fhir/Task/t1');
    expect(init.method).toBe('PUT');
    const headers = init.headers as Record<string, string>;
    expect(headers['If-Match']).toBe('W/"3"');
    expect(headers.Authorization).toBe('Bearer token-1');
    expect(JSON.parse(String(init.body))).toEqual({ ...TASK, status: 'received' });
  });

  it('turns the hub’s 412 (changed since it was read) into a conflict explained in Japanese', async () => {
    const { client } = fakeHub(412, {
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'conflict', diagnostics: 'バージョンが一致しません (version conflict)' }],
    });
    const error = await takeStep(client, { ...TASK, status: 'received' }, 'accept').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FhirError);
    expect((error as FhirError).kind).toBe('conflict');
    expect((error as FhirError).title).toBe('ほかの人が先にこの記録を変更しました。');
  });
});
