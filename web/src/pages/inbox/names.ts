import type { Bundle, FhirResource, Organization, Patient, Practitioner, PractitionerRole } from 'fhir/r4';
import type { FhirClient } from '../../fhir/client';
import { patientNames } from '../../fhir/names';
import { pickedOf, recordsById } from '../../forms/prefill';

/** The searches that name some references (patients, roles with their practitioner and organisation, …): one batch. */
export function nameSearches(references: readonly string[]): string[] {
  const ids = (type: string) => [...new Set(references.filter((r) => r.startsWith(`${type}/`)).map((r) => r.slice(type.length + 1)))];
  const urls: string[] = [];
  const add = (type: string, extra = '') => {
    const list = ids(type);
    if (list.length) urls.push(`${type}?_id=${list.map(encodeURIComponent).join(',')}&_count=${list.length}${extra}`);
  };
  add('Patient');
  add('PractitionerRole', '&_include=PractitionerRole:practitioner&_include=PractitionerRole:organization');
  add('Organization');
  add('Practitioner');
  return urls;
}

function personName(practitioner: Practitioner): string {
  const kanji = (practitioner.name ?? []).find((n) => !n.extension?.some((e) => e.valueCode === 'SYL')) ?? practitioner.name?.[0];
  return kanji?.text ?? [kanji?.family, ...(kanji?.given ?? [])].filter(Boolean).join(' ');
}

/** Names as the lists show them: a patient in kanji, a role as 氏名（職種）・所属, an organisation by its name. */
export function namesOf(resources: readonly FhirResource[]): Map<string, string> {
  const records = recordsById(resources);
  const names = new Map<string, string>();
  for (const r of resources) {
    const key = `${r.resourceType}/${r.id}`;
    if (r.resourceType === 'Patient') names.set(key, patientNames(r as Patient).name);
    else if (r.resourceType === 'PractitionerRole' || r.resourceType === 'Organization') names.set(key, pickedOf(r as PractitionerRole | Organization, records).label);
    else if (r.resourceType === 'Practitioner') names.set(key, personName(r as Practitioner));
  }
  return names;
}

/** Reads the names of some references (what the user may read of them; the rest stay unnamed). */
export async function lookupNames(client: FhirClient, references: readonly string[], signal?: AbortSignal): Promise<Map<string, string>> {
  const urls = nameSearches(references);
  if (urls.length === 0) return new Map();
  const batch = await client.batch(urls, signal);
  const all = (batch.entry ?? []).flatMap((e) =>
    e.resource?.resourceType === 'Bundle' ? ((e.resource as Bundle).entry ?? []).map((x) => x.resource).filter((r): r is FhirResource => Boolean(r)) : [],
  );
  return namesOf(all);
}
