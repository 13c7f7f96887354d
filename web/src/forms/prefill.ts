import type {
  AllergyIntolerance,
  Bundle,
  CareTeam,
  CodeableConcept,
  Condition,
  Encounter,
  FhirResource,
  MedicationStatement,
  Organization,
  Practitioner,
  PractitionerRole,
} from 'fhir/r4';
import { PROFESSION_LABELS } from '../auth/profession';
import type { Answers, PickedReference, RecordRow } from './answers';

// What the hub already holds, shaped as the form's answers: the patient's active problems, medications and
// allergies as editable rows, the current hospital stay's dates and reason, the care team as recipients to choose.

const query = (type: string, params: Record<string, string | number>) =>
  `${type}?${new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString()}`;

/** One batch: the records the form is pre-filled from (all with the user's token: what the hub allows them). */
export function prefillSearches(patientId: string): string[] {
  const patient = `Patient/${patientId}`;
  return [
    query('Condition', { patient, _count: 50 }),
    query('MedicationStatement', { patient, status: 'active', _count: 50 }),
    query('AllergyIntolerance', { patient, _count: 50 }),
    query('CareTeam', { patient, status: 'active', _include: 'CareTeam:participant' }),
    query('Encounter', { patient, class: 'http://terminology.hl7.org/CodeSystem/v3-ActCode|IMP', _sort: '-date', _count: 5 }),
  ];
}

/** The directory records of some roles with their practitioners and organisations (one search). */
export function rolesSearch(roleIds: readonly string[]): string {
  return query('PractitionerRole', {
    _id: roleIds.join(','),
    _include: 'PractitionerRole:practitioner',
    _count: roleIds.length,
  });
}

function conceptText(concept: CodeableConcept | undefined): string {
  return concept?.text?.trim() || concept?.coding?.find((c) => c.display)?.display || concept?.coding?.[0]?.code || '';
}

function code(concept: CodeableConcept | undefined): string | undefined {
  return concept?.coding?.[0]?.code;
}

function resourcesOf<T extends FhirResource>(bundle: Bundle | undefined, type: T['resourceType']): T[] {
  return (bundle?.entry ?? []).map((e) => e.resource).filter((r): r is T => r?.resourceType === type);
}

/** The inner answer Bundles of a batch, in order (a refused search is an empty answer: nothing pre-filled). */
export function batchAnswers(batch: Bundle): Array<Bundle | undefined> {
  return (batch.entry ?? []).map((entry) => {
    const ok = entry.response?.status?.startsWith('2') ?? true;
    return ok && entry.resource?.resourceType === 'Bundle' ? (entry.resource as Bundle) : undefined;
  });
}

export function conditionRows(conditions: readonly Condition[]): RecordRow[] {
  return conditions
    .filter((c) => !['entered-in-error', 'refuted'].includes(code(c.verificationStatus) ?? '') && !['resolved', 'inactive'].includes(code(c.clinicalStatus) ?? ''))
    .map((c) => ({ key: `Condition/${c.id}`, text: conceptText(c.code), note: (c.note ?? []).map((n) => n.text).join('\n'), source: c }))
    .filter((row) => row.text);
}

export function medicationRows(statements: readonly MedicationStatement[]): RecordRow[] {
  return statements
    .filter((m) => m.status === 'active' || m.status === 'intended')
    .map((m) => ({
      key: `MedicationStatement/${m.id}`,
      text: conceptText(m.medicationCodeableConcept) || m.medicationReference?.display || '',
      note: (m.dosage ?? []).map((d) => d.text).filter(Boolean).join('\n'),
      source: m,
    }))
    .filter((row) => row.text);
}

export function allergyRows(allergies: readonly AllergyIntolerance[]): RecordRow[] {
  return allergies
    .filter((a) => !['entered-in-error', 'refuted'].includes(code(a.verificationStatus) ?? '') && !['inactive', 'resolved'].includes(code(a.clinicalStatus) ?? ''))
    .map((a) => ({
      key: `AllergyIntolerance/${a.id}`,
      text: conceptText(a.code),
      note: [...(a.reaction ?? []).flatMap((r) => (r.manifestation ?? []).map(conceptText)), ...(a.note ?? []).map((n) => n.text)].filter(Boolean).join('、'),
      source: a,
    }))
    .filter((row) => row.text);
}

