import type { SigningIdentity } from '../../sign/pkcs12';

// What the directive page checks before anything is signed, each answer in Japanese with what to do.

/** The scanned form is stored inside the directive: a few pages of PDF or a photo (the hub takes 10 MB per request). */
export const MAX_FORM_BYTES = 5 * 1024 * 1024;
export const FORM_TYPES = ['application/pdf', 'image/jpeg', 'image/png'] as const;

export function signedFormProblem(contentType: string, size: number): string | undefined {
  if (!(FORM_TYPES as readonly string[]).includes(contentType)) {
    return 'PDF・JPEG・PNG のファイルを選んでください（スキャナーやスマートフォンで読み取った書面）。';
  }
  if (size === 0) {
    return 'ファイルが空です。読み取り直したファイルを選んでください。';
  }
  if (size > MAX_FORM_BYTES) {
    return `ファイルが大きすぎます（${(size / 1024 / 1024).toFixed(1)}MB）。解像度を下げて読み取るか、PDFを圧縮して${MAX_FORM_BYTES / 1024 / 1024}MB以下にしてください。`;
  }
  return undefined;
}

/**
 * The witness is the signed-in physician: a certificate naming someone else, or not valid now, is refused here
 * (the hub would refuse it too, after the doctor had waited for it).
 */
export function witnessProblem(identity: Pick<SigningIdentity, 'identity' | 'name' | 'notBefore' | 'notAfter'>, practitioner: string | undefined, now: Date): string | undefined {
  if (practitioner && identity.identity && identity.identity !== practitioner) {
    return `この証明書は ${identity.name}（${identity.identity}）のものです。サインイン中のあなた自身の証明書を選んでください。`;
  }
  if (now < identity.notBefore) {
    return 'この証明書はまだ有効になっていません。端末の時計を確かめてください。';
  }
  if (now > identity.notAfter) {
    return 'この証明書は有効期限が切れています。管理者に新しい証明書を発行してもらってください。';
  }
  return undefined;
}
