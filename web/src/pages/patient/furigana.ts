import type { HumanName, Patient } from 'fhir/r4';

const REPRESENTATION = 'http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation';

/** One piece of a name with its reading, for <ruby>: 山田 over ヤマダ. */
export interface RubyPart {
  text: string;
  reading: string;
}

function isKana(name: HumanName): boolean {
  return name.extension?.some((e) => e.url === REPRESENTATION && e.valueCode === 'SYL') ?? false;
}

function parts(name: HumanName | undefined): string[] {
  if (!name) {
    return [];
  }
  const structured = [name.family, ...(name.given ?? [])].map((p) => p?.trim() ?? '').filter(Boolean);
  if (structured.length > 0) {
    return structured;
  }
  return (name.text ?? '').trim().split(/[\s\u3000]+/).filter(Boolean);
}

/**
 * The kanji name in pieces with the kana reading over each (JP Core: the SYL HumanName is the reading): family
 * over family, given over given. When the pieces do not pair up the whole name gets the whole reading; without a
 * reading the name stands alone.
 */
export function furigana(patient: Patient): RubyPart[] {
  const names = patient.name ?? [];
  const kana = names.find(isKana);
  const kanji = names.find((n) => !isKana(n) && n.use !== 'old') ?? names.find((n) => n !== kana);
  const written = parts(kanji);
  const reading = parts(kana);
  if (written.length === 0) {
    return reading.length > 0 ? [{ text: reading.join(' '), reading: '' }] : [];
  }
  if (written.length === reading.length) {
    return written.map((text, i) => ({ text, reading: reading[i] === text ? '' : reading[i] }));
  }
  return [{ text: written.join(' '), reading: reading.join(' ') }];
}
