import { describe, expect, it } from 'vitest';
import { base64url, fromBase64, sha1Base64 } from './bytes';
import { canonicalBytes, canonicalJson, prune } from './canonicalJson';
import { instant, signDetached, signingInput } from './jws';

describe('canonical JSON (as the hub signs, sign.CanonicalJson)', () => {
  it('drops id, meta, signature and the hub stamp, sorts members, keeps array order, escapes minimally', () => {
    const text = canonicalJson({
      resourceType: 'Consent',
      id: 'x',
      meta: { versionId: '1' },
      extension: [
        { url: 'http://renkei.example.jp/fhir/StructureDefinition/consent-recording', valueString: 'hub' },
        { url: 'b', valueString: 'é "q" \\ \n\t\u0001' },
      ],
      status: 'active',
      provision: { type: 'permit', provision: [{ type: 'deny' }, { type: 'permit' }] },
      size: 12,
    });
    expect(text).toBe(
      '{"extension":[{"url":"b","valueString":"é \\"q\\" \\\\ \\n\\t\\u0001"}],"provision":{"provision":[{"type":"deny"},{"type":"permit"}],"type":"permit"},"resourceType":"Consent","size":12,"status":"active"}',
    );
  });

  it('sorts by UTF-16 code units (RFC 8785), not by locale', () => {
    expect(canonicalJson({ b: 1, B: 2, a: 3, 'ａ': 4, é: 5 })).toBe('{"B":2,"a":3,"b":1,"é":5,"ａ":4}');
  });

  it('removes the extension member when only the hub stamp was in it', () => {
    expect(canonicalJson({ extension: [{ url: 'http://renkei.example.jp/fhir/StructureDefinition/consent-recording' }], a: 1 })).toBe('{"a":1}');
  });

  it('prunes what HAPI would not encode back: empty strings, arrays and objects', () => {
    expect(prune({ a: '', b: [], c: {}, d: [{ e: '' }, 'x'], f: { g: '' }, h: 0, i: false })).toEqual({ d: ['x'], h: 0, i: false });
  });

  it('is UTF-8', () => {
    expect([...canonicalBytes({ a: '心' })]).toEqual([...new TextEncoder().encode('{"a":"心"}')]);
  });
});

describe('hashing and base64', () => {
  it('SHA-1 of the scanned form, base64 as R4 Attachment.hash', async () => {
    // sha1("abc") = a9993e364706816aba3e25717850c26c9cd0d89d
    expect(await sha1Base64(new TextEncoder().encode('abc'))).toBe('qZk+NkcGgWq6PiVxeFDCbJzQ2J0=');
  });

  it('base64url without padding round-trips', () => {
    const bytes = new Uint8Array([251, 255, 191, 0, 1]);
    expect(base64url(bytes)).toBe('-_-_AAE');
    expect([...fromBase64('-_-_AAE')]).toEqual([...bytes]);
  });
});

describe('detached JWS (sign.DetachedJws)', () => {
  it('ES256 over the canonical payload: header with alg, x5c and sigT, an empty payload part, an R||S signature that verifies', async () => {
    const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
    const payload = canonicalBytes({ resourceType: 'Consent', status: 'active' });
    const when = new Date('2026-12-07T01:02:03Z');
    const jws = await signDetached(payload, { algorithm: 'ES256', key: pair.privateKey, x5c: ['AAAA', 'BBBB'] }, when);
    const [header, empty, signature] = jws.split('.');
    expect(empty).toBe('');
    expect(JSON.parse(new TextDecoder().decode(fromBase64(header)))).toEqual({ alg: 'ES256', x5c: ['AAAA', 'BBBB'], sigT: '2026-12-07T01:02:03Z' });
    const raw = fromBase64(signature);
    expect(raw.length).toBe(64); // R || S, not DER
    const ok = await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, pair.publicKey, raw as BufferSource, signingInput(header, payload) as BufferSource);
    expect(ok).toBe(true);
    const changed = canonicalBytes({ resourceType: 'Consent', status: 'inactive' });
    expect(await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, pair.publicKey, raw as BufferSource, signingInput(header, changed) as BufferSource)).toBe(false);
  });

  it('writes the signing time as Java Instant reads it', () => {
    expect(instant(new Date('2026-12-07T01:02:03.000Z'))).toBe('2026-12-07T01:02:03Z');
    expect(instant(new Date('2026-12-07T01:02:03.450Z'))).toBe('2026-12-07T01:02:03.450Z');
  });
});
