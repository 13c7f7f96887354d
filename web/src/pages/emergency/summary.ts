import type {
  AllergyIntolerance,
  Bundle,
  Composition,
  CompositionSection,
  Consent,
  ConsentProvision,
  ContactPoint,
  DocumentReference,
  FhirResource,
  MedicationStatement,
  Organization,
  Patient,
  Practitioner,
  PractitionerRole,
  RelatedPerson,
} from 'fhir/r4';
import { FhirError } from '../../fhir/errors';
import { patientNames } from '../../fhir/names';

// The emergency summary (GET Patient/{id}/$emergency-summary, docs/security.md) as the crew reads it at 3 a.m.:
// the patient's wishes first (DNAR, transport, treatments), then whom to call, then medications and allergies.

const CARE_DOCUMENT = 'http://renkei.example.jp/fhir/CodeSystem/care-document';
const CONSENT_SCOPE = 'http://terminology.hl7.org/CodeSystem/consentscope';
const SHEET_SECTION = 'http://renkei.example.jp/fhir/CodeSystem/emergency-sheet-section';
const TREATMENT = 'http://renkei.example.jp/fhir/CodeSystem/life-sustaining-treatment';
const END_OF_LIFE_PLACE = 'http://renkei.example.jp/fhir/StructureDefinition/end-of-life-place';

/** The order of the screen, top to bottom. */
export const SECTION_ORDER = ['wishes', 'contacts', 'medications', 'allergies', 'more'] as const;
export type SectionKey = (typeof SECTION_ORDER)[number];
export const SECTION_TITLES: Record<SectionKey, string> = {
  wishes: '本人の意思（蘇生・搬送・治療）',
  contacts: '連絡先',
  medications: '服薬',
  allergies: 'アレルギー・禁忌',
  more: 'その他の情報（緊急時連絡票）',
};

export interface Phone {
  /** as written: 090-0000-0001 */
  number: string;
  /** tel:09000000001 */
  href: string;
  /** 携帯, 自宅, 勤務先, 夜間 … */
  label?: string;
}

export interface Contact {
  /** 在宅主治医, 訪問看護, 長女（キーパーソン） … */
  role: string;
  /** person and/or organisation */
  name: string;
  phones: Phone[];
}

export interface Treatment {
  label: string;
  wanted: boolean;
}

export interface Wishes {
  /** DNAR（心肺蘇生を希望しない）, 心肺蘇生を希望する, or nothing recorded */
  cpr: 'dnar' | 'full' | 'unknown';
  /** 救急搬送 (life-sustaining-treatment#hospital-transport): to hospital by ambulance, or kept at home */
  transport: 'wanted' | 'refused' | 'unknown';
  treatments: Treatment[];
  /** 自宅 — 住み慣れた自宅で最期まで過ごしたい */
  endOfLifePlace?: string;
  /** the emergency sheet's own words on resuscitation and transport (本人の意思（蘇生・搬送）) */
  statements: string[];
  /** 搬送先希望・後方支援病院 */
  preferredHospital: string[];
  /** 代理意思決定者 */
  proxy?: string;
  /** when the directive was made: 2026-10-15 */
  recorded?: string;
  /** whether there is an advance directive the crew may read at all */
  hasDirective: boolean;
}

export interface LineItem {
  title: string;
  detail?: string;
  /** 重篤 for an allergy of high criticality */
  severe?: boolean;
}

export interface EmergencyView {
  patient: Patient;
  name: string;
  kana: string;
  wishes: Wishes;
  contacts: Contact[];
  /** the sheet's care-team and contact lines when its entries could not be read as contacts */
  contactLines: string[];
  medications: LineItem[];
  medicationLines: string[];
  allergies: LineItem[];
  allergyLines: string[];
  /** other sections of the sheet: 病名・既往歴, 医療処置・医療機器, 保険 */
  more: Array<{ title: string; lines: string[] }>;
  /** 緊急時連絡票 (date) or that there is none */
  sheetDate?: string;
  hasSheet: boolean;
}

function codes(concepts: Array<{ coding?: Array<{ system?: string; code?: string }> } | undefined>, system: string): string[] {
  return concepts.flatMap((c) => c?.coding ?? []).filter((c) => c.system === system).map((c) => c.code ?? '');
}

