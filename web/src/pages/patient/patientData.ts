import type {
  AllergyIntolerance,
  Bundle,
  BundleEntry,
  CareTeam,
  Consent,
  ContactPoint,
  FhirResource,
  Organization,
  Patient,
  Practitioner,
  PractitionerRole,
  Reference,
  RelatedPerson,
} from 'fhir/r4';
import { FhirError, translateError } from '../../fhir/errors';
import { formatEraDate } from './format';
import { TIMELINE_TYPES, type SourcePage, type TimelinePage, type TimelineType } from './timeline';

/** Records per type and page of the timeline's searches. */
export const TIMELINE_PAGE = 50;

const CARE_DOCUMENT = 'http://renkei.example.jp/fhir/CodeSystem/care-document';
const CONSENT_SCOPE = 'http://terminology.hl7.org/CodeSystem/consentscope';

function codes(concepts: Array<{ coding?: Array<{ system?: string; code?: string }> }> | undefined, system: string): string[] {
  return (concepts ?? []).flatMap((c) => c.coding ?? []).filter((c) => c.system === system).map((c) => c.code ?? '');
}

function keyOf(resource: FhirResource): string {
  return `${resource.resourceType}/${resource.id}`;
}

// ---- header and markers: GET Patient/{id}/$emergency-summary -----------------------------------

export interface PatientSummary {
  patient: Patient;
  /** not resolved or refuted (the hub's choice for the emergency summary) */
  allergies: AllergyIntolerance[];
  /** the current emergency contact sheet (document Bundle, Composition or DocumentReference), when the user may read it */
  emergencySheet?: FhirResource;
  /** the current advance directive (Consent scope adr, or its signed original), when the user may read it */
  advanceDirective?: FhirResource;
}

function documentKind(resource: FhirResource): string | undefined {
  switch (resource.resourceType) {
    case 'Bundle': {
      const first = resource.entry?.[0]?.resource as FhirResource | undefined;
      return resource.type === 'document' && first?.resourceType === 'Composition' ? codes([first.type], CARE_DOCUMENT)[0] : undefined;
    }
    case 'Composition':
    case 'DocumentReference':
      return codes(resource.type ? [resource.type] : [], CARE_DOCUMENT)[0];
    default:
      return undefined;
  }
}

/**
 * The patient and the markers from one `$emergency-summary` answer (docs/security.md): the patient, the current
 * emergency sheet and advance directive and the allergies, each only if the user may read it.
 */
export function summaryOf(bundle: Bundle): PatientSummary {
  const resources = (bundle.entry ?? []).map((e) => e.resource as FhirResource | undefined).filter((r): r is FhirResource => !!r);
  const patient = resources.find((r): r is Patient => r.resourceType === 'Patient');
  if (!patient) {
    throw new FhirError('not-found', 404, '記録が見つかりません。', '一覧から開き直してください。', []);
  }
  return {
    patient,
    allergies: resources.filter((r): r is AllergyIntolerance => r.resourceType === 'AllergyIntolerance'),
    emergencySheet: resources.find((r) => documentKind(r) === 'emergency-sheet'),
    advanceDirective:
      resources.find((r) => r.resourceType === 'Consent' && codes(r.scope ? [r.scope] : [], CONSENT_SCOPE).includes('adr')) ??
      resources.find((r) => documentKind(r) === 'advance-directive'),
  };
}

// ---- one batch of searches, entry by entry -------------------------------------------------------

/** The matches (not the _include'd records) and the next link of a searchset, or why the hub refused the search. */
export function searchPage(answer: BundleEntry): SourcePage & { included: FhirResource[] } {
  const status = Number.parseInt(answer.response?.status ?? '', 10);
  const bundle = answer.resource as FhirResource | undefined;
  if (!(status >= 200 && status < 300) || bundle?.resourceType !== 'Bundle') {
    const error = translateError(Number.isNaN(status) ? 500 : status, answer.response?.outcome ?? bundle);
    return { resources: [], included: [], refused: error.title };
  }
  const resources: FhirResource[] = [];
  const included: FhirResource[] = [];
  for (const entry of bundle.entry ?? []) {
    const resource = entry.resource as FhirResource | undefined;
    if (!resource || resource.resourceType === 'OperationOutcome') {
      continue;
    }
    (entry.search?.mode === 'include' ? included : resources).push(resource);
  }
  const next = bundle.link?.find((l) => l.relation === 'next')?.url;
  return { resources, included, ...(next ? { next } : {}) };
}

