// Encryption of the outbox's entries at rest (docs/web-app.md, offline home visits, docs/security.md): AES-GCM with a key generated on
// the device, non-extractable (its bytes never reach script, only encrypt/decrypt through WebCrypto), kept in IndexedDB
// as a CryptoKey object. The owner (the signed-in user's subject) is bound as additional authenticated data, so an
// entry opens only for the user who wrote it.

/** A sealed value as stored: the random 96-bit IV and the ciphertext (with GCM's tag). Never the plaintext. */
export interface Sealed {
  iv: Uint8Array;
  data: ArrayBuffer;
}

/** Whether this browser can encrypt at rest: WebCrypto's subtle API exists only in secure contexts (https, localhost). */
export function canSeal(): boolean {
  return typeof crypto !== 'undefined' && typeof crypto.subtle?.encrypt === 'function' && typeof indexedDB !== 'undefined';
}

export function generateKey(): Promise<CryptoKey> {
  return crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export async function seal(key: CryptoKey, owner: string, value: unknown): Promise<Sealed> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: encoder.encode(owner) },
    key,
    encoder.encode(JSON.stringify(value)),
  );
  return { iv, data };
}

/** The value sealed by {@link seal} with the same key and owner; rejects when either differs or the bytes changed. */
export async function unseal<T>(key: CryptoKey, owner: string, sealed: Sealed): Promise<T> {
  const plain = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: sealed.iv as Uint8Array<ArrayBuffer>, additionalData: encoder.encode(owner) },
    key,
    sealed.data,
  );
  return JSON.parse(decoder.decode(plain)) as T;
}
