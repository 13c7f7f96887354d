import type { Bundle, Consent } from 'fhir/r4';
import { directiveTransaction, witnessSignature } from '../forms/advance-directive';
import type { FhirError } from '../fhir/errors';
import { canonicalBytes, prune } from './canonicalJson';
import { instant, signDetached, type JwsSigner } from './jws';

// The witnessing physician signs the directive in the browser: the Consent exactly as it is sent (pruned as HAPI
// encodes it back), canonicalised as the hub does, signed with the physician's key, and sent in one transaction with
// the Provenance that carries the signature. Nothing is stored unless the hub accepts the signature.

export interface Witness extends JwsSigner {
  name: string;
  identity?: string;
}

export async function witnessedDirective(consent: Consent, witness: Witness, now: Date, uuids: [string, string]): Promise<Bundle> {
  const signed = prune(consent);
  const jws = await signDetached(canonicalBytes(signed), witness, now);
  return directiveTransaction(signed, witnessSignature(jws, witness, instant(now)), uuids);
}

/** The hub's refusal of a signature ([REASON] in its diagnostics, docs/signatures.md) in Japanese with what to do. */
export function signatureProblem(error: FhirError): string | undefined {
  const text = error.issues.map((i) => i.diagnostics ?? '').join(' ');
  const reason = text.match(/\[(PROFESSION|CONTENT_CHANGED|EXPIRED|REVOKED|UNTRUSTED|MALFORMED|MISSING)\]/)?.[1];
  switch (reason) {
    case 'PROFESSION':
      return 'この証明書には医師の資格（hcRole）がありません。立会人は医師です。ご自身の医師の証明書で署名してください。';
    case 'EXPIRED':
      return '証明書の有効期限が切れています（または署名の時刻が有効期間外です）。端末の時計を確かめ、期限切れなら管理者に証明書を発行し直してもらってください。';
    case 'REVOKED':
      return 'この証明書は失効しています。管理者に新しい証明書を発行してもらってください。';
    case 'UNTRUSTED':
      return 'この証明書はハブが信頼する認証局が発行したものではありません。連携ハブの管理者が発行した証明書（.p12）を選んでください。';
    case 'CONTENT_CHANGED':
      return '署名した内容とハブが受け取った内容が一致しませんでした。もう一度「署名して保存」を押してください。繰り返すときは管理者に連絡してください。';
    case 'MALFORMED':
    case 'MISSING':
      return '署名の形式をハブが受け付けませんでした。もう一度署名してください。繰り返すときは管理者に連絡してください。';
    default:
      return undefined;
  }
}