function query(path: string, params: Record<string, string | number>): string {
  const search = new URLSearchParams();
  Object.entries(params).forEach(([name, value]) => search.append(name, String(value)));
  return `${path}?${search.toString()}`;
}

/** The first page of every timeline type, newest first: one batch request. */
export function timelineSearches(patientId: string): string[] {
  const patient = `Patient/${patientId}`;
  return TIMELINE_TYPES.map((type) =>
    query(type, { patient, ...(type === 'Bundle' ? { type: 'document' } : {}), _sort: '-_lastUpdated', _count: TIMELINE_PAGE }),
  );
}

export function timelinePage(batch: Bundle): TimelinePage {
  const page: TimelinePage = {};
  TIMELINE_TYPES.forEach((type, i) => {
    const answer = batch.entry?.[i];
    const { included: _included, ...source } = answer ? searchPage(answer) : { resources: [], included: [], refused: '応答がありません' };
    void _included;
    page[type] = source;
  });
  return page;
}

export function nextTimelinePage(type: TimelineType, bundle: Bundle): TimelinePage {
  const { included: _included, ...source } = searchPage({ response: { status: '200' }, resource: bundle });
  void _included;
  return { [type]: source };
}

// ---- care team and consent ---------------------------------------------------------------------

/** The care team and the privacy consent: one batch, then one search for the organisations named (their phones). */
export function teamSearches(patientId: string): string[] {
  const patient = `Patient/${patientId}`;
  return [
    query('CareTeam', { patient, status: 'active', _include: 'CareTeam:participant' }),
    query('Consent', { patient, scope: `${CONSENT_SCOPE}|patient-privacy`, _sort: '-date', _count: 10 }),
  ];
}

export interface TeamMember {
  key: string;
  name: string;
  /** 職種 or role in the team, with the role's specialty when the directory gives one */
  role: string;
  organization: string;
  phone?: string;
}

export interface ConsentState {
  state: 'given' | 'refused' | 'none' | 'unknown';
  /** 同意あり（令和8年10月1日） … */
  label: string;
  consent?: Consent;
}

export interface TeamAndConsent {
  members: TeamMember[];
  consent: ConsentState;
  /** names by reference (PractitionerRole/x, Practitioner/x, Organization/x) for records that give none */
  names: Map<string, string>;
  teamRefused?: string;
}

function personName(resource: Practitioner | RelatedPerson | Patient): string {
  const names = resource.name ?? [];
  const kanji = names.find((n) => !n.extension?.some((e) => e.valueCode === 'SYL')) ?? names[0];
  return kanji?.text ?? [kanji?.family, ...(kanji?.given ?? [])].filter(Boolean).join(' ');
}

function phone(telecom: ContactPoint[] | undefined): string | undefined {
  return telecom?.find((t) => t.system === 'phone' && t.value)?.value;
}

function text(concept: { text?: string; coding?: Array<{ display?: string }> } | undefined): string {
  return concept?.text ?? concept?.coding?.find((c) => c.display)?.display ?? '';
}

/** The organisations the team names that the first answer did not include: to read next (their phone numbers). */
export function organisationsToRead(careTeams: CareTeam[], records: Map<string, FhirResource>): string[] {
  const wanted = new Set<string>();
  const add = (reference: Reference | undefined) => {
    const ref = reference?.reference;
    if (ref?.startsWith('Organization/') && !records.has(ref)) {
      wanted.add(ref.slice('Organization/'.length));
    }
  };
  for (const team of careTeams) {
    for (const participant of team.participant ?? []) {
      add(participant.onBehalfOf);
      const member = participant.member?.reference ? records.get(participant.member.reference) : undefined;
      if (member?.resourceType === 'PractitionerRole') {
        add(member.organization);
      }
    }
  }
  return [...wanted].sort();
}

