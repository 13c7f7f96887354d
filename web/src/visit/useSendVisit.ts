import { useMutation } from '@tanstack/react-query';
import type { Bundle } from 'fhir/r4';
import type { FhirError } from '../fhir/errors';
import { useOutbox } from '../offline/OutboxProvider';
import { visitSummary } from '../offline/summary';
import type { SubmitResult } from '../offline/types';

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
 * What became of a visit: `sent` (stored on the hub, with its answer) or `kept` (on the device as 未送信, encrypted, sent
 * by the outbox when the connection returns; `offline` says whether the browser had no network or the hub did not answer).
 */
export type VisitOutcome = ({ kind: 'sent' } & VisitSent) | { kind: 'kept'; offline: boolean };

/** The visit to send: its transaction Bundle (visitBundle.ts) and the visit's time (the outbox list's line). */
export interface VisitToSend {
  bundle: Bundle;
  visitTime: Date;
}

/** The outbox's answer as the form's outcome; a refusal (4xx) is thrown, to be shown at the form as before. */
export function outcomeOf(result: SubmitResult, online: boolean): VisitOutcome {
  switch (result.status) {
    case 'sent':
      return { kind: 'sent', ...sentOf(result.response) };
    case 'kept':
      return { kind: 'kept', offline: !online };
    case 'rejected':
      throw result.error;
  }
}

/**
 * The one way a visit is sent: its transaction Bundle goes into the device's outbox (offline/outbox.ts), which sends it
 * at once when online or keeps it, encrypted, as 未送信 and sends it when the connection returns. The Bundle is built
 * before and kept by the caller, so a retry sends exactly the same entries (conditional creates: nothing twice). The
 * outbox refreshes the patient page's timeline and chart when the hub stored it (OutboxProvider).
 */
export function useSendVisit(patientId: string) {
  const { submit } = useOutbox();
  return useMutation<VisitOutcome, FhirError, VisitToSend>({
    // TanStack Query would pause a mutation while the browser is offline and run it only when back online: the outbox
    // must take the visit now (kept on the device, 未送信) so the form can say so and the nurse can go on
    networkMode: 'always',
    mutationFn: async ({ bundle, visitTime }) => outcomeOf(await submit({ patientId, summary: visitSummary(visitTime), bundle }), navigator.onLine),
  });
}