function text(concept: { text?: string; coding?: Array<{ display?: string; code?: string }> } | undefined): string {
  return concept?.text ?? concept?.coding?.find((c) => c.display)?.display ?? concept?.coding?.[0]?.code ?? '';
}

/**
 * The lines of a narrative, never its markup: each paragraph, list item or line break a line (no HTML of a record is
 * put into the page).
 */
export function narrativeLines(div: string | undefined): string[] {
  if (!div) {
    return [];
  }
  const marked = div.replace(/<\/(p|li|div|tr|h\d)>|<br\s*\/?>/gi, (m) => `${m}\n`);
  const body = new DOMParser().parseFromString(marked, 'text/html').body.textContent ?? '';
  return body
    .split('\n')
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .filter((line) => line);
}

/** tel: of a Japanese number as written (019-000-2000, ０９０(0000)0001, +81 …): its digits and a leading +. */
export function telHref(number: string): string {
  const folded = number.normalize('NFKC').trim();
  return 'tel:' + (folded.startsWith('+') ? '+' : '') + folded.replace(/[^0-9]/g, '');
}

// half- or full-width digits, hyphens and brackets, as sheets are typed
const PHONE_IN_TEXT = /(?:[+＋]81[-－\s]?)?[0０][0-9０-９]{1,4}[-‐－−(（\s]?[0-9０-９]{1,4}[-‐－−)）\s]?[0-9０-９]{3,4}/g;

/** A line of text cut into words and phone numbers, so that each number can be a tel: link; the words stay as written. */
export function withPhoneLinks(line: string): Array<string | Phone> {
  const parts: Array<string | Phone> = [];
  let last = 0;
  for (const match of line.matchAll(PHONE_IN_TEXT)) {
    const digits = match[0].normalize('NFKC').replace(/[^0-9]/g, '');
    if (digits.length < 10 || digits.length > 12) {
      continue;
    }
    const at = match.index ?? 0;
    if (at > last) parts.push(line.slice(last, at));
    parts.push({ number: match[0], href: telHref(match[0]) });
    last = at + match[0].length;
  }
  if (last < line.length) parts.push(line.slice(last));
  return parts;
}

const PHONE_USE: Record<string, string> = { mobile: '携帯', home: '自宅', work: '勤務先', temp: '一時' };

function phones(telecom: ContactPoint[] | undefined): Phone[] {
  return (telecom ?? [])
    .filter((t) => t.system === 'phone' && t.value)
    .sort((a, b) => (a.rank ?? 99) - (b.rank ?? 99))
    .map((t) => ({ number: t.value!, href: telHref(t.value!), ...(t.use && PHONE_USE[t.use] ? { label: PHONE_USE[t.use] } : {}) }));
}

function personName(person: { name?: Array<{ text?: string; family?: string; given?: string[]; extension?: Array<{ valueCode?: string }> }> } | undefined): string {
  const names = person?.name ?? [];
  const written = names.find((n) => !n.extension?.some((e) => e.valueCode === 'SYL')) ?? names[0];
  return written?.text ?? [written?.family, ...(written?.given ?? [])].filter((p) => p).join(' ');
}

/** A document's records by the references its sections use (`Type/id`, or the entry's fullUrl). */
function resolver(document: Bundle | undefined): (reference: string | undefined) => FhirResource | undefined {
  const byReference = new Map<string, FhirResource>();
  for (const entry of document?.entry ?? []) {
    const resource = entry.resource as FhirResource | undefined;
    if (!resource) continue;
    if (resource.id) byReference.set(`${resource.resourceType}/${resource.id}`, resource);
    if (entry.fullUrl) byReference.set(entry.fullUrl, resource);
  }
  return (reference) => (reference ? byReference.get(reference) ?? byReference.get(reference.replace(/^.*\/([A-Z][A-Za-z]+\/[^/]+)$/, '$1')) : undefined);
}

