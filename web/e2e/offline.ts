// What the offline specs share (docs/web-app.md §15, offline home visits): going offline and online as the browser sees it, entering
// a visit in the nurse's form, the transactions the page posts, reading what the device keeps in IndexedDB, and counting on the hub the records
// a visit's conditional creates stored, by their identifiers.
import { expect, type APIRequestContext, type BrowserContext, type Page } from '@playwright/test';
import { PASSWORD, type DemoUser } from './support';

export const URI_SYSTEM = 'urn:ietf:rfc:3986';

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

/** The visit form open on screen: enters a body temperature and a note, and taps 送信. */
export async function enterVisit(page: Page, celsius: string, note: string): Promise<void> {
  await page.getByRole('textbox', { name: '体温（℃）' }).fill(celsius);
  await page.getByRole('textbox', { name: '訪問時の記録（自由記載）' }).fill(note);
  await page.getByRole('button', { name: '送信', exact: true }).click();
}

/** A visit's transaction as it left the browser: its note (which visit) and the urn:uuid identifier of each record. */
export interface SentTransaction {
  note: string;
  identifiers: string[];
  status?: number;
}

interface TransactionJson {
  type?: string;
  entry?: Array<{ resource?: { identifier?: Array<{ value?: string }>; valueString?: string; note?: Array<{ text?: string }> } }>;
}

/** Records every transaction the page posts to /fhir, with the hub's status once answered. */
export function recordTransactions(page: Page): SentTransaction[] {
  const sent: SentTransaction[] = [];
  page.on('request', (request) => {
    if (request.method() !== 'POST' || new URL(request.url()).pathname !== '/fhir') return;
    const bundle = request.postDataJSON() as TransactionJson | null;
    if (bundle?.type !== 'transaction') return;
    const resources = (bundle.entry ?? []).map((e) => e.resource ?? {});
    const transaction: SentTransaction = {
      note: resources.map((r) => r.valueString ?? r.note?.[0]?.text ?? '').find((t) => t.includes('E2E')) ?? '',
      identifiers: resources.flatMap((r) => (r.identifier ?? []).map((i) => i.value ?? '')),
    };
    sent.push(transaction);
    void request.response().then((response) => (transaction.status = response?.status()));
  });
  return sent;
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
