import { IDBFactory } from 'fake-indexeddb';
import type { Bundle, Observation } from 'fhir/r4';
import { beforeEach, describe, expect, it } from 'vitest';
import { FhirError, networkError, translateError } from '../fhir/errors';
import { setCurrentOutbox, wipeDeviceData } from './deviceData';
import { Outbox } from './outbox';
import { DATABASE, IndexedDbStore } from './store';
import type { OutboxInput } from './types';

const PATIENT_NAME = '山田 花子';

/** A visit as the nurse's form builds it: conditional creates on urn:uuid identifiers (a patient name inside, to look for). */
function visit(n: number): OutboxInput {
  const id = `urn:uuid:00000000-0000-4000-8000-00000000000${n}`;
  return {
    patientId: 'pat-yamada',
    summary: `バイタル・訪問記録 12月7日 10:3${n}`,
    bundle: {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          fullUrl: id,
          resource: <Observation>{
            resourceType: 'Observation',
            status: 'final',
            code: { text: '体温' },
            identifier: [{ system: 'urn:ietf:rfc:3986', value: id }],
            subject: { reference: 'Patient/pat-yamada', display: PATIENT_NAME },
            note: [{ text: `${PATIENT_NAME}さん 訪問時 体温36.${n}℃` }],
          },
          request: { method: 'POST', url: 'Observation', ifNoneExist: `identifier=urn:ietf:rfc:3986|${id}` },
        },
      ],
    },
  };
}

const ok: Bundle = { resourceType: 'Bundle', type: 'transaction-response', entry: [{ response: { status: '201 Created' } }] };
const invalid = () =>
  translateError(422, {
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'error', code: 'invariant', diagnostics: '体温の値がありません (value is missing)', expression: ['Observation.value'] }],
  });

/** The hub as the outbox sees it: each send answered by the next planned answer (a Bundle, or an error thrown). */
class FakeHub {
  sent: Bundle[] = [];
  plan: (Bundle | FhirError)[] = [];
  send = async (bundle: Bundle): Promise<Bundle> => {
    this.sent.push(bundle);
    const next = this.plan.shift() ?? ok;
    if (next instanceof FhirError) {
      throw next;
    }
    return next;
  };
}

