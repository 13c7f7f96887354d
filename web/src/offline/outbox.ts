import type { Bundle } from 'fhir/r4';
import { FhirError, networkError } from '../fhir/errors';
import { backoffDelay } from '../live/timing';
import { generateKey, seal, unseal } from './sealing';
import type { OutboxStore, StoredEntry } from './store';
import type { EntryProblem, OutboxEntry, OutboxInput, SubmitResult } from './types';

export interface OutboxDeps {
  /** null when the browser cannot encrypt at rest (no WebCrypto): nothing is kept, a send without answer is an error */
  store: OutboxStore | null;
  /** posts the transaction to the hub with the user's token (FhirClient.transaction) */
  send: (bundle: Bundle) => Promise<Bundle>;
  /** told of each entry the hub stored (at once or later from the outbox): the app refreshes what shows that patient */
  stored?: (entry: OutboxEntry) => void;
  online?: () => boolean;
  random?: () => number;
  newId?: () => string;
  now?: () => number;
  setTimer?: (run: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
  /** serialises sending across the tabs of this browser (Web Locks) */
  exclusive?: <T>(work: () => Promise<T>) => Promise<T>;
}

type Listener = (entries: OutboxEntry[]) => void;

/** The Web Locks API where the browser has it, so two tabs never send the same entry at once; else this tab alone. */
export function browserExclusive<T>(work: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  return locks ? locks.request('renkei-outbox-send', work) : work();
}

/** Whether a failure may succeed later as it is (no answer, the hub unavailable or busy): the entry waits and is sent again. */
function transient(error: FhirError): boolean {
  return error.retryable || error.status === 408;
}

function problemOf(error: FhirError): EntryProblem {
  return { status: error.status, title: error.title, action: error.action, issues: error.issues };
}

function asFhirError(error: unknown): FhirError {
  return error instanceof FhirError ? error : networkError();
}

/**
 * The device's outbox (docs/web-app.md, offline home visits): what a form submits is sealed into IndexedDB first, then sent; without a
 * connection, or when the hub does not answer, it stays as 未送信 and is sent when the connection returns (the
 * browser's online event, the app's start after sign-in, a retry with backoff 1, 2, 4 … 30 s), one entry at a time in
 * the order written. Each is stored on the hub exactly once: its transaction is made of conditional creates, so a
 * resend after a lost answer matches what the first send stored. A 4xx (other than 401) is not retried: the entry
 * becomes 要修正 with the hub's reason, to be corrected and sent again or discarded. A 401 waits for the next sign-in
 * or token renewal ({@link resume}).
 */
export class Outbox {
  private owner: string | undefined;
  private key: CryptoKey | undefined;
  private list: OutboxEntry[] = [];
  private readonly listeners = new Set<Listener>();
  private chain: Promise<unknown> = Promise.resolve();
  private timer: unknown;
  private failures = 0;
  private paused = false;
  private closed = false;
  private readonly online: () => boolean;
  private readonly random: () => number;
  private readonly newId: () => string;
  private readonly now: () => number;
  private readonly setTimer: (run: () => void, ms: number) => unknown;
  private readonly clearTimer: (timer: unknown) => void;
  private readonly exclusive: <T>(work: () => Promise<T>) => Promise<T>;

