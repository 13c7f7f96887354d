import type { Bundle, BundleEntry, CodeableConcept, Coding, Observation, Reference } from 'fhir/r4';
import { parseNumber, type VitalsTyped } from './ranges';

/**
 * A home visit's vital signs and note as ONE FHIR transaction (docs/web-app.md, 訪問記録の入力): standard R4
 * vital-signs Observations (LOINC, UCUM), daily-living ones with the hub's care-observation codes, the note as a LOINC
 * "Note", each entry a conditional create on its own `urn:uuid` identifier, so a resend stores nothing twice.
 * Pure: the ids and the time are given; sending is `useSendVisit`.
 */

export const LOINC = 'http://loinc.org';
export const UCUM = 'http://unitsofmeasure.org';
export const URI = 'urn:ietf:rfc:3986';
export const OBSERVATION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
export const CARE_TOPIC = 'http://renkei.example.jp/fhir/CodeSystem/care-topic';
export const CARE_OBSERVATION = 'http://renkei.example.jp/fhir/CodeSystem/care-observation';
export const JCS = 'http://renkei.example.jp/fhir/CodeSystem/jcs';
/** Observation.interpretation of an observation its author found different from the patient's usual (docs/profiles.md). */
export const OBSERVATION_FLAG = 'http://renkei.example.jp/fhir/CodeSystem/observation-flag';
export const UNUSUAL = 'unusual';

/** The items of a visit, in the form's order; each is one Observation (blood pressure one panel). */
export const VISIT_ITEMS = [
  'temperature',
  'bloodPressure',
  'pulse',
  'spo2',
  'respiration',
  'consciousness',
  'mealIntake',
  'elimination',
  'note',
] as const;
export type VisitItem = (typeof VISIT_ITEMS)[number];

export const ITEM_LABELS: Record<VisitItem, string> = {
  temperature: '体温',
  bloodPressure: '血圧',
  pulse: '脈拍',
  spo2: 'SpO2',
  respiration: '呼吸数',
  consciousness: '意識',
  mealIntake: '食事量',
  elimination: '排泄',
  note: '訪問時の記録',
};

/** 意識: 清明 and the Japan Coma Scale (CodeSystem jcs). */
export const CONSCIOUSNESS: ReadonlyArray<{ code: string; label: string; display: string }> = [
  { code: '0', label: '清明', display: '清明' },
  { code: 'I-1', label: 'I-1', display: 'JCS I-1 だいたい清明だが、今ひとつはっきりしない' },
  { code: 'I-2', label: 'I-2', display: 'JCS I-2 見当識障害がある' },
  { code: 'I-3', label: 'I-3', display: 'JCS I-3 自分の名前、生年月日が言えない' },
  { code: 'II-10', label: 'II-10', display: 'JCS II-10 普通の呼びかけで容易に開眼する' },
  { code: 'II-20', label: 'II-20', display: 'JCS II-20 大きな声または体を揺さぶることにより開眼する' },
  { code: 'II-30', label: 'II-30', display: 'JCS II-30 痛み刺激を加えつつ呼びかけを繰り返すと辛うじて開眼する' },
  { code: 'III-100', label: 'III-100', display: 'JCS III-100 痛み刺激に対し、払いのけるような動作をする' },
  { code: 'III-200', label: 'III-200', display: 'JCS III-200 痛み刺激で少し手足を動かしたり、顔をしかめる' },
  { code: 'III-300', label: 'III-300', display: 'JCS III-300 痛み刺激に反応しない' },
];

/** What the form holds: numbers as typed, choices as codes; empty means not measured (no Observation). */
export interface VisitAnswers extends VitalsTyped {
  /** a JCS code, '0' for 清明 */
  consciousness?: string;
  /** 割 (0–10) */
  mealIntake?: string;
  urination?: 'yes' | 'no';
  defecation?: 'yes' | 'no';
  note?: string;
  /** the items marked いつもと違う */
  unusual: VisitItem[];
}

/** One identifier per item, made once when the form opens (a resend uses the same ones). */
export type VisitIds = Record<VisitItem, string>;

export function newVisitIds(uuid: () => string = () => crypto.randomUUID()): VisitIds {
  return Object.fromEntries(VISIT_ITEMS.map((item) => [item, `urn:uuid:${uuid()}`])) as VisitIds;
}

export interface VisitContext {
  patientId: string;
  /** the author's PractitionerRole (performer), with a display name */
  performer?: Reference;
  /** when measured: the moment 送信 was pressed the first time */
  effective: string;
}

function coding(system: string, code: string, display: string): Coding {
  return { system, code, display };
}

const VITAL_SIGNS: CodeableConcept = { coding: [coding(OBSERVATION_CATEGORY, 'vital-signs', 'Vital Signs')], text: 'バイタルサイン' };
const DAILY_LIVING: CodeableConcept = { coding: [coding(CARE_TOPIC, 'daily-living', '生活・ADL')] };
const CARE_COORDINATION: CodeableConcept = { coding: [coding(CARE_TOPIC, 'care-coordination', '連絡・調整')] };

export const UNUSUAL_INTERPRETATION: CodeableConcept = { coding: [coding(OBSERVATION_FLAG, UNUSUAL, 'いつもと違う')], text: 'いつもと違う' };

function quantity(value: number, unit: string, code: string) {
  return { value, unit, system: UCUM, code };
}

/** Which items the answers fill (each becomes one Observation). */
export function filledItems(answers: VisitAnswers): VisitItem[] {
  const has = (text?: string) => (text ?? '').trim() !== '';
  return VISIT_ITEMS.filter((item) => {
    switch (item) {
      case 'bloodPressure':
        return has(answers.systolic) || has(answers.diastolic);
      case 'elimination':
        return answers.urination !== undefined || answers.defecation !== undefined;
      default:
        return has(answers[item]);
    }
  });
}

