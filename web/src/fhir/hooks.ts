import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { Patient } from 'fhir/r4';
import { useFhirClient } from './FhirProvider';
import type { FhirError } from './errors';

export const PATIENT_PAGE_SIZE = 50;

/**
 * The patients the user may see (the hub filters by care team and consent), found by the hub's `name` search:
 * it matches kanji and the kana reading, hiragana as katakana, full- and half-width alike, a full name with or
 * without its space (search.TextNormalizer, IndexExtractor). No filtering here: the hub's answer is the list.
 */
export function usePatients(name: string) {
  const client = useFhirClient();
  const query = name.trim();
  return useQuery<Patient[], FhirError>({
    queryKey: ['Patient', 'search', query],
    queryFn: async ({ signal }) => {
      const bundle = await client.search<Patient>('Patient', { name: query || undefined, _count: PATIENT_PAGE_SIZE }, signal);
      return (bundle.entry ?? [])
        .map((entry) => entry.resource)
        .filter((resource): resource is Patient => resource?.resourceType === 'Patient');
    },
    placeholderData: keepPreviousData,
  });
}

export function usePatient(id: string) {
  const client = useFhirClient();
  return useQuery<Patient, FhirError>({
    queryKey: ['Patient', 'read', id],
    queryFn: ({ signal }) => client.read<Patient>('Patient', id, signal),
  });
}
