import { useInfiniteQuery, useQuery, type InfiniteData } from '@tanstack/react-query';
import type { Bundle, CareTeam, Consent, FhirResource } from 'fhir/r4';
import { useFhirClient } from '../../fhir/FhirProvider';
import type { FhirError } from '../../fhir/errors';
import { PATIENT_PAGE } from '../../live/invalidation';
import {
  consentOf,
  nextTimelinePage,
  organisationsToRead,
  recordsOf,
  searchPage,
  summaryOf,
  teamOf,
  teamSearches,
  timelinePage,
  timelineSearches,
  type PatientSummary,
  type TeamAndConsent,
} from './patientData';
import { mergeTimeline, type TimelinePage, type TimelineType } from './timeline';

// Query keys start with PATIENT_PAGE so that live events mark them stale (live/invalidation.ts).

/** Patient, allergies, emergency sheet and advance directive: one request. */
export function usePatientSummary(id: string) {
  const client = useFhirClient();
  return useQuery<PatientSummary, FhirError>({
    queryKey: [PATIENT_PAGE, 'summary', id],
    queryFn: async ({ signal }) =>
      summaryOf(await client.request<Bundle>('GET', `Patient/${encodeURIComponent(id)}/$emergency-summary`, undefined, {}, signal)),
  });
}

/** Care team with phones and the privacy consent: a batch of two searches, then the organisations it names (if any). */
export function useTeamAndConsent(id: string) {
  const client = useFhirClient();
  return useQuery<TeamAndConsent, FhirError>({
    queryKey: [PATIENT_PAGE, 'team', id],
    queryFn: async ({ signal }) => {
      const batch = await client.batch(teamSearches(id), signal);
      const [teamAnswer, consentAnswer] = (batch.entry ?? []).map(searchPage);
      const careTeams = (teamAnswer?.resources ?? []).filter((r): r is CareTeam => r.resourceType === 'CareTeam');
      const records = recordsOf(teamAnswer?.included ?? []);
      const organisations = organisationsToRead(careTeams, records);
      if (organisations.length > 0) {
        const found = await client.search<FhirResource>('Organization', { _id: organisations.join(','), _count: organisations.length }, signal);
        for (const entry of found.entry ?? []) {
          if (entry.resource) {
            records.set(`${entry.resource.resourceType}/${entry.resource.id}`, entry.resource);
          }
        }
      }
      const { members, names } = teamOf(careTeams, records);
      const consents = (consentAnswer?.resources ?? []).filter((r): r is Consent => r.resourceType === 'Consent');
      return {
        members,
        names,
        consent: consentOf(consents, consentAnswer ? consentAnswer.refused : '応答がありません'),
        ...(teamAnswer?.refused ? { teamRefused: teamAnswer.refused } : {}),
      };
    },
  });
}

type NextPage = { type: TimelineType; link: string } | null;

/**
 * The team's activity: the first page of six searches in one batch, then the next page of whichever type holds
 * the merged list back (timeline.ts, mergeTimeline), one request each. A live event refetches the pages loaded.
 */
export function useTimeline(id: string) {
  const client = useFhirClient();
  return useInfiniteQuery<TimelinePage, FhirError, InfiniteData<TimelinePage, NextPage>, readonly unknown[], NextPage>({
    queryKey: [PATIENT_PAGE, 'timeline', id],
    initialPageParam: null,
    queryFn: async ({ pageParam, signal }) =>
      pageParam
        ? nextTimelinePage(pageParam.type, await client.follow(pageParam.link, signal))
        : timelinePage(await client.batch(timelineSearches(id), signal)),
    getNextPageParam: (_last, pages) => mergeTimeline(pages, new Map(), Date.now()).next ?? null,
  });
}

/** One record for the detail view: shown at once from the timeline, read again (the read counts as opened). */
export function useRecord(type: string, id: string, shown: FhirResource | undefined) {
  const client = useFhirClient();
  return useQuery<FhirResource, FhirError>({
    queryKey: [PATIENT_PAGE, 'record', type, id],
    queryFn: ({ signal }) => client.request<FhirResource>('GET', `${type}/${encodeURIComponent(id)}`, undefined, {}, signal),
    placeholderData: shown,
    enabled: !!type && !!id,
  });
}
