import { useSearchParams } from 'react-router-dom';
import { useQueryClient } from '@tanstack/react-query';
import { useAuth } from '../auth/AuthProvider';
import { useFhirClient } from '../fhir/FhirProvider';
import { usePatient } from '../fhir/hooks';

/**
 * What a page that writes a document about one patient starts from: the patient chosen in the address
 * (`?patient=id`, so a reload or a link keeps it), who is signed in, the FHIR client and the query cache.
 */
export function usePatientWriting() {
  const [params, setParams] = useSearchParams();
  const patientId = params.get('patient') ?? '';
  const { state } = useAuth();
  return {
    patientId,
    choosePatient: (id?: string) => setParams(id ? { patient: id } : {}),
    session: state.status === 'ready' ? state.session : null,
    client: useFhirClient(),
    queryClient: useQueryClient(),
    patient: usePatient(patientId),
  };
}