function contactOf(resource: FhirResource | undefined, resolve: ReturnType<typeof resolver>): Contact | undefined {
  if (resource?.resourceType === 'RelatedPerson') {
    const person = resource as RelatedPerson;
    return { role: text(person.relationship?.[0]) || '家族', name: personName(person), phones: phones(person.telecom) };
  }
  if (resource?.resourceType === 'PractitionerRole') {
    const role = resource as PractitionerRole;
    const organization = resolve(role.organization?.reference) as Organization | undefined;
    const practitioner = resolve(role.practitioner?.reference) as Practitioner | undefined;
    const name = [organization?.name ?? role.organization?.display, practitioner ? personName(practitioner) : role.practitioner?.display]
      .filter((p) => p)
      .join(' ');
    const own = phones(role.telecom);
    return { role: text(role.code?.[0]) || '担当者', name, phones: own.length ? own : phones(organization?.telecom) };
  }
  if (resource?.resourceType === 'Organization') {
    const organization = resource as Organization;
    return { role: text(organization.type?.[0]) || '事業所', name: organization.name ?? '', phones: phones(organization.telecom) };
  }
  return undefined;
}

function sheetComposition(sheet: FhirResource | undefined): { composition?: Composition; document?: Bundle } {
  if (sheet?.resourceType === 'Composition') {
    return { composition: sheet };
  }
  if (sheet?.resourceType === 'Bundle' && sheet.entry?.[0]?.resource?.resourceType === 'Composition') {
    return { composition: sheet.entry[0].resource as Composition, document: sheet };
  }
  return {};
}

function kindOf(resource: FhirResource): string | undefined {
  if (resource.resourceType === 'Bundle') {
    const first = resource.entry?.[0]?.resource as FhirResource | undefined;
    return resource.type === 'document' && first?.resourceType === 'Composition' ? codes([first.type], CARE_DOCUMENT)[0] : undefined;
  }
  if (resource.resourceType === 'Composition' || resource.resourceType === 'DocumentReference') {
    return codes([resource.type], CARE_DOCUMENT)[0];
  }
  return undefined;
}

function isDirective(resource: FhirResource): resource is Consent {
  return resource.resourceType === 'Consent' && codes([resource.scope], CONSENT_SCOPE).includes('adr');
}

/** The wishes an advance directive records: each life-sustaining treatment permitted or refused, and CPR above all. */
export function wishesOf(
  directive: Consent | undefined,
): Pick<Wishes, 'cpr' | 'transport' | 'treatments' | 'endOfLifePlace' | 'proxy' | 'recorded'> {
  const treatments: Treatment[] = [];
  let cpr: Wishes['cpr'] = 'unknown';
  let transport: Wishes['transport'] = 'unknown';
  const visit = (provision: ConsentProvision | undefined) => {
    for (const inner of provision?.provision ?? []) {
      for (const concept of inner.code ?? []) {
        for (const coding of concept.coding ?? []) {
          if (coding.system !== TREATMENT) continue;
          const wanted = inner.type === 'permit';
          if (coding.code === 'cpr') {
            cpr = wanted ? 'full' : 'dnar';
          } else if (coding.code === 'hospital-transport') {
            transport = wanted ? 'wanted' : 'refused';
          } else {
            treatments.push({ label: coding.display ?? concept.text ?? coding.code ?? '', wanted });
          }
        }
      }
      visit(inner);
    }
  };
  visit(directive?.provision);
  const place = directive?.extension?.find((e) => e.url === END_OF_LIFE_PLACE)?.valueCodeableConcept;
  const placeLabel = place ? [place.coding?.[0]?.display, place.text].filter((p) => p).join(' — ') : undefined;
  const proxy = directive?.provision?.actor?.find((a) => a.reference?.display || a.reference?.reference)?.reference?.display;
  return {
    cpr,
    transport,
    treatments,
    ...(placeLabel ? { endOfLifePlace: placeLabel } : {}),
    ...(proxy ? { proxy } : {}),
    ...(directive?.dateTime ? { recorded: directive.dateTime } : {}),
  };
}

function sectionCode(section: CompositionSection): string | undefined {
  return codes([section.code], SHEET_SECTION)[0];
}

function medicationItem(statement: MedicationStatement): LineItem {
  const dosage = statement.dosage?.map((d) => d.text).filter((t) => t).join('、');
  return { title: text(statement.medicationCodeableConcept) || statement.medicationReference?.display || '（薬剤名なし）', ...(dosage ? { detail: dosage } : {}) };
}

