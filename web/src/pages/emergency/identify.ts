import type { Parameters, Reference } from 'fhir/r4';
import { FhirError } from '../../fhir/errors';
import { parseInputDate } from '../../forms/dates';

/**
 * The crew names the patient (they may read no one before declaring): `POST Patient/$break-glass` with the full name in
 * kanji or kana and the birth date, and when two patients share them part of the address or the phone number
 * (docs/security.md, break-glass by name). The hub folds the name as its name search does; the app only tidies what
 * was typed so that the same words always go out.
 */
export interface Identity {
  name: string;
  /** as typed: 1938-05-12, 1938/5/12, 昭和13年5月12日, S13.5.12, full-width digits … */
  birthDate: string;
  address?: string;
  phone?: string;
}

export interface CheckedIdentity {
  name: string;
  /** FHIR date, YYYY-MM-DD */
  birthDate: string;
  address?: string;
  phone?: string;
}

export type IdentityErrors = Partial<Record<'name' | 'birthDate', string>>;

/**
 * A name as the hub will read it: full-width Latin and digits and half-width kana folded (NFKC), the full-width
 * space as a space, runs of spaces as one, trimmed. Kanji, hiragana and katakana are kept: the hub matches each.
 */
export function normalizeName(text: string): string {
  return text.normalize('NFKC').replace(/\s+/g, ' ').trim();
}

/** The fields checked before the reason is asked: a name with family and given name, a whole birth date not after today in Japan. */
export function checkIdentity(identity: Identity, today: Date = new Date()): { identity?: CheckedIdentity; errors: IdentityErrors } {
  const errors: IdentityErrors = {};
  const name = normalizeName(identity.name);
  if (!name) {
    errors.name = '氏名を入力してください（漢字またはカナ、姓と名）。';
  } else if (name.replace(/ /g, '').length < 2) {
    errors.name = '姓と名を続けて入力してください（例: 山田 花子、やまだ はなこ）。';
  }
  const birthDate = identity.birthDate.trim() ? parseInputDate(identity.birthDate) : null;
  if (!identity.birthDate.trim()) {
    errors.birthDate = '生年月日を入力してください（例: 1938年5月12日、昭和13年5月12日）。';
  } else if (!birthDate) {
    errors.birthDate = '生年月日を年・月・日まで正しく入力してください（例: 1938/5/12、S13.5.12）。';
  } else if (birthDate > new Date(today.getTime() + 9 * 3_600_000).toISOString().slice(0, 10)) {
    errors.birthDate = '生年月日が未来の日付になっています。';
  }
  if (errors.name || errors.birthDate || !birthDate) {
    return { errors };
  }
  const address = normalizeName(identity.address ?? '');
  const phone = (identity.phone ?? '').normalize('NFKC').replace(/[^0-9]/g, '');
  return { identity: { name, birthDate, ...(address ? { address } : {}), ...(phone ? { phone } : {}) }, errors };
}

/** The operation's input: who (name, birth date, address or phone when given), purpose ETREAT and the reason. */
export function breakGlassParameters(identity: CheckedIdentity, reason: string): Parameters {
  const parameter: NonNullable<Parameters['parameter']> = [
    { name: 'name', valueString: identity.name },
    { name: 'birthDate', valueDate: identity.birthDate },
  ];
  if (identity.address) parameter.push({ name: 'address', valueString: identity.address });
  if (identity.phone) parameter.push({ name: 'phone', valueString: identity.phone });
  parameter.push({ name: 'purpose', valueCode: 'ETREAT' }, { name: 'reason', valueString: reason.trim() });
  return { resourceType: 'Parameters', parameter };
}

export interface Grant {
  patientId: string;
  /** epoch milliseconds: when the hub ends the grant */
  until: number;
}

/** The hub's answer: `patient` (Patient/{id}) and `until` (an instant). */
export function grantOf(answer: Parameters): Grant {
  const patient = answer.parameter?.find((p) => p.name === 'patient')?.valueReference as Reference | undefined;
  const until = Date.parse(answer.parameter?.find((p) => p.name === 'until')?.valueInstant ?? '');
  const id = patient?.reference?.match(/^Patient\/([A-Za-z0-9\-.]{1,64})$/)?.[1];
  if (!id || Number.isNaN(until)) {
    throw new FhirError('unavailable', undefined, 'ハブの応答を読み取れませんでした。', 'もう一度宣言してください。', []);
  }
  return { patientId: id, until };
}

/** A failed declaration in the crew's words: what happened and what to do now (the generic texts do not fit here). */
export interface DeclarationProblem {
  title: string;
  action: string;
  /** the hub found several patients: ask for the address or phone */
  askForMore: boolean;
  /** the hub's own explanation, when it gave one */
  detail?: string;
}

export function declarationProblem(error: unknown): DeclarationProblem | undefined {
  if (!(error instanceof FhirError)) {
    return undefined;
  }
  const detail = error.issues.map((i) => i.diagnostics).find((d) => d) || undefined;
  switch (error.status) {
    case 404:
      return {
        title: '該当する患者が見つかりません。',
        action: '氏名（姓と名）と生年月日を確かめて、もう一度入力してください。閲覧は開始していません（この試みは記録されています）。',
        askForMore: false,
        detail,
      };
    case 409:
    case 412:
      return {
        title: '同じ氏名・生年月日の患者が複数います。',
        action: '住所の一部（例: 盛岡市高松）か電話番号を入力して、もう一度宣言してください。閲覧は開始していません。',
        askForMore: true,
        detail,
      };
    case 403:
      return {
        title: '緊急時アクセスを宣言できるのは救急隊と医師だけです。',
        action: '職種の設定が違う場合は管理者に連絡してください。',
        askForMore: false,
        detail,
      };
    case 400:
    case 422:
      return { title: '入力内容に誤りがあります。', action: '氏名・生年月日・理由を確かめて、もう一度宣言してください。', askForMore: false, detail };
    default:
      return undefined;
  }
}
