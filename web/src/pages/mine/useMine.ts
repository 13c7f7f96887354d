import { useAuth } from '../../auth/AuthProvider';

/**
 * Whose record the signed-in patient or family member looks after: the token's `patient` claim (for family the patient
 * they act for), and who they are in FHIR terms when they write (the performer of a Consent they record).
 */
export function useMine(): { patient: string; performer: string; byFamily: boolean } {
  const { state } = useAuth();
  const session = state.status === 'ready' ? state.session : null;
  const patient = session?.patient ?? '';
  const byFamily = !!session?.relatedPerson;
  return { patient, performer: byFamily ? `RelatedPerson/${session?.relatedPerson}` : `Patient/${patient}`, byFamily };
}