describe('Outbox', () => {
  let factory: IDBFactory;
  let hub: FakeHub;
  let online: boolean;
  let timers: { run: () => void; ms: number }[];
  let ids: number;

  const outbox = () =>
    new Outbox({
      store: new IndexedDbStore(factory),
      send: hub.send,
      online: () => online,
      random: () => 0.5,
      newId: () => `entry-${++ids}`,
      setTimer: (run, ms) => {
        const timer = { run, ms };
        timers.push(timer);
        return timer;
      },
      clearTimer: (timer) => {
        timers = timers.filter((t) => t !== timer);
      },
      exclusive: (work) => work(),
    });

  beforeEach(() => {
    factory = new IDBFactory();
    hub = new FakeHub();
    online = true;
    timers = [];
    ids = 0;
  });

  it('sends at once when online and keeps nothing after the hub stored it', async () => {
    const box = outbox();
    await box.open('nurse-1');
    const result = await box.submit(visit(1));
    expect(result.status).toBe('sent');
    expect(hub.sent).toHaveLength(1);
    expect(box.entries()).toEqual([]);
    expect(await new IndexedDbStore(factory).entries()).toEqual([]);
  });

  it('keeps entries while offline and sends each once, in order, when the connection returns', async () => {
    const box = outbox();
    await box.open('nurse-1');
    online = false;
    expect((await box.submit(visit(1))).status).toBe('kept');
    expect((await box.submit(visit(2))).status).toBe('kept');
    expect(hub.sent).toEqual([]);
    expect(box.entries().map((e) => [e.summary, e.state])).toEqual([
      ['バイタル・訪問記録 12月7日 10:31', 'pending'],
      ['バイタル・訪問記録 12月7日 10:32', 'pending'],
    ]);

    online = true;
    await box.flush();
    await box.flush();
    expect(hub.sent).toEqual([visit(1).bundle, visit(2).bundle]);
    expect(box.entries()).toEqual([]);
  });

  it('keeps what the hub did not answer (network, 5xx) and retries with backoff, the same Bundle again', async () => {
    const box = outbox();
    await box.open('nurse-1');
    hub.plan = [networkError(), translateError(503)];
    expect((await box.submit(visit(1))).status).toBe('kept');
    expect(box.entries()[0]).toMatchObject({ state: 'pending', attempts: 1 });
    expect(timers.map((t) => t.ms)).toEqual([1000]);

    timers.shift()!.run();
    await box.settled();
    expect(hub.sent).toHaveLength(2);
    expect(box.entries()[0]).toMatchObject({ state: 'pending', attempts: 2 });
    expect(timers.map((t) => t.ms)).toEqual([2000]);

    timers.shift()!.run();
    await box.settled();
    expect(hub.sent).toEqual([visit(1).bundle, visit(1).bundle, visit(1).bundle]);
    expect(box.entries()).toEqual([]);
    expect(timers).toEqual([]);
  });

  it('does not retry a 4xx: the entry waits as 要修正 with the hub’s reason in Japanese, to resend corrected or discard', async () => {
    const box = outbox();
    await box.open('nurse-1');
    online = false;
    await box.submit(visit(1));
    await box.submit(visit(2));
    online = true;
    hub.plan = [invalid(), translateError(403)];
    await box.flush();
    expect(hub.sent).toHaveLength(2);
    expect(timers).toEqual([]);
    const [first, second] = box.entries();
    expect(first).toMatchObject({ state: 'needs-fix', problem: { status: 422, title: '入力内容に誤りがあります。' } });
    expect(first.problem!.issues.map((i) => i.diagnostics)).toEqual(['体温の値がありません (value is missing)']);
    expect(second).toMatchObject({ state: 'needs-fix', problem: { status: 403, title: 'この操作は許可されていません。' } });

    await box.flush();
    expect(hub.sent).toHaveLength(2);

    const corrected = structuredClone(visit(1).bundle);
    corrected.entry![0].resource = { ...(corrected.entry![0].resource as object), valueQuantity: { value: 36.5, unit: '℃' } } as never;
    await box.resend(first.id, corrected);
    expect(hub.sent[2]).toEqual(corrected);
    await box.discard(second.id);
    expect(box.entries()).toEqual([]);
    expect(await new IndexedDbStore(factory).entries()).toEqual([]);
  });

  it('answers a 4xx at submit to the form that is still open, and keeps nothing', async () => {
    const box = outbox();
    await box.open('nurse-1');
    hub.plan = [invalid()];
    const result = await box.submit(visit(1));
    expect(result.status).toBe('rejected');
    expect(result.status === 'rejected' && result.error.issuesAt('Observation.value')).toHaveLength(1);
    expect(box.entries()).toEqual([]);
  });

  it('waits after a 401 until the user signed in again or the token was renewed', async () => {
    const box = outbox();
    await box.open('nurse-1');
    hub.plan = [translateError(401)];
    expect((await box.submit(visit(1))).status).toBe('kept');
    expect(timers).toEqual([]);
    await box.flush();
    expect(hub.sent).toHaveLength(1);
    await box.resume();
    expect(hub.sent).toHaveLength(2);
    expect(box.entries()).toEqual([]);
  });

  it('sends what a closed app kept when the same user starts it again', async () => {
    const first = outbox();
    await first.open('nurse-1');
    online = false;
    await first.submit(visit(1));
    first.close();

    online = true;
    const again = outbox();
    await again.open('nurse-1');
    expect(hub.sent).toEqual([visit(1).bundle]);
    expect(again.entries()).toEqual([]);
  });

  it('keeps ciphertext, not the plaintext, sealed with a non-extractable key bound to the user', async () => {
    const box = outbox();
    await box.open('nurse-1');
    online = false;
    await box.submit(visit(1));

    const store = new IndexedDbStore(factory);
    const [stored] = await store.entries();
    const everything = JSON.stringify(stored) + new TextDecoder().decode(stored.sealed.data);
    for (const secret of [PATIENT_NAME, '山田', 'pat-yamada', 'バイタル', 'Observation', 'urn:uuid']) {
      expect(everything).not.toContain(secret);
    }
    expect(Object.keys(stored).sort()).toEqual(['createdAt', 'id', 'sealed']);
    expect(stored.sealed.iv).toHaveLength(12);

    const { key, owner } = await store.binding();
    expect(owner).toBe('nurse-1');
    expect(key!.extractable).toBe(false);
    expect(key!.algorithm).toMatchObject({ name: 'AES-GCM', length: 256 });
    await expect(crypto.subtle.exportKey('raw', key!)).rejects.toThrow();
  });

  it('deletes the entries of another user when someone else signs in on the device', async () => {
    const nurse = outbox();
    await nurse.open('nurse-1');
    online = false;
    await nurse.submit(visit(1));
    const keyBefore = (await new IndexedDbStore(factory).binding()).key;

    const other = outbox();
    await other.open('nurse-2');
    expect(other.entries()).toEqual([]);
    expect(await new IndexedDbStore(factory).entries()).toEqual([]);
    const binding = await new IndexedDbStore(factory).binding();
    expect(binding.owner).toBe('nurse-2');
    expect(binding.key).not.toBe(keyBefore);
    online = true;
    await other.flush();
    expect(hub.sent).toEqual([]);
  });

  it('wipes entries, key and owner (sign-out)', async () => {
    const box = outbox();
    await box.open('nurse-1');
    online = false;
    await box.submit(visit(1));
    await box.submit(visit(2));
    await box.wipe();
    expect(box.entries()).toEqual([]);
    const store = new IndexedDbStore(factory);
    expect(await store.entries()).toEqual([]);
    expect(await store.binding()).toEqual({ owner: undefined, key: undefined });
    expect(DATABASE).toBe('renkei-outbox');
  });

  it('is wiped by the sign-out of the app (wipeDeviceData, called by AuthProvider before leaving for Keycloak)', async () => {
    const box = outbox();
    await box.open('nurse-1');
    online = false;
    await box.submit(visit(1));
    setCurrentOutbox(box);
    try {
      await wipeDeviceData();
    } finally {
      setCurrentOutbox(undefined);
    }
    expect(box.entries()).toEqual([]);
    expect(await new IndexedDbStore(factory).entries()).toEqual([]);
    expect((await new IndexedDbStore(factory).binding()).key).toBeUndefined();
  });

  it('sends only through the store: an entry another tab sent meanwhile is not sent again', async () => {
    const one = outbox();
    await one.open('nurse-1');
    online = false;
    await one.submit(visit(1));
    const two = outbox();
    await two.open('nurse-1');
    online = true;
    await two.flush();
    await one.flush();
    expect(hub.sent).toEqual([visit(1).bundle]);
    expect(one.entries()).toEqual([]);
  });
});
