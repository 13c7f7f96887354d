import type { Sealed } from './sealing';

/** One entry as the device keeps it: its id and time in the clear (for order), everything else sealed. */
export interface StoredEntry {
  id: string;
  createdAt: number;
  sealed: Sealed;
}

/** Whose outbox this device holds and the key its entries are sealed with. */
export interface DeviceBinding {
  owner?: string;
  key?: CryptoKey;
}

/** Where the outbox keeps its entries: IndexedDB in the browser ({@link IndexedDbStore}; fake-indexeddb in Vitest). */
export interface OutboxStore {
  entries(): Promise<StoredEntry[]>;
  put(entry: StoredEntry): Promise<void>;
  remove(id: string): Promise<void>;
  binding(): Promise<DeviceBinding>;
  /** Binds the device to another user: every entry is deleted and the new key replaces the old, in one transaction. */
  rebind(owner: string, key: CryptoKey): Promise<void>;
  /** Deletes every entry, the key and the owner (sign-out). */
  wipe(): Promise<void>;
}

export const DATABASE = 'renkei-outbox';
const ENTRIES = 'entries';
const DEVICE = 'device';

function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function committed(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

/**
 * The outbox in the browser's IndexedDB (database `renkei-outbox`): store `entries` (id, createdAt, IV, ciphertext)
 * and store `device` (the owner's subject and the non-extractable AES-GCM CryptoKey). Not localStorage or
 * sessionStorage, which hold strings only and would need an extractable key.
 */
export class IndexedDbStore implements OutboxStore {
  private db: Promise<IDBDatabase> | undefined;

  constructor(private readonly factory: IDBFactory = indexedDB) {}

  private open(): Promise<IDBDatabase> {
    this.db ??= new Promise<IDBDatabase>((resolve, reject) => {
      const request = this.factory.open(DATABASE, 1);
      request.onupgradeneeded = () => {
        request.result.createObjectStore(ENTRIES, { keyPath: 'id' });
        request.result.createObjectStore(DEVICE);
      };
      request.onsuccess = () => {
        const db = request.result;
        // another tab deleting or upgrading the database: let it, and open again next time
        db.onversionchange = () => {
          db.close();
          this.db = undefined;
        };
        resolve(db);
      };
      request.onerror = () => reject(request.error);
      request.onblocked = () => reject(new Error('IndexedDB blocked'));
    }).catch((e) => {
      this.db = undefined;
      throw e;
    });
    return this.db;
  }

  private async run<T>(stores: string[], mode: IDBTransactionMode, work: (tx: IDBTransaction) => Promise<T> | T): Promise<T> {
    const db = await this.open();
    const tx = db.transaction(stores, mode);
    const end = committed(tx);
    const result = await work(tx);
    await end;
    return result;
  }

  async entries(): Promise<StoredEntry[]> {
    const all = await this.run([ENTRIES], 'readonly', (tx) => done(tx.objectStore(ENTRIES).getAll() as IDBRequest<StoredEntry[]>));
    return all.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  }

  put(entry: StoredEntry): Promise<void> {
    return this.run([ENTRIES], 'readwrite', (tx) => {
      tx.objectStore(ENTRIES).put(entry);
    });
  }

  remove(id: string): Promise<void> {
    return this.run([ENTRIES], 'readwrite', (tx) => {
      tx.objectStore(ENTRIES).delete(id);
    });
  }

  binding(): Promise<DeviceBinding> {
    return this.run([DEVICE], 'readonly', async (tx) => {
      const device = tx.objectStore(DEVICE);
      const [owner, key] = await Promise.all([done(device.get('owner')), done(device.get('key'))]);
      return { owner: typeof owner === 'string' ? owner : undefined, key: key && typeof key === 'object' ? (key as CryptoKey) : undefined };
    });
  }

  rebind(owner: string, key: CryptoKey): Promise<void> {
    return this.run([ENTRIES, DEVICE], 'readwrite', (tx) => {
      tx.objectStore(ENTRIES).clear();
      const device = tx.objectStore(DEVICE);
      device.clear();
      device.put(owner, 'owner');
      device.put(key, 'key');
    });
  }

  wipe(): Promise<void> {
    return this.run([ENTRIES, DEVICE], 'readwrite', (tx) => {
      tx.objectStore(ENTRIES).clear();
      tx.objectStore(DEVICE).clear();
    });
  }
}
