import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Bundle } from 'fhir/r4';
import { useFhirClient } from '../fhir/FhirProvider';
import type { FhirError } from '../fhir/errors';
import { PATIENT_PAGE } from '../live/invalidation';

/** What the hub answered for a visit: each entry's status (201 stored now, 200 found from an earlier send) and location. */
export interface VisitSent {
  statuses: string[];
  locations: string[];
}

export function sentOf(answer: Bundle): VisitSent {
  const entries = answer.entry ?? [];
  return {
    statuses: entries.map((e) => e.response?.status ?? ''),
    locations: entries.map((e) => e.response?.location ?? ''),
  };
}

/**
 * The one way a visit is sent: its transaction Bundle (visitBundle.ts), POSTed with the user's client. The Bundle is
 * built before and kept by the caller, so a retry sends exactly the same entries (conditional creates: nothing twice).
 * The offline outbox (web/src/offline/) is to route this hook's send through itself; nothing else here knows of it.
 */
export function useSendVisit(patientId: string) {
  const client = useFhirClient();
  const queryClient = useQueryClient();
  return useMutation<VisitSent, FhirError, Bundle>({
    mutationFn: async (bundle) => sentOf(await client.transaction(bundle)),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: [PATIENT_PAGE, 'timeline', patientId] });
      void queryClient.invalidateQueries({ queryKey: [PATIENT_PAGE, 'vitals', patientId] });
    },
  });
}
