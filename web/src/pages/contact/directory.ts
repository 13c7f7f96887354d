import type { Bundle, FhirResource, Organization, PractitionerRole } from 'fhir/r4';
import type { FhirClient } from '../../fhir/client';
import type { PickedReference } from '../../forms/answers';
import { pickedOf, recordsById } from '../../forms/prefill';

const resources = (bundle: Bundle | undefined): FhirResource[] => (bundle?.entry ?? []).map((e) => e.resource).filter((r): r is FhirResource => Boolean(r));

/**
 * The directory by name, for a recipient outside the care team: organisations and practitioners in one batch, then
 * the practitioners' roles with their organisation. Each result is a directory record to pick, never typed text.
 * The one directory search of the app: the hand-off form and the contact form both pick recipients with it.
 */
export async function searchDirectory(client: FhirClient, text: string): Promise<PickedReference[]> {
  const batch = await client.batch([`Organization?name=${encodeURIComponent(text)}&_count=10`, `Practitioner?name=${encodeURIComponent(text)}&_count=10`]);
  const [orgs, people] = (batch.entry ?? []).map((e) => (e.resource?.resourceType === 'Bundle' ? resources(e.resource as Bundle) : []));
  const found: PickedReference[] = (orgs ?? []).filter((r): r is Organization => r.resourceType === 'Organization').map((o) => pickedOf(o, new Map()));
  const practitioners = (people ?? []).filter((r) => r.resourceType === 'Practitioner').map((r) => `Practitioner/${r.id}`);
  if (practitioners.length > 0) {
    const roles = await client.request<Bundle>(
      'GET',
      `PractitionerRole?practitioner=${encodeURIComponent(practitioners.join(','))}&_include=PractitionerRole:practitioner&_include=PractitionerRole:organization&_count=20`,
    );
    const records = recordsById(resources(roles));
    found.push(...resources(roles).filter((r): r is PractitionerRole => r.resourceType === 'PractitionerRole').map((r) => pickedOf(r, records)));
  }
  return found;
}