function personName(practitioner: Practitioner | undefined): string {
  const names = practitioner?.name ?? [];
  const kanji = names.find((n) => !n.extension?.some((e) => e.valueCode === 'SYL')) ?? names[0];
  return kanji?.text ?? [kanji?.family, ...(kanji?.given ?? [])].filter(Boolean).join(' ');
}

/** A directory role or organisation as the pickers show it: 氏名（職種）・所属, with the records it names. */
export function pickedOf(resource: PractitionerRole | Organization, records: ReadonlyMap<string, FhirResource>): PickedReference {
  if (resource.resourceType === 'Organization') {
    return { reference: `Organization/${resource.id}`, label: resource.name ?? '（名称なし）', resource };
  }
  const practitioner = resource.practitioner?.reference ? (records.get(resource.practitioner.reference) as Practitioner | undefined) : undefined;
  const organization = resource.organization?.reference ? (records.get(resource.organization.reference) as Organization | undefined) : undefined;
  const name = personName(practitioner) || resource.practitioner?.display || '（氏名なし）';
  const profession = resource.code?.map((c) => PROFESSION_LABELS[code(c) ?? ''] ?? conceptText(c)).find(Boolean) ?? '';
  const orgName = organization?.name ?? resource.organization?.display ?? '';
  return {
    reference: `PractitionerRole/${resource.id}`,
    label: `${name}${profession ? `（${profession}）` : ''}${orgName ? `・${orgName}` : ''}`,
    resource,
    related: [practitioner, organization].filter((r): r is Practitioner | Organization => Boolean(r)),
  };
}

export function recordsById(resources: readonly FhirResource[]): Map<string, FhirResource> {
  return new Map(resources.map((r) => [`${r.resourceType}/${r.id}`, r]));
}

/** The care team's roles and organisations, as recipients to choose from (the patient's team first). */
export function teamCandidates(careTeams: readonly CareTeam[], records: ReadonlyMap<string, FhirResource>): PickedReference[] {
  const seen = new Set<string>();
  const out: PickedReference[] = [];
  for (const team of careTeams) {
    for (const participant of team.participant ?? []) {
      const reference = participant.member?.reference ?? '';
      const resource = records.get(reference);
      if (seen.has(reference) || (resource?.resourceType !== 'PractitionerRole' && resource?.resourceType !== 'Organization')) continue;
      seen.add(reference);
      out.push(pickedOf(resource, records));
    }
  }
  return out;
}

export interface Prefill {
  answers: Answers;
  /** the care team, to choose recipients and contacts from */
  team: PickedReference[];
  /** role ids of the team whose practitioner and organisation are still to be read */
  rolesToRead: string[];
}

/** The batch's answers as pre-filled answers (prefillSearches order). */
export function prefillFrom(batch: Bundle): Prefill {
  const [conditions, medications, allergies, team, stays] = batchAnswers(batch);
  const careTeams = resourcesOf<CareTeam>(team, 'CareTeam');
  const records = recordsById((team?.entry ?? []).map((e) => e.resource).filter((r): r is FhirResource => Boolean(r)));
  const stay = resourcesOf<Encounter>(stays, 'Encounter').find((e) => e.status === 'in-progress' || e.status === 'arrived' || e.status === 'planned');
  const answers: Answers = {
    diagnoses: conditionRows(resourcesOf<Condition>(conditions, 'Condition')),
    medications: medicationRows(resourcesOf<MedicationStatement>(medications, 'MedicationStatement')),
    allergies: allergyRows(resourcesOf<AllergyIntolerance>(allergies, 'AllergyIntolerance')),
  };
  if (stay?.period?.start) answers['admission-date'] = stay.period.start.slice(0, 10);
  if (stay?.period?.end) answers['discharge-date'] = stay.period.end.slice(0, 10);
  const reason = stay?.reasonCode?.map(conceptText).filter(Boolean).join('、');
  if (reason) answers['admission-reason'] = reason;
  const candidates = teamCandidates(careTeams, records);
  return {
    answers,
    team: candidates,
    rolesToRead: candidates.filter((c) => c.resource.resourceType === 'PractitionerRole').map((c) => c.resource.id!),
  };
}
