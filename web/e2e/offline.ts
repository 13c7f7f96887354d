// What the offline specs share (docs/web-app.md, offline home visits): going offline and online as the browser sees it, submitting a
// visit through the device's outbox, reading what the device keeps in IndexedDB, and counting on the hub the records
// a visit's conditional creates stored, by their identifiers.
import { randomUUID } from 'node:crypto';
import { expect, type APIRequestContext, type BrowserContext, type Page } from '@playwright/test';
import { PASSWORD, type DemoUser } from './support';

export const URI_SYSTEM = 'urn:ietf:rfc:3986';

declare global {
  interface Window {
    /** the app's outbox, exposed to automated browsers only (src/offline/OutboxProvider.tsx) */
    renkeiOutbox?: { submit: (input: { patientId: string; summary: string; bundle: unknown }) => Promise<string> };
  }
}

/** The browser loses its connection; the header says オフライン. */
export async function goOffline(context: BrowserContext, page: Page): Promise<void> {
  await context.setOffline(true);
  await expect.poll(() => page.evaluate(() => navigator.onLine)).toBe(false);
  await expect(page.getByRole('status', { name: 'リアルタイム通知: オフライン' })).toBeVisible();
}

/** The connection returns (the online event makes the outbox send at once). */
export async function goOnline(context: BrowserContext, page: Page): Promise<void> {
  await context.setOffline(false);
  await expect.poll(() => page.evaluate(() => navigator.onLine)).toBe(true);
}

/** One visit's record as the nurse's form will build it: conditional creates on their own urn:uuid identifiers. */
export interface Visit {
  patientId: string;
  summary: string;
  /** the urn:uuid identifier of each record, to count on the hub */
  identifiers: string[];
  bundle: Record<string, unknown>;
}

/**
 * A body temperature taken on a visit (a vital sign the hub accepts from a visiting nurse of the patient's care team),
 * with the patient's name in it so a spec can look for it where it must not be. {@code valid: false} leaves out the
 * required status: the hub answers 422.
 */
export function temperatureVisit(patientId: string, patientName: string, summary: string, celsius: number, valid = true): Visit {
  const id = `urn:uuid:${randomUUID()}`;
  const observation: Record<string, unknown> = {
    resourceType: 'Observation',
    identifier: [{ system: URI_SYSTEM, value: id }],
    ...(valid ? { status: 'final' } : {}),
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
    code: { coding: [{ system: 'http://loinc.org', code: '8310-5', display: 'Body temperature' }], text: '体温' },
    subject: { reference: `Patient/${patientId}`, display: patientName },
    effectiveDateTime: new Date().toISOString(),
    valueQuantity: { value: celsius, unit: '℃', system: 'http://unitsofmeasure.org', code: 'Cel' },
    note: [{ text: `${patientName}さん 訪問時の体温（E2E offline）` }],
  };
  return {
    patientId,
    summary,
    identifiers: [id],
    bundle: {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: id, resource: observation, request: { method: 'POST', url: 'Observation', ifNoneExist: `identifier=${URI_SYSTEM}|${id}` } },
      ],
    },
  };
}

/**
 * Submits a visit through the app's outbox (`submit` of offline/outbox.ts) as a form does; the answer is `sent`,
 * `kept` or `rejected`. Until the nurse's form routes its send through the outbox, the app exposes `submit` to
 * automated browsers only (navigator.webdriver).
 */
export async function submitThroughOutbox(page: Page, visit: Visit): Promise<string> {
  await page.waitForFunction(() => window.renkeiOutbox !== undefined);
  return page.evaluate(({ patientId, summary, bundle }) => window.renkeiOutbox!.submit({ patientId, summary, bundle }), visit);
}

/** What the device keeps in IndexedDB `renkei-outbox`, as any script of the origin could read it. */
export interface DeviceOutbox {
  /** each entry's fields in the clear and its ciphertext read as UTF-8 text */
  entries: { fields: string[]; clear: string; ciphertextAsText: string; ivLength: number }[];
  owner: unknown;
  key: { type: string; extractable: boolean; algorithm: unknown; usages: string[] } | null;
}

export async function readDeviceOutbox(page: Page): Promise<DeviceOutbox | null> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase | null>((resolve) => {
      const request = indexedDB.open('renkei-outbox');
      // no outbox on this device yet: do not create the database (the app creates it with its stores)
      request.onupgradeneeded = () => request.transaction!.abort();
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => resolve(null);
    });
    if (!db) return null;
    const read = <T>(store: string, run: (s: IDBObjectStore) => IDBRequest<T>) =>
      new Promise<T>((resolve, reject) => {
        const request = run(db.transaction(store, 'readonly').objectStore(store));
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    const stored = await read('entries', (s) => s.getAll() as IDBRequest<Array<Record<string, unknown> & { sealed: { iv: Uint8Array; data: ArrayBuffer } }>>);
    const owner = await read('device', (s) => s.get('owner'));
    const key = (await read('device', (s) => s.get('key'))) as CryptoKey | undefined;
    db.close();
    return {
      entries: stored.map((r) => ({
        fields: Object.keys(r).sort(),
        clear: JSON.stringify({ ...r, sealed: undefined }),
        ciphertextAsText: new TextDecoder().decode(r.sealed.data),
        ivLength: r.sealed.iv.length,
      })),
      owner,
      key: key
        ? { type: Object.prototype.toString.call(key), extractable: key.extractable, algorithm: key.algorithm, usages: [...key.usages] }
        : null,
    };
  });
}

/** A FHIR client for a spec's checks: the user's own token from the development realm's password grant. */
export async function fhirAs(request: APIRequestContext, user: DemoUser) {
  const smart = await request.get('../fhir/.well-known/smart-configuration');
  expect(smart.status()).toBe(200);
  const { token_endpoint } = (await smart.json()) as { token_endpoint: string };
  const token = await request.post(token_endpoint, {
    form: { grant_type: 'password', client_id: 'renkei-web', username: user.username, password: PASSWORD, scope: 'openid' },
  });
  expect(token.status(), `a token for ${user.username}`).toBe(200);
  const headers = { Authorization: `Bearer ${((await token.json()) as { access_token: string }).access_token}`, Accept: 'application/fhir+json' };
  return {
    /** how many records of {@code type} the hub holds with this urn:uuid identifier */
    async countByIdentifier(type: string, identifier: string): Promise<number> {
      const found = await request.get(`../fhir/${type}?identifier=${encodeURIComponent(`${URI_SYSTEM}|${identifier}`)}`, { headers });
      expect(found.status(), `${type}?identifier=…`).toBe(200);
      return (((await found.json()) as { entry?: unknown[] }).entry ?? []).length;
    },
  };
}
