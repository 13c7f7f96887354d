import type { Bundle } from 'fhir/r4';
import type { FhirError, FhirIssue } from '../fhir/errors';

/** What a form hands to the outbox: one transaction Bundle of conditional creates, for one patient. */
export interface OutboxInput {
  /** the patient's id on the hub (Patient/{id}), to open the patient from the list */
  patientId: string;
  /** a short Japanese line for the list, e.g. 「バイタル・訪問記録 12月7日 10:30」 (no name: the list shows the patient by id) */
  summary: string;
  /**
   * A FHIR transaction whose every entry is a conditional create (`request.ifNoneExist` on the entry's own
   * identifier), so that sending it again after a lost answer stores nothing twice (docs/web-app.md, offline home visits).
   */
  bundle: Bundle;
}

/** 未送信 (waiting to be sent), 送信中 (being sent now), 要修正 (the hub refused it: needs a correction). */
export type EntryState = 'pending' | 'sending' | 'needs-fix';

/** The hub's refusal of an entry, in Japanese (fhir/errors.ts), kept with the entry until it is corrected or discarded. */
export interface EntryProblem {
  status?: number;
  title: string;
  action: string;
  issues: FhirIssue[];
}

export interface OutboxEntry extends OutboxInput {
  id: string;
  /** when it was put in the outbox (ms since the epoch): the order of sending */
  createdAt: number;
  state: EntryState;
  /** failed attempts (network or hub unavailable), for the backoff */
  attempts: number;
  problem?: EntryProblem;
}

/**
 * The answer of {@link Outbox.submit}: `sent` (the hub stored it; its transaction-response), `kept` (no connection, or
 * the hub did not answer: it stays on the device as 未送信 and is sent later), `rejected` (the hub refused it with a
 * 4xx other than 401, or the device cannot keep it: the form still holds what was typed and shows the error).
 */
export type SubmitResult =
  | { status: 'sent'; entryId: string; response: Bundle }
  | { status: 'kept'; entryId: string }
  | { status: 'rejected'; error: FhirError };