function observation(answers: VisitAnswers, item: VisitItem, ctx: VisitContext, identifier: string): Observation {
  const base: Observation = {
    resourceType: 'Observation',
    identifier: [{ system: URI, value: identifier }],
    status: 'final',
    code: { text: ITEM_LABELS[item] },
    subject: { reference: `Patient/${ctx.patientId}` },
    effectiveDateTime: ctx.effective,
    ...(ctx.performer ? { performer: [ctx.performer] } : {}),
    ...(answers.unusual.includes(item) ? { interpretation: [UNUSUAL_INTERPRETATION] } : {}),
  };
  const number = (typed?: string) => parseNumber(typed) as number;
  switch (item) {
    case 'temperature':
      return { ...base, category: [VITAL_SIGNS], code: { coding: [coding(LOINC, '8310-5', 'Body temperature')], text: '体温' }, valueQuantity: quantity(number(answers.temperature), '℃', 'Cel') };
    case 'bloodPressure':
      return {
        ...base,
        category: [VITAL_SIGNS],
        code: { coding: [coding(LOINC, '85354-9', 'Blood pressure panel with all children optional')], text: '血圧' },
        component: [
          { code: { coding: [coding(LOINC, '8480-6', 'Systolic blood pressure')], text: '収縮期血圧' }, valueQuantity: quantity(number(answers.systolic), 'mmHg', 'mm[Hg]') },
          { code: { coding: [coding(LOINC, '8462-4', 'Diastolic blood pressure')], text: '拡張期血圧' }, valueQuantity: quantity(number(answers.diastolic), 'mmHg', 'mm[Hg]') },
        ],
      };
    case 'pulse':
      return { ...base, category: [VITAL_SIGNS], code: { coding: [coding(LOINC, '8867-4', 'Heart rate')], text: '脈拍' }, valueQuantity: quantity(number(answers.pulse), '回/分', '/min') };
    case 'spo2':
      return {
        ...base,
        category: [VITAL_SIGNS],
        // the FHIR vital-signs profile's SpO2 code (2708-6) with the pulse-oximetry one (59408-5)
        code: { coding: [coding(LOINC, '59408-5', 'Oxygen saturation in Arterial blood by Pulse oximetry'), coding(LOINC, '2708-6', 'Oxygen saturation in Arterial blood')], text: 'SpO2' },
        valueQuantity: quantity(number(answers.spo2), '%', '%'),
      };
    case 'respiration':
      return { ...base, category: [VITAL_SIGNS], code: { coding: [coding(LOINC, '9279-1', 'Respiratory rate')], text: '呼吸数' }, valueQuantity: quantity(number(answers.respiration), '回/分', '/min') };
    case 'consciousness': {
      const level = CONSCIOUSNESS.find((c) => c.code === answers.consciousness) ?? CONSCIOUSNESS[0];
      return {
        ...base,
        category: [VITAL_SIGNS],
        code: { coding: [coding(LOINC, '80288-4', 'Level of consciousness')], text: '意識' },
        valueCodeableConcept: { coding: [coding(JCS, level.code, level.display)], text: level.code === '0' ? '清明' : `JCS ${level.label}` },
      };
    }
    case 'mealIntake':
      return {
        ...base,
        category: [DAILY_LIVING],
        code: { coding: [coding(CARE_OBSERVATION, 'meal-intake', '食事摂取量')], text: '食事量' },
        // 割 as the standard unit: 8割 = 80 %
        valueQuantity: quantity(number(answers.mealIntake) * 10, '%', '%'),
      };
    case 'elimination':
      return {
        ...base,
        category: [DAILY_LIVING],
        code: { coding: [coding(CARE_OBSERVATION, 'elimination', '排泄の状況')], text: '排泄' },
        component: [
          ...(answers.urination ? [{ code: { coding: [coding(CARE_OBSERVATION, 'urination', '排尿')], text: '排尿' }, valueBoolean: answers.urination === 'yes' }] : []),
          ...(answers.defecation ? [{ code: { coding: [coding(CARE_OBSERVATION, 'defecation', '排便')], text: '排便' }, valueBoolean: answers.defecation === 'yes' }] : []),
        ],
      };
    case 'note':
      return {
        ...base,
        category: [CARE_COORDINATION],
        code: { coding: [coding(LOINC, '34109-9', 'Note')], text: '訪問時の記録' },
        valueString: (answers.note ?? '').trim(),
      };
  }
}

/**
 * The transaction of one visit: one Observation per filled item, in the form's order, each a conditional create
 * (`ifNoneExist` on its identifier). The hub stores all of them or none; sent again, it finds each stored one
 * (200) and stores nothing twice.
 */
export function buildVisitBundle(answers: VisitAnswers, ids: VisitIds, ctx: VisitContext): Bundle {
  const entry: BundleEntry[] = filledItems(answers).map((item) => ({
    fullUrl: ids[item],
    resource: observation(answers, item, ctx, ids[item]),
    request: { method: 'POST', url: 'Observation', ifNoneExist: `identifier=${URI}|${ids[item]}` },
  }));
  return { resourceType: 'Bundle', type: 'transaction', entry };
}

/** Whether an Observation was marked いつもと違う. */
export function isUnusual(o: Observation): boolean {
  return o.interpretation?.some((i) => i.coding?.some((c) => c.system === OBSERVATION_FLAG && c.code === UNUSUAL)) ?? false;
}
