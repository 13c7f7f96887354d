import type { Bundle, Composition, CompositionSection, FhirResource, PractitionerRole, Reference } from 'fhir/r4';
import { textAnswer, type Answers } from './answers';
import { narrativeOf } from './builder';
import { CS, type DocumentDefinition, type FieldDef, type SectionDef } from './definition';

// 緊急時連絡票 (docs/profiles/emergency-sheet.md): the revision a home doctor makes of the patient's current sheet. The
// sheet is what a paramedic reads at 3 a.m., so the form edits each section's text (the narrative the PDF and the
// emergency view show) and keeps the section's entries (contacts, team, conditions … as recorded). The fields are
// the document forms' FieldDefs (textarea, role narrative), rendered by SectionForm; emergency-sheet.test.ts holds
// the definition to the profile. The revision is the same document's next version (PUT with If-Match), not a second
// sheet; the hub seals it with the author's organisation's seal (the app sends no signature).

const COMPOSITION = 'renkei-emergency-sheet';
export const SECTION_SYSTEM = `${CS}/emergency-sheet-section`;

const HELP: Record<string, string> = {
  'emergency-contacts': '電話をかける順に、続柄・氏名・電話番号（1行に1人）',
  'care-team': '在宅主治医・訪問看護・ケアマネジャー・薬局と、夜間の連絡先',
  conditions: '現在の病名と主な既往歴',
  medications: '薬剤名と用法。お薬手帳の置き場所も',
  allergies: 'なければ「なし」と書きます',
  wishes: '心肺蘇生・救急搬送・延命治療についての本人の意思（未確認ならそう書きます）',
  'devices-procedures': '在宅酸素、胃ろう、留置カテーテル、ペースメーカーなど',
  insurance: '医療保険と介護保険（要介護度）',
  'preferred-hospital': '搬送先の希望、在宅療養後方支援病院',
};

const SECTIONS: ReadonlyArray<{ code: string; title: string; min: 0 | 1 }> = [
  { code: 'emergency-contacts', title: '緊急連絡先（家族等）', min: 1 },
  { code: 'care-team', title: '在宅医療・介護の担当者', min: 1 },
  { code: 'conditions', title: '病名・既往歴', min: 1 },
  { code: 'medications', title: '服薬', min: 1 },
  { code: 'allergies', title: 'アレルギー・禁忌', min: 1 },
  { code: 'devices-procedures', title: '医療処置・医療機器', min: 0 },
  { code: 'insurance', title: '保険', min: 0 },
  { code: 'wishes', title: '本人の意思（蘇生・搬送）', min: 1 },
  { code: 'preferred-hospital', title: '搬送先希望・後方支援病院', min: 0 },
];

export const fieldIdOf = (code: string) => `sheet-${code}`;

function section(code: string, title: string, min: 0 | 1): SectionDef {
  const field: FieldDef = {
    id: fieldIdOf(code),
    label: title,
    help: HELP[code],
    type: 'textarea',
    // the profile wants the wishes in words (text 1..1); the other sections also carry their entries
    required: code === 'wishes',
    repeats: false,
    target: { profile: COMPOSITION, path: `Composition.section:${code}.text` },
    role: 'narrative',
  };
  return { code, title, min, fields: [field] };
}

export const EMERGENCY_SHEET_REVISION: DocumentDefinition = {
  kind: 'emergency-sheet',
  title: '緊急時連絡票',
  bundleProfile: 'renkei-emergency-sheet-bundle',
  compositionProfile: COMPOSITION,
  type: [{ system: `${CS}/care-document`, code: 'emergency-sheet', display: '緊急時連絡票' }],
  sectionSystem: SECTION_SYSTEM,
  fields: [],
  fixed: [
    { target: { profile: COMPOSITION, path: 'Composition.date' }, source: '改訂した日時' },
    { target: { profile: 'renkei-emergency-sheet-bundle', path: 'Bundle.timestamp' }, source: '改訂した日時' },
  ],
  sections: SECTIONS.map((s) => section(s.code, s.title, s.min)),
  steps: [{ id: 'sheet', label: '緊急時連絡票', description: '各欄の文章を直します。', sections: SECTIONS.map((s) => s.code) }],
};

const codeOf = (s: CompositionSection) => s.code?.coding?.find((c) => c.system === SECTION_SYSTEM)?.code;

