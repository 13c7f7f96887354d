import type { AuditEvent, Bundle, FhirResource, Organization } from 'fhir/r4';
import { PROFESSION_LABELS } from '../../auth/profession';

// The patient's access log (閲覧履歴): the hub's AuditEvents about the patient (docs/security.md, Audit trail), each as
// one row in plain Japanese: who (the name the event records), profession, organisation, why, what they did and saw.

/** Events per request; the page asks for more while too few rows are left after hiding the patient's and family's own. */
export const ACCESS_LOG_PAGE_SIZE = 20;

/** The search of one patient's events, newest first. The hub shows the patient and their proxy only events about them. */
export function accessLogSearch(patient: string): Record<string, string | number> {
  return { patient: `Patient/${patient}`, _sort: '-date', _count: ACCESS_LOG_PAGE_SIZE };
}

export type Viewer = 'professional' | 'self' | 'family' | 'unknown';

export interface AccessRow {
  id: string;
  /** when, ISO */
  recorded: string;
  viewer: Viewer;
  /** the person's name as the event records it (the hub writes the name from their sign-in), or a description */
  name: string;
  /** 職種, e.g. 介護支援専門員; empty when none */
  profession: string;
  /** 所属, e.g. いわて在宅ケアセンター; empty when none */
  organisation: string;
  /** 目的, e.g. ケアの調整のため */
  purpose: string;
  /** what they did, e.g. 記録を見ました */
  action: string;
  /** what they saw, e.g. 基本情報・文書 */
  records: string;
  /** 緊急時アクセス (break-glass): declared, or a read under its grant */
  breakGlass: boolean;
  /** the hub refused the attempt (outcome 4) */
  refused: boolean;
}

const AUDIT_SUBTYPE = 'http://renkei.example.jp/fhir/CodeSystem/audit-subtype';
const RESTFUL = 'http://hl7.org/fhir/restful-interaction';
const PROFESSION_SYSTEM = 'http://renkei.example.jp/fhir/CodeSystem/profession';

/** HL7 v3 PurposeOfUse as the access policy gives it to each role, in words a patient reads. */
export const PURPOSE_LABELS: Readonly<Record<string, string>> = {
  TREAT: '治療・ケアのため',
  CAREMGT: 'ケアの調整のため',
  ETREAT: '救急・緊急時の対応のため',
  PATRQT: 'ご本人の確認',
  FAMRQT: 'ご家族の確認',
  HSYSADMIN: 'システムの管理のため',
};

/** The record types of the hub, as the patient knows them. */
export const RECORD_LABELS: Readonly<Record<string, string>> = {
  Patient: '基本情報',
  RelatedPerson: 'ご家族の情報',
  CareTeam: 'ケアチーム',
  Consent: '同意',
  Observation: '観察の記録',
  Condition: '病名',
  AllergyIntolerance: 'アレルギー',
  MedicationStatement: 'お薬',
  Procedure: '処置',
  Encounter: '受診・入院',
  Composition: '文書',
  Bundle: '文書',
  DocumentReference: '文書',
  Communication: '連絡',
  CommunicationRequest: '連絡',
  Task: '依頼',
  Provenance: '署名の記録',
  AuditEvent: '閲覧履歴',
  Binary: '添付ファイル',
};

function code(concept: { coding?: Array<{ system?: string; code?: string }> } | undefined, system?: string): string | undefined {
  return concept?.coding?.find((c) => !system || c.system === system)?.code;
}

function actionOf(event: AuditEvent): string {
  if (event.type?.code === '110114') {
    return 'サインインせずに記録を開こうとしましたが、許可されませんでした';
  }
  if (event.outcome === '4') {
    return event.action === 'R' || event.action === 'E' || !event.action
      ? '記録を見ようとしましたが、許可されませんでした'
      : '記録を書き込もうとしましたが、許可されませんでした';
  }
  const subtypes = event.subtype ?? [];
  if (subtypes.some((s) => s.system === AUDIT_SUBTYPE && s.code === 'break-glass')) {
    return '緊急時アクセスを宣言しました';
  }
  if (subtypes.some((s) => s.system === AUDIT_SUBTYPE && s.code === 'notification')) {
    return 'お知らせで受け取りました';
  }
  const interaction = subtypes.find((s) => s.system === RESTFUL)?.code ?? '';
  if (['create'].includes(interaction)) {
    return '記録を作りました';
  }
  if (['update', 'patch'].includes(interaction)) {
    return '記録を書き直しました';
  }
  if (interaction === 'delete') {
    return '記録を削除しました';
  }
  if (interaction.startsWith('search')) {
    return '記録を探して見ました';
  }
  if (interaction === 'transaction' || interaction === 'batch') {
    return '記録をまとめて送りました';
  }
  if (event.action === 'C') {
    return '記録を作りました';
  }
  if (event.action === 'U') {
    return '記録を書き直しました';
  }
  return '記録を見ました';
}