function allergyItem(allergy: AllergyIntolerance): LineItem {
  const reactions = (allergy.reaction ?? []).flatMap((r) => r.manifestation.map((m) => text(m))).filter((t) => t).join('、');
  return {
    title: text(allergy.code) || '（物質名なし）',
    ...(reactions ? { detail: reactions } : {}),
    ...(allergy.criticality === 'high' ? { severe: true } : {}),
  };
}

/**
 * The summary's records as the screen shows them. The hub's own records (the current advance directive, active
 * MedicationStatements, allergies) come first; the emergency sheet's document fills in what they lack (its directive,
 * its contacts with their phones, its medication and allergy sections).
 */
export function emergencyView(bundle: Bundle): EmergencyView {
  const resources = (bundle.entry ?? []).map((e) => e.resource as FhirResource | undefined).filter((r): r is FhirResource => !!r);
  const patient = resources.find((r): r is Patient => r.resourceType === 'Patient');
  if (!patient) {
    throw new FhirError('not-found', 404, '患者の情報を読めませんでした。', '緊急時アクセスの期限が切れた可能性があります。もう一度宣言してください。', []);
  }
  const sheet = resources.find((r) => kindOf(r) === 'emergency-sheet' && r.resourceType !== 'DocumentReference');
  const scannedSheet = resources.find((r): r is DocumentReference => r.resourceType === 'DocumentReference' && kindOf(r) === 'emergency-sheet');
  const { composition, document } = sheetComposition(sheet);
  const resolve = resolver(document);
  const sections = composition?.section ?? [];
  const section = (code: string) => sections.find((s) => sectionCode(s) === code);
  const lines = (code: string) => narrativeLines(section(code)?.text?.div);

  const directive =
    resources.find(isDirective) ??
    (section('wishes')?.entry ?? []).map((e) => resolve(e.reference)).find((r): r is Consent => !!r && isDirective(r));
  const contacts = ['emergency-contacts', 'care-team']
    .flatMap((code) => (section(code)?.entry ?? []).map((e) => contactOf(resolve(e.reference), resolve)))
    .filter((c): c is Contact => !!c && (c.phones.length > 0 || !!c.name));
  const medications = resources.filter((r): r is MedicationStatement => r.resourceType === 'MedicationStatement').map(medicationItem);
  const allergies = resources.filter((r): r is AllergyIntolerance => r.resourceType === 'AllergyIntolerance').map(allergyItem);
  const { name, kana } = patientNames(patient);
  const more = ['conditions', 'devices-procedures', 'insurance']
    .map((code) => ({ title: section(code)?.title ?? '', lines: lines(code) }))
    .filter((s) => s.title && s.lines.length);
  return {
    patient,
    name,
    kana,
    wishes: {
      ...wishesOf(directive),
      statements: lines('wishes'),
      preferredHospital: lines('preferred-hospital'),
      hasDirective: !!directive || resources.some((r) => kindOf(r) === 'advance-directive'),
    },
    contacts,
    contactLines: contacts.length ? [] : [...lines('emergency-contacts'), ...lines('care-team')],
    medications,
    medicationLines: medications.length ? [] : lines('medications'),
    allergies,
    allergyLines: allergies.length ? [] : lines('allergies'),
    more,
    ...(composition?.date ? { sheetDate: composition.date } : scannedSheet?.date ? { sheetDate: scannedSheet.date } : {}),
    hasSheet: !!sheet || !!scannedSheet,
  };
}

/** The DNAR line in the crew's words. */
export function cprLabel(cpr: Wishes['cpr']): string {
  switch (cpr) {
    case 'dnar':
      return 'DNAR — 心肺蘇生を希望しない';
    case 'full':
      return '心肺蘇生を希望する';
    default:
      return '心肺蘇生についての意思は登録されていません';
  }
}

/** The transport line in the crew's words, or nothing when the directive does not say (the sheet's words may). */
export function transportLabel(transport: Wishes['transport']): string | undefined {
  switch (transport) {
    case 'wanted':
      return '救急搬送を希望する';
    case 'refused':
      return '救急搬送を希望しない（在宅での看取りを希望）';
    default:
      return undefined;
  }
}
