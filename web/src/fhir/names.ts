import type { HumanName, Patient } from 'fhir/r4';

const REPRESENTATION = 'http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation';

/** JP Core marks the kana reading as a second HumanName with the representation SYL; the kanji one has none (or IDE). */
function representation(name: HumanName): string | undefined {
  return name.extension?.find((e) => e.url === REPRESENTATION)?.valueCode;
}

function written(name: HumanName | undefined): string {
  if (!name) {
    return '';
  }
  if (name.text?.trim()) {
    return name.text.trim();
  }
  return [name.family, ...(name.given ?? [])].filter((part) => part && part.trim()).join(' ');
}

/** 氏名 (kanji) and フリガナ (the SYL name) of a patient, family name first. */
export function patientNames(patient: Patient): { name: string; kana: string } {
  const names = patient.name ?? [];
  const kana = names.find((n) => representation(n) === 'SYL');
  const kanji = names.find((n) => representation(n) !== 'SYL' && n.use !== 'old') ?? names.find((n) => n !== kana);
  return { name: written(kanji) || written(kana) || '（氏名なし）', kana: written(kana) };
}

const GENDER: Record<string, string> = { male: '男性', female: '女性', other: 'その他', unknown: '不明' };

export function genderLabel(gender: string | undefined): string {
  return gender ? (GENDER[gender] ?? gender) : '';
}

/** A birth date as the forms write it: 1940年4月1日（昭和15年）, and the age on {@code today}. */
export function birthDateLabel(birthDate: string | undefined, today: Date = new Date()): string {
  const match = birthDate?.match(/^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$/);
  if (!match) {
    return '';
  }
  const [year, month, day] = [Number(match[1]), match[2] ? Number(match[2]) : undefined, match[3] ? Number(match[3]) : undefined];
  const date = new Date(Date.UTC(year, (month ?? 1) - 1, day ?? 1));
  const era = new Intl.DateTimeFormat('ja-JP-u-ca-japanese', { era: 'long', year: 'numeric', timeZone: 'UTC' }).format(date);
  const western = `${year}年` + (month ? `${month}月` : '') + (day ? `${day}日` : '');
  let label = `${western}（${era}）`;
  if (month && day) {
    const age = today.getFullYear() - year - (today.getMonth() + 1 < month || (today.getMonth() + 1 === month && today.getDate() < day) ? 1 : 0);
    label += ` ${age}歳`;
  }
  return label;
}