/** Each participant of the patient's active care teams with role, organisation and phone (the role's, else the organisation's). */
export function teamOf(careTeams: CareTeam[], records: Map<string, FhirResource>): { members: TeamMember[]; names: Map<string, string> } {
  const names = new Map<string, string>();
  for (const [ref, resource] of records) {
    if (resource.resourceType === 'Practitioner' || resource.resourceType === 'RelatedPerson' || resource.resourceType === 'Patient') {
      names.set(ref, personName(resource));
    } else if (resource.resourceType === 'Organization' && resource.name) {
      names.set(ref, resource.name);
    } else if (resource.resourceType === 'PractitionerRole' && resource.practitioner?.display) {
      names.set(ref, resource.practitioner.display);
    }
  }
  const members: TeamMember[] = [];
  const seen = new Set<string>();
  for (const team of careTeams) {
    for (const participant of team.participant ?? []) {
      const ref = participant.member?.reference ?? '';
      const key = `${ref}|${participant.onBehalfOf?.reference ?? ''}`;
      if (!participant.member || seen.has(key)) {
        continue;
      }
      seen.add(key);
      const member = records.get(ref);
      const role = member?.resourceType === 'PractitionerRole' ? (member as PractitionerRole) : undefined;
      const organizationRef = participant.onBehalfOf ?? role?.organization ?? (member?.resourceType === 'Organization' ? participant.member : undefined);
      const organization = organizationRef?.reference ? (records.get(organizationRef.reference) as Organization | undefined) : undefined;
      const practitionerRef = role?.practitioner?.reference;
      const practitioner = practitionerRef ? (records.get(practitionerRef) as Practitioner | undefined) : undefined;
      const name = participant.member.display || names.get(ref) || role?.practitioner?.display || (member?.resourceType === 'Organization' ? member.name : '') || '（氏名なし）';
      const roleLabel = text(participant.role?.[0]) || text(role?.code?.[0]);
      const specialty = text(role?.specialty?.[0]);
      members.push({
        key,
        name,
        role: [roleLabel, specialty && specialty !== roleLabel ? specialty : ''].filter(Boolean).join('・'),
        organization: organizationRef?.display || organization?.name || '',
        phone: phone(role?.telecom) ?? phone(practitioner?.telecom) ?? phone(organization?.telecom),
      });
      if (participant.member.display && ref) {
        names.set(ref, participant.member.display);
      }
    }
  }
  return { members, names };
}

/** 同意あり (with the date, 和暦) when the newest privacy Consent is active and permits; otherwise why not. */
export function consentOf(consents: Consent[], refused?: string): ConsentState {
  if (refused) {
    return { state: 'unknown', label: `確認できません（${refused}）` };
  }
  const newest = [...consents].sort((a, b) => (b.dateTime ?? '').localeCompare(a.dateTime ?? ''));
  const current = newest.find((c) => c.status === 'active') ?? newest[0];
  if (!current) {
    return { state: 'none', label: '同意なし（同意書の記録がありません）' };
  }
  const date = formatEraDate(current.dateTime);
  if (current.status === 'active' && current.provision?.type !== 'deny') {
    return { state: 'given', label: `同意あり${date ? `（${date}）` : ''}`, consent: current };
  }
  const why = current.status === 'rejected' ? '拒否' : current.status === 'inactive' ? '撤回・失効' : current.status === 'active' ? '共有しない' : '未確定';
  return { state: 'refused', label: `同意なし（${why}${date ? `・${date}` : ''}）`, consent: current };
}

export function recordsOf(resources: FhirResource[]): Map<string, FhirResource> {
  return new Map(resources.map((r) => [keyOf(r), r]));
}
