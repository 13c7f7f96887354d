// Base64 forms of bytes: standard (FHIR base64Binary, x5c) and URL-safe without padding (JWS).

export function base64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

export function base64url(bytes: Uint8Array): string {
  return base64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) {
    out[i] = binary.charCodeAt(i);
  }
  return out;
}

/** The SHA-1 of a file's bytes, base64 (R4's Attachment.hash; the hub checks it against the attached data). */
export async function sha1Base64(bytes: Uint8Array): Promise<string> {
  return base64(new Uint8Array(await crypto.subtle.digest('SHA-1', bytes as BufferSource)));
}
