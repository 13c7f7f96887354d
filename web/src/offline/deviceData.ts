import type { Outbox } from './outbox';
import { IndexedDbStore } from './store';

let current: Outbox | undefined;

/** The signed-in user's outbox while the app runs (OutboxProvider), so that sign-out wipes it and not a copy. */
export function setCurrentOutbox(outbox: Outbox | undefined): void {
  current = outbox;
}

/**
 * Deletes what the app keeps on this device for the user (the outbox: entries, key, owner), before sign-out
 * (auth/AuthProvider). Nothing else of the user is on the device: tokens are in memory only.
 */
export async function wipeDeviceData(): Promise<void> {
  if (current) {
    await current.wipe();
  } else if (typeof indexedDB !== 'undefined') {
    await new IndexedDbStore().wipe();
  }
}