  constructor(private readonly deps: OutboxDeps) {
    this.online = deps.online ?? (() => navigator.onLine);
    this.random = deps.random ?? Math.random;
    this.newId = deps.newId ?? (() => crypto.randomUUID());
    this.now = deps.now ?? Date.now;
    this.setTimer = deps.setTimer ?? ((run, ms) => setTimeout(run, ms));
    this.clearTimer = deps.clearTimer ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>));
    this.exclusive = deps.exclusive ?? browserExclusive;
  }

  /** Whether entries can be kept on this device (encrypted); without, {@link submit} only sends. */
  get keeps(): boolean {
    return this.deps.store !== null;
  }

  entries(): OutboxEntry[] {
    return this.list;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    listener(this.list);
    return () => this.listeners.delete(listener);
  }

  /**
   * Binds the outbox to the signed-in user: the device's entries are theirs, or (another user, or none yet) deleted
   * with the old key and a new key made. Then sends what waits.
   */
  open(owner: string): Promise<void> {
    return this.serial(async () => {
      const store = this.deps.store;
      this.owner = owner;
      this.closed = false;
      if (!store) {
        return;
      }
      const binding = await store.binding();
      if (binding.owner === owner && binding.key) {
        this.key = binding.key;
      } else {
        this.key = await generateKey();
        await store.rebind(owner, this.key);
      }
      await this.reload();
    }).then(() => this.flush());
  }

  /** Stops timers; what is stored stays for the next start. */
  close(): void {
    this.closed = true;
    this.clearRetry();
  }

  /**
   * Keeps the entry (sealed) and, when online, sends it at once. Never loses it: whatever happens after it is kept,
   * it is on the device until the hub stored it, or the user discards it.
   */
  submit(input: OutboxInput): Promise<SubmitResult> {
    return this.serial(async (): Promise<SubmitResult> => {
      if (!this.deps.store) {
        return this.sendWithoutKeeping(input);
      }
      const entry: OutboxEntry = { ...input, id: this.newId(), createdAt: this.now(), state: 'pending', attempts: 0 };
      try {
        await this.write(entry);
      } catch {
        // the device could not keep it (not open yet, storage full or refused): send it as a plain request
        return this.sendWithoutKeeping(input);
      }
      this.list = [...this.list, entry];
      this.changed();
      if (!this.online() || this.paused) {
        return { status: 'kept', entryId: entry.id };
      }
      const outcome = await this.exclusive(() => this.attempt(entry));
      if (outcome.status === 'rejected') {
        // the form is still on screen with what was typed: it shows the hub's reasons at the fields, nothing waits here
        await this.drop(entry.id);
      }
      return outcome;
    }).then((result) => {
      if (result.status === 'sent') {
        void this.flush(); // the connection works: send what else waits
      }
      return result;
    });
  }

  /** Sends the waiting entries, one at a time and oldest first (each once: see the class comment). */
  flush(): Promise<void> {
    return this.serial(async () => {
      if (!this.deps.store || !this.key || this.closed || this.paused || !this.online()) {
        return;
      }
      this.clearRetry();
      await this.exclusive(async () => {
        // another tab may have sent or changed entries meanwhile: send what the store holds now
        await this.reload();
        for (const entry of this.list) {
          if (entry.state !== 'pending') {
            continue;
          }
          const outcome = await this.attempt(entry);
          if (outcome.status === 'kept') {
            return; // no connection or the hub unavailable: the rest waits for the retry
          }
        }
      });
    });
  }

  /** Resolves once every step queued so far has ended (a retry the timer started, a send in flight). */
  settled(): Promise<void> {
    return this.chain.then(() => undefined);
  }

  /** A renewed token or a new sign-in after a 401: send again. */
  resume(): Promise<void> {
    this.paused = false;
    return this.flush();
  }

  /** Sends a 要修正 entry again, with a corrected Bundle when given (same identifiers: still exactly once). */
  resend(id: string, bundle?: Bundle): Promise<void> {
    return this.serial(async () => {
      const entry = this.list.find((e) => e.id === id);
      if (!entry) {
        return;
      }
      const next: OutboxEntry = { ...entry, ...(bundle ? { bundle } : {}), state: 'pending', attempts: 0, problem: undefined };
      await this.write(next);
      this.replace(next);
      this.paused = false;
    }).then(() => this.flush());
  }

  /** Deletes an entry from the device without sending it (the page asks for confirmation first). */
  discard(id: string): Promise<void> {
    return this.serial(() => this.drop(id));
  }

  /** Deletes everything of the outbox on this device: entries, key and owner (sign-out). */
  wipe(): Promise<void> {
    return this.serial(async () => {
      this.clearRetry();
      this.list = [];
      this.key = undefined;
      this.owner = undefined;
      this.changed();
      await this.deps.store?.wipe();
    });
  }

  // -- inside the serial chain --

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.chain.then(work, work);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async attempt(entry: OutboxEntry): Promise<SubmitResult> {
    this.replace({ ...entry, state: 'sending' });
    try {
      const response = await this.deps.send(entry.bundle);
      this.failures = 0;
      await this.drop(entry.id);
      this.deps.stored?.(entry);
      return { status: 'sent', entryId: entry.id, response };
    } catch (e) {
      const error = asFhirError(e);
      if (transient(error) || error.kind === 'signin') {
        const next: OutboxEntry = { ...entry, state: 'pending', attempts: entry.attempts + 1 };
        await this.write(next);
        this.replace(next);
        if (error.kind === 'signin') {
          this.paused = true;
        } else {
          this.scheduleRetry();
        }
        return { status: 'kept', entryId: entry.id };
      }
      const next: OutboxEntry = { ...entry, state: 'needs-fix', problem: problemOf(error) };
      await this.write(next);
      this.replace(next);
      return { status: 'rejected', error };
    }
  }

  private async sendWithoutKeeping(input: OutboxInput): Promise<SubmitResult> {
    const entryId = this.newId();
    try {
      return { status: 'sent', entryId, response: await this.deps.send(input.bundle) };
    } catch (e) {
      return { status: 'rejected', error: asFhirError(e) };
    }
  }

  private scheduleRetry(): void {
    if (this.closed) {
      return;
    }
    this.clearRetry();
    const delay = backoffDelay(this.failures++, this.random);
    this.timer = this.setTimer(() => {
      this.timer = undefined;
      void this.flush();
    }, delay);
  }

  private clearRetry(): void {
    if (this.timer !== undefined) {
      this.clearTimer(this.timer);
      this.timer = undefined;
    }
  }

  private async write(entry: OutboxEntry): Promise<void> {
    const store = this.deps.store;
    if (!store || !this.key || this.owner === undefined) {
      throw new Error('outbox not open');
    }
    // 送信中 is this tab's state only; the device keeps 未送信 (sent again after a crash: still once)
    const kept = { ...entry, state: entry.state === 'sending' ? 'pending' : entry.state };
    const stored: StoredEntry = { id: entry.id, createdAt: entry.createdAt, sealed: await seal(this.key, this.owner, kept) };
    await store.put(stored);
  }

  private async drop(id: string): Promise<void> {
    await this.deps.store?.remove(id);
    this.list = this.list.filter((e) => e.id !== id);
    this.changed();
  }

  private async reload(): Promise<void> {
    const store = this.deps.store;
    if (!store || !this.key || this.owner === undefined) {
      return;
    }
    const entries: OutboxEntry[] = [];
    for (const stored of await store.entries()) {
      try {
        entries.push(await unseal<OutboxEntry>(this.key, this.owner, stored.sealed));
      } catch {
        // sealed with another key or for another user (cannot be read here): not this user's, never sent as theirs
        await store.remove(stored.id);
      }
    }
    this.list = entries;
    this.changed();
  }

  private replace(entry: OutboxEntry): void {
    this.list = this.list.map((e) => (e.id === entry.id ? entry : e));
    this.changed();
  }

  private changed(): void {
    for (const listener of this.listeners) {
      listener(this.list);
    }
  }
}
