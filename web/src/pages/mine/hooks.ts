import { useInfiniteQuery, useMutation, useQuery, useQueryClient, type InfiniteData } from '@tanstack/react-query';
import type { AuditEvent, Bundle, Consent, FhirResource, Organization } from 'fhir/r4';
import { useFhirClient } from '../../fhir/FhirProvider';
import type { FhirError } from '../../fhir/errors';
import { PATIENT_PAGE } from '../../live/invalidation';
import {
  accessLogSearch,
  ACCESS_LOG_PAGE_SIZE,
  isShown,
  nextLink,
  organisationNames,
  organisationsOf,
  rowOf,
  type AccessRow,
} from './accessLog';
import { consentSearch, grantConsent, namesOf, revokeParameters, sharingRows, unnamed, type SharingRow } from './sharing';

// Query keys start with PATIENT_PAGE so that live events and a change of sharing mark them stale with the patient page.
export const SHARING = [PATIENT_PAGE, 'mine', 'sharing'] as const;

interface LogPage {
  rows: AccessRow[];
  next: string | null;
}

/** Pages at most read for one "more" while the patient's and family's own events are hidden. */
const MAX_PAGES_PER_STEP = 5;

/**
 * The access log, newest first, a page at a time: each step follows the hub's `next` links until it has a page's
 * worth of rows to show (the patient's own use of the app is hidden unless `includeOwn`), then reads the names of the
 * organisations named, once per step, from the directory.
 */
export function useAccessLog(patient: string, includeOwn: boolean) {
  const client = useFhirClient();
  return useInfiniteQuery<LogPage, FhirError, InfiniteData<LogPage, string | null>, readonly unknown[], string | null>({
    queryKey: [PATIENT_PAGE, 'mine', 'access-log', patient, includeOwn],
    initialPageParam: null,
    enabled: !!patient,
    queryFn: async ({ pageParam, signal }) => {
      const events: AuditEvent[] = [];
      let link: string | null = pageParam;
      let shown = 0;
      for (let pages = 0; pages < MAX_PAGES_PER_STEP; pages++) {
        const bundle: Bundle<AuditEvent> = link
          ? await client.follow<AuditEvent>(link, signal)
          : await client.search<AuditEvent>('AuditEvent', accessLogSearch(patient), signal);
        const page = (bundle.entry ?? []).map((e) => e.resource).filter((r): r is AuditEvent => r?.resourceType === 'AuditEvent');
        events.push(...page);
        shown += page.filter((e) => isShown(rowOf(e, patient, new Map()), includeOwn)).length;
        link = nextLink(bundle) ?? null;
        if (!link || shown >= ACCESS_LOG_PAGE_SIZE) {
          break;
        }
      }
      const ids = organisationsOf(events);
      const names =
        ids.length > 0
          ? organisationNames(await client.search<Organization>('Organization', { _id: ids.join(','), _count: ids.length }, signal))
          : new Map<string, string>();
      return { rows: events.map((e) => rowOf(e, patient, names)).filter((r) => isShown(r, includeOwn)), next: link };
    },
    getNextPageParam: (last) => last.next,
  });
}

/** The sharing in force, with the names of the organisations and care teams it names. */
export function useSharing(patient: string) {
  const client = useFhirClient();
  return useQuery<SharingRow[], FhirError>({
    queryKey: [...SHARING, patient],
    enabled: !!patient,
    queryFn: async ({ signal }) => {
      const found = await client.search<Consent>('Consent', consentSearch(patient), signal);
      const consents = (found.entry ?? []).map((e) => e.resource).filter((r): r is Consent => r?.resourceType === 'Consent');
      const { organisations, careTeams } = unnamed(consents);
      const urls = [
        ...(organisations.length ? [`Organization?_id=${organisations.join(',')}&_count=${organisations.length}`] : []),
        ...(careTeams.length ? [`CareTeam?_id=${careTeams.join(',')}&_count=${careTeams.length}`] : []),
      ];
      const named: FhirResource[] = [];
      if (urls.length > 0) {
        const batch = await client.batch(urls, signal);
        for (const entry of batch.entry ?? []) {
          const answer = entry.resource as Bundle | undefined;
          for (const inner of answer?.resourceType === 'Bundle' ? (answer.entry ?? []) : []) {
            if (inner.resource) {
              named.push(inner.resource as FhirResource);
            }
          }
        }
      }
      return sharingRows(consents, namesOf(named));
    },
  });
}

/** The directory's organisations, to choose whom to start sharing with. */
export function useOrganisations(enabled: boolean) {
  const client = useFhirClient();
  return useQuery<Organization[], FhirError>({
    queryKey: ['directory', 'organisations'],
    enabled,
    queryFn: async ({ signal }) => {
      const found = await client.search<Organization>('Organization', { active: 'true', _count: 200 }, signal);
      return (found.entry ?? []).map((e) => e.resource).filter((r): r is Organization => r?.resourceType === 'Organization');
    },
  });
}

/**
 * Start and stop sharing. Each refetches the sharing list and marks the patient page stale (its consent badge), so the
 * effect shows at once without a reload.
 */
export function useSharingChanges(patient: string, performer: string) {
  const client = useFhirClient();
  const queries = useQueryClient();
  const refresh = async () => {
    await queries.invalidateQueries({ queryKey: [PATIENT_PAGE] });
  };
  const grant = useMutation<Consent, FhirError, { organisation: { id: string; name: string }; statement: string }>({
    mutationFn: ({ organisation, statement }) => client.create(grantConsent({ patient, performer, organisation, statement })),
    onSuccess: refresh,
  });
  const revoke = useMutation<Consent, FhirError, { consentId: string; reason: string }>({
    mutationFn: ({ consentId, reason }) =>
      client.request<Consent>('POST', `Consent/${encodeURIComponent(consentId)}/$revoke`, revokeParameters(reason)),
    onSuccess: refresh,
  });
  return { grant, revoke };
}

