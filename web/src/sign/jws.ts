import { base64url } from './bytes';

// A detached JSON Web Signature (RFC 7515 Appendix F) as the hub checks it (server sign.DetachedJws,
// SignatureVerifier): `header..signature`, the payload being the canonical bytes of the signed resource. The
// protected header carries `alg` (ES256 for the deployment CA's P-256 keys, RS256 for RSA), `x5c` (the signer's
// certificate chain, signer first, standard base64 DER) and `sigT` (the signing time, an instant, as in JAdES).
// WebCrypto's ECDSA signature is already R || S (IEEE P1363), which is what ES256 wants (RFC 7518 §3.4).

export type JwsAlgorithm = 'ES256' | 'RS256';

export interface JwsSigner {
  algorithm: JwsAlgorithm;
  /** the private key, non-extractable: it signs and never leaves the browser */
  key: CryptoKey;
  /** the certificate chain in standard base64 DER, signer first */
  x5c: readonly string[];
}

const SIGN_PARAMS: Record<JwsAlgorithm, AlgorithmIdentifier | EcdsaParams> = {
  ES256: { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams,
  RS256: { name: 'RSASSA-PKCS1-v1_5' },
};

/** The protected header, base64url of its JSON (member order as the hub writes it: alg, x5c, sigT). */
export function protectedHeader(signer: Pick<JwsSigner, 'algorithm' | 'x5c'>, signingTime: Date): string {
  const header = { alg: signer.algorithm, x5c: [...signer.x5c], sigT: instant(signingTime) };
  return base64url(new TextEncoder().encode(JSON.stringify(header)));
}

/** An instant as Java's Instant.toString writes and parses it: UTC, seconds, no fraction when zero. */
export function instant(time: Date): string {
  return time.toISOString().replace(/\.000Z$/, 'Z');
}

/** The JWS's signing input: header "." base64url(payload). */
export function signingInput(header: string, payload: Uint8Array): Uint8Array {
  return new TextEncoder().encode(`${header}.${base64url(payload)}`);
}

/** Signs the payload: the compact serialisation with the payload left out (`header..signature`). */
export async function signDetached(payload: Uint8Array, signer: JwsSigner, signingTime: Date): Promise<string> {
  const header = protectedHeader(signer, signingTime);
  const signature = await crypto.subtle.sign(SIGN_PARAMS[signer.algorithm], signer.key, signingInput(header, payload) as BufferSource);
  return `${header}..${base64url(new Uint8Array(signature))}`;
}