/** The paragraphs of a narrative as lines of text (never its markup). */
export function narrativeLines(div: string | undefined): string {
  if (!div) {
    return '';
  }
  const body = new DOMParser().parseFromString(div, 'text/html').body;
  const blocks = [...body.querySelectorAll('p, li, tr, h1, h2, h3, h4, h5, h6')];
  const lines = blocks.length ? blocks.map((b) => b.textContent ?? '') : (body.textContent ?? '').split('\n');
  return lines.map((l) => l.replace(/\s+/g, ' ').trim()).filter(Boolean).join('\n');
}

export function compositionOf(sheet: Bundle): Composition | undefined {
  const first = sheet.entry?.[0]?.resource as FhirResource | undefined;
  return first?.resourceType === 'Composition' ? first : undefined;
}

/** The answers a revision starts from: each section's text as it is in the current sheet. */
export function sheetAnswers(sheet: Bundle): Answers {
  const answers: Answers = {};
  for (const s of compositionOf(sheet)?.section ?? []) {
    const code = codeOf(s);
    if (code) {
      answers[fieldIdOf(code)] = narrativeLines(s.text?.div);
    }
  }
  return answers;
}

/**
 * What the revision cannot leave empty, by field id: the wishes' text, and the text of a required section that has
 * no entries to stand for it (a section must say something, R4 cmp-1).
 */
export function missingSheetAnswers(sheet: Bundle, answers: Answers): Map<string, string> {
  const missing = new Map<string, string>();
  const sections = compositionOf(sheet)?.section ?? [];
  for (const def of EMERGENCY_SHEET_REVISION.sections) {
    const id = fieldIdOf(def.code);
    if (textAnswer(answers, id)) continue;
    const existing = sections.find((s) => codeOf(s) === def.code);
    if (def.fields[0].required || (def.min === 1 && !existing?.entry?.length && !existing?.emptyReason)) {
      missing.set(id, '入力してください（必須）。不明なときは「未確認」と書きます。');
    }
  }
  return missing;
}

/**
 * The next version of the sheet: each section's text from the answers (entries kept), optional sections added when
 * written and dropped when emptied with nothing else in them, the date and timestamp of the revision, and no
 * signature (the hub seals the new version). `id` and `meta.versionId` stay: the update names the version it revises.
 */
export function reviseSheet(
  sheet: Bundle & { id: string },
  answers: Answers,
  now: string,
  author?: { reference: Reference; resource: PractitionerRole },
): Bundle & { id: string } {
  const next = structuredClone(sheet);
  delete next.signature;
  next.timestamp = now;
  const composition = compositionOf(next);
  if (!composition) {
    throw new Error('the sheet has no Composition');
  }
  composition.date = now;
  addAuthor(next, composition, author);
  const old = composition.section ?? [];
  const sections: CompositionSection[] = [];
  for (const def of EMERGENCY_SHEET_REVISION.sections) {
    const text = textAnswer(answers, fieldIdOf(def.code));
    const existing = old.find((s) => codeOf(s) === def.code);
    if (existing) {
      const kept: CompositionSection = { ...existing };
      if (text) {
        kept.text = narrativeOf(text);
      } else {
        delete kept.text;
      }
      if (kept.text || kept.entry?.length || kept.emptyReason || def.min === 1) {
        sections.push(kept);
      }
    } else if (text) {
      sections.push({ title: def.title, code: { coding: [{ system: SECTION_SYSTEM, code: def.code, display: def.title }] }, text: narrativeOf(text) });
    }
  }
  // sections of codes this form does not know are kept as they were, after the known ones
  sections.push(...old.filter((s) => !EMERGENCY_SHEET_REVISION.sections.some((d) => d.code === codeOf(s))));
  composition.section = sections;
  return next;
}

/**
 * The reviser joins the sheet's authors (記入者), with their role as an entry of the document (a document carries what
 * it names), at the RESTful base of the Composition's fullUrl so `PractitionerRole/<id>` resolves inside the Bundle.
 * A sheet whose Composition has no RESTful fullUrl keeps its authors as they were.
 */
function addAuthor(sheet: Bundle, composition: Composition, author: { reference: Reference; resource: PractitionerRole } | undefined): void {
  const reference = author?.reference.reference;
  if (!author || !reference || composition.author?.some((a) => a.reference === reference)) {
    return;
  }
  const base = sheet.entry?.[0]?.fullUrl?.match(/^(https?:\/\/.+\/)Composition\/[^/]+$/)?.[1];
  if (!base) {
    return;
  }
  composition.author = [...(composition.author ?? []), author.reference];
  const fullUrl = `${base}${reference}`;
  if (!sheet.entry?.some((e) => e.fullUrl === fullUrl)) {
    const { meta: _meta, ...role } = author.resource;
    sheet.entry = [...(sheet.entry ?? []), { fullUrl, resource: role }];
  }
}
