// @vitest-environment node
// (jsdom hands PKI.js buffers of another realm; a browser has one realm, as Node has)
import * as pkijs from 'pkijs';
import { describe, expect, it } from 'vitest';
import { buildDirective, type DirectiveInput } from '../forms/advance-directive';
import { fromBase64, sha1Base64 } from './bytes';
import { canonicalBytes } from './canonicalJson';
import { signingInput } from './jws';
import { KeystoreError, openKeystore, orderChain } from './pkcs12';
import { witnessedDirective } from './witness';
import { PHYSICIAN_P12_BASE64 } from './testdata/physicianKeystore';

const P12 = fromBase64(PHYSICIAN_P12_BASE64);

async function publicKeyOf(x5c: string) {
  const certificate = pkijs.Certificate.fromBER(fromBase64(x5c) as BufferSource);
  return certificate.getPublicKey({ algorithm: { algorithm: { name: 'ECDSA', namedCurve: 'P-256' } as EcKeyImportParams, usages: ['verify'] } });
}

describe('openKeystore (PKCS#12 in the browser)', () => {
  it('opens the deployment CA’s keystore: the signer and the CA in order, the name, the FHIR identity, an ES256 key that cannot be exported', async () => {
    const identity = await openKeystore(P12, 'test-only');
    expect(identity.algorithm).toBe('ES256');
    expect(identity.name).toBe('伊藤 健一');
    expect(identity.identity).toBe('Practitioner/prac-physician-home');
    expect(identity.issuer).toBe('Test Renkei CA');
    expect(identity.x5c).toHaveLength(2);
    expect(identity.key.extractable).toBe(false);
    expect(identity.key.usages).toEqual(['sign']);
    expect(identity.notAfter.getTime()).toBeGreaterThan(identity.notBefore.getTime());
  });

  it('refuses a wrong password and a file that is not PKCS#12, in Japanese', async () => {
    await expect(openKeystore(P12, 'wrong')).rejects.toMatchObject({ reason: 'password' });
    await expect(openKeystore(P12, 'wrong')).rejects.toThrow(/パスワードが違います/);
    await expect(openKeystore(new TextEncoder().encode('%PDF-1.4 not a keystore'), 'x')).rejects.toBeInstanceOf(KeystoreError);
  });

  it('orders a chain signer first whatever the file’s order', () => {
    const ca = { subject: 'CA', issuer: 'CA' };
    const sub = { subject: 'Sub', issuer: 'CA' };
    const leaf = { subject: 'Leaf', issuer: 'Sub' };
    expect(orderChain([ca, leaf, sub])).toEqual([leaf, sub, ca]);
  });
});

describe('the witnessed directive', () => {
  const input = async (): Promise<DirectiveInput> => {
    const form = new TextEncoder().encode('%PDF-1.4 事前指示書（本人署名済み）');
    return {
      answers: { 'expressed-on': '2026-12-01', 'treatment-cpr': 'deny', 'treatment-hospital-transport': 'permit', place: 'home', 'place-note': '' },
      patient: { reference: 'Patient/pat-yamada', label: '山田 花子' },
      performer: { reference: 'Patient/pat-yamada', label: '山田 花子' },
      proxies: [{ reference: 'RelatedPerson/rp-yamada-daughter', label: '山田 美穂' }],
      form: { contentType: 'application/pdf', data: btoa(String.fromCharCode(...form)), hash: await sha1Base64(form), size: form.length, title: '事前指示書（署名済み原本）' },
    };
  };

  it('is a transaction of the Consent and a Provenance whose Consent Witness signature verifies over the Consent’s canonical form with the certificate’s key', async () => {
    const identity = await openKeystore(P12, 'test-only');
    const consent = buildDirective(await input());
    const tx = await witnessedDirective(consent, identity, new Date('2026-12-07T00:00:00Z'), ['c-1', 'p-1']);
    expect(tx.type).toBe('transaction');
    const [c, p] = tx.entry!;
    expect(c.fullUrl).toBe('urn:uuid:c-1');
    expect(c.request).toEqual({ method: 'POST', url: 'Consent' });
    const provenance = p.resource as import('fhir/r4').Provenance;
    expect(provenance.target).toEqual([{ reference: 'urn:uuid:c-1' }]);
    expect(provenance.agent?.[0].who).toEqual({ reference: 'Practitioner/prac-physician-home', display: '伊藤 健一' });
    const signature = provenance.signature![0];
    expect(signature.type[0]).toMatchObject({ system: 'urn:iso-astm:E1762-95:2013', code: '1.2.840.10065.1.12.1.11' });
    expect(signature.sigFormat).toBe('application/jose');
    const jws = atob(signature.data!);
    const [header, , sig] = jws.split('.');
    expect(JSON.parse(new TextDecoder().decode(fromBase64(header)))).toMatchObject({ alg: 'ES256', sigT: '2026-12-07T00:00:00Z', x5c: identity.x5c });
    const key = await publicKeyOf(identity.x5c[0]);
    const payload = canonicalBytes(c.resource!);
    expect(await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, fromBase64(sig) as BufferSource, signingInput(header, payload) as BufferSource)).toBe(true);
    // the empty place note is not sent: HAPI would not encode it back, and the signature would not match
    expect(JSON.stringify(c.resource)).not.toContain('"text":""');
  });
});
