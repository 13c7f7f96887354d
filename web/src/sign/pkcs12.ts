import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { base64 } from './bytes';
import type { JwsAlgorithm, JwsSigner } from './jws';

// The physician's own signing key, read in the browser from the PKCS#12 file the deployment CA issued
// (`deploy/pki.sh practitioner`, docs/signatures.md) or any HPKI-style keystore: PKI.js opens the file with its
// password (PBES2/AES and the SHA-256 MAC that Java and OpenSSL write; the MAC proves the password), and the key is
// imported into WebCrypto as non-extractable, so it can sign but cannot be read out, sent or stored. Nothing of the
// file or the password leaves the page; both are dropped with the page's memory.

const EC_PUBLIC_KEY = '1.2.840.10045.2.1';
const RSA_ENCRYPTION = '1.2.840.113549.1.1.1';
const PKCS8_SHROUDED_KEY_BAG = '1.2.840.113549.1.12.10.1.2';
const KEY_BAG = '1.2.840.113549.1.12.10.1.1';
const CERT_BAG = '1.2.840.113549.1.12.10.1.3';
const COMMON_NAME = '2.5.4.3';
const SUBJECT_ALT_NAME = '2.5.29.17';
const P256 = '1.2.840.10045.3.1.7';

/** What the app shows of the certificate and what it signs with. */
export interface SigningIdentity extends JwsSigner {
  /** the certificate's common name (氏名) */
  name: string;
  /** the FHIR identity the certificate names (URI SAN urn:renkei:Practitioner/<id>), e.g. Practitioner/prac-x */
  identity?: string;
  notBefore: Date;
  notAfter: Date;
  /** the issuer's common name */
  issuer: string;
}

/** Why a keystore cannot be used, in Japanese with what to do. */
export class KeystoreError extends Error {
  constructor(
    message: string,
    readonly reason: 'password' | 'format' | 'no-key' | 'algorithm',
  ) {
    super(message);
  }
}

function commonName(name: pkijs.RelativeDistinguishedNames): string {
  const cn = name.typesAndValues.find((t) => t.type === COMMON_NAME);
  return cn ? String(cn.value.valueBlock.value) : '';
}

function identityOf(certificate: pkijs.Certificate): string | undefined {
  const san = certificate.extensions?.find((e) => e.extnID === SUBJECT_ALT_NAME)?.parsedValue as pkijs.AltName | undefined;
  const uri = san?.altNames.find((n) => n.type === 6 && typeof n.value === 'string' && String(n.value).startsWith('urn:renkei:'));
  return uri ? String(uri.value).slice('urn:renkei:'.length) : undefined;
}

const der = (bytes: ArrayBuffer | Uint8Array) => (bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes));

/** The signer's certificate first, then each issuer found in the file. */
export function orderChain<T extends { subject: string; issuer: string }>(certificates: readonly T[]): T[] {
  const issuesAnother = (c: T) => certificates.some((o) => o !== c && o.issuer === c.subject);
  let current: T | undefined = certificates.find((c) => !issuesAnother(c)) ?? certificates[0];
  const chain: T[] = [];
  while (current && !chain.includes(current)) {
    chain.push(current);
    const issuer: string = current.issuer;
    current = current.subject === issuer ? undefined : certificates.find((c) => c.subject === issuer);
  }
  return chain;
}