/** The distinct kinds of record the event shows or wrote (`Type/id/_history/n` entities), in the order they come. */
export function recordsOf(event: AuditEvent): string {
  const labels = new Set<string>();
  for (const entity of event.entity ?? []) {
    const reference = entity.what?.reference;
    if (!reference || code({ coding: entity.role ? [entity.role] : [] }) === '1') {
      continue; // the patient entity names whose record it is, not what was seen
    }
    const type = reference.split('/')[0] ?? '';
    labels.add(RECORD_LABELS[type] ?? 'その他の記録');
  }
  return [...labels].join('・');
}

/** The organisations the events name (agent `Organization/…`), to read their names from the directory once. */
export function organisationsOf(events: readonly AuditEvent[]): string[] {
  const ids = new Set<string>();
  for (const event of events) {
    for (const agent of event.agent ?? []) {
      const reference = agent.who?.reference;
      if (reference?.startsWith('Organization/')) {
        ids.add(reference.slice('Organization/'.length));
      }
    }
  }
  return [...ids];
}

/** Organization id → name, from a directory search. */
export function organisationNames(bundle: Bundle<FhirResource> | undefined): Map<string, string> {
  const names = new Map<string, string>();
  for (const entry of bundle?.entry ?? []) {
    const org = entry.resource as Organization | undefined;
    if (org?.resourceType === 'Organization' && org.id) {
      names.set(org.id, org.name ?? '');
    }
  }
  return names;
}

/** One event as a row of the patient's access log. */
export function rowOf(event: AuditEvent, patient: string, organisations: ReadonlyMap<string, string>): AccessRow {
  const requestor = event.agent?.find((a) => a.requestor) ?? event.agent?.[0];
  const reference = requestor?.who?.reference ?? '';
  const purposeCode = code(event.purposeOfEvent?.[0]) ?? '';
  const viewer: Viewer =
    reference === `Patient/${patient}` ? 'self' : reference.startsWith('RelatedPerson/') ? 'family' : reference ? 'professional' : 'unknown';
  const orgReference = event.agent?.find((a) => a !== requestor && a.who?.reference?.startsWith('Organization/'))?.who?.reference;
  const orgId = orgReference?.slice('Organization/'.length);
  const roles = (requestor?.role ?? []).map((r) => code(r, PROFESSION_SYSTEM)).filter((r): r is string => !!r);
  const professions = roles.filter((r) => r !== 'patient' && r !== 'family').map((r) => PROFESSION_LABELS[r] ?? r);
  const unauthenticated = event.type?.code === '110114' || requestor?.who?.display === 'unauthenticated';
  const display = requestor?.who?.display?.trim();
  const name = unauthenticated
    ? 'サインインしていない人'
    : viewer === 'self'
      ? 'ご本人'
      : display || (viewer === 'family' ? 'ご家族' : '名前の記録なし');
  return {
    id: event.id ?? '',
    recorded: event.recorded ?? '',
    viewer: unauthenticated ? 'unknown' : viewer,
    name,
    profession: viewer === 'family' ? 'ご家族・代理人' : professions.join('・'),
    organisation: orgId ? (organisations.get(orgId) || '（名前の分からない事業所）') : '',
    purpose: PURPOSE_LABELS[purposeCode] ?? (purposeCode ? 'その他' : ''),
    action: actionOf(event),
    records: recordsOf(event),
    breakGlass:
      purposeCode === 'ETREAT' || (event.subtype ?? []).some((s) => s.system === AUDIT_SUBTYPE && s.code === 'break-glass'),
    refused: event.outcome === '4',
  };
}

/** Whether the row is shown: the patient's and family's own use of the app is hidden unless asked for. */
export function isShown(row: AccessRow, includeOwn: boolean): boolean {
  return includeOwn || (row.viewer !== 'self' && row.viewer !== 'family');
}

/** The next page's link of a search answer, if any. */
export function nextLink(bundle: Bundle): string | undefined {
  return bundle.link?.find((l) => l.relation === 'next')?.url;
}