/** Opens a PKCS#12 file with its password: the signing key (non-extractable) and its certificate chain. */
export async function openKeystore(file: Uint8Array, password: string): Promise<SigningIdentity> {
  const passwordBytes = new TextEncoder().encode(password).buffer as ArrayBuffer;
  let pfx: pkijs.PFX;
  try {
    pfx = pkijs.PFX.fromBER(file as BufferSource);
  } catch {
    throw new KeystoreError('証明書ファイルを読み込めません。発行された .p12 ファイル（PKCS#12）を選んでください。', 'format');
  }
  try {
    await pfx.parseInternalValues({ password: passwordBytes, checkIntegrity: true });
  } catch {
    throw new KeystoreError('証明書のパスワードが違います（または証明書ファイルが壊れています）。パスワードを確かめて、もう一度入力してください。', 'password');
  }
  const safe = pfx.parsedValue?.authenticatedSafe;
  if (!safe) {
    throw new KeystoreError('証明書ファイルを読み込めません。発行された .p12 ファイル（PKCS#12）を選んでください。', 'format');
  }
  try {
    await safe.parseInternalValues({ safeContents: safe.safeContents.map(() => ({ password: passwordBytes })) });
  } catch {
    throw new KeystoreError('証明書のパスワードが違います。パスワードを確かめて、もう一度入力してください。', 'password');
  }
  let keyInfo: pkijs.PrivateKeyInfo | undefined;
  const certificates: Array<{ subject: string; issuer: string; certificate: pkijs.Certificate; der: Uint8Array }> = [];
  for (const content of safe.parsedValue?.safeContents ?? []) {
    for (const bag of content.value.safeBags) {
      if (bag.bagId === PKCS8_SHROUDED_KEY_BAG) {
        const shrouded = bag.bagValue as pkijs.PKCS8ShroudedKeyBag;
        // declared protected in the typings; it is how PKI.js decrypts a shrouded key
        await (shrouded as unknown as { parseInternalValues(p: { password: ArrayBuffer }): Promise<void> }).parseInternalValues({
          password: passwordBytes,
        });
        keyInfo ??= shrouded.parsedValue;
      } else if (bag.bagId === KEY_BAG) {
        keyInfo ??= bag.bagValue as unknown as pkijs.PrivateKeyInfo;
      } else if (bag.bagId === CERT_BAG) {
        const certBag = bag.bagValue as pkijs.CertBag;
        if (certBag.parsedValue instanceof pkijs.Certificate) {
          const certificate = certBag.parsedValue;
          const raw = (certBag.certValue as asn1js.OctetString).valueBlock.valueHexView;
          certificates.push({
            subject: certificate.subject.toString(),
            issuer: certificate.issuer.toString(),
            certificate,
            der: der(raw),
          });
        }
      }
    }
  }
  if (!keyInfo || certificates.length === 0) {
    throw new KeystoreError('この証明書ファイルには署名用の鍵が入っていません。署名用に発行された .p12 ファイルを選んでください。', 'no-key');
  }
  const chain = orderChain(certificates);
  const algorithmId = keyInfo.privateKeyAlgorithm.algorithmId;
  let algorithm: JwsAlgorithm;
  let importParams: EcKeyImportParams | RsaHashedImportParams;
  if (algorithmId === EC_PUBLIC_KEY) {
    const curve = keyInfo.privateKeyAlgorithm.algorithmParams;
    if (curve instanceof asn1js.ObjectIdentifier && curve.valueBlock.toString() !== P256) {
      throw new KeystoreError('この証明書の鍵（P-256 以外の楕円曲線）では署名できません。管理者に P-256 の証明書を発行してもらってください。', 'algorithm');
    }
    algorithm = 'ES256';
    importParams = { name: 'ECDSA', namedCurve: 'P-256' };
  } else if (algorithmId === RSA_ENCRYPTION) {
    algorithm = 'RS256';
    importParams = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  } else {
    throw new KeystoreError('この証明書の鍵の種類には対応していません（ECDSA P-256 または RSA）。', 'algorithm');
  }
  let key: CryptoKey;
  try {
    const pkcs8 = keyInfo.toSchema().toBER(false);
    key = await crypto.subtle.importKey('pkcs8', pkcs8, importParams, false, ['sign']);
  } catch {
    throw new KeystoreError('証明書の鍵を読み込めませんでした。発行された .p12 ファイルか確かめてください。', 'algorithm');
  }
  const signer = chain[0].certificate;
  return {
    algorithm,
    key,
    x5c: chain.map((c) => base64(c.der)),
    name: commonName(signer.subject),
    identity: identityOf(signer),
    notBefore: signer.notBefore.value,
    notAfter: signer.notAfter.value,
    issuer: commonName(signer.issuer),
  };
}
