import type { Observation, Patient } from 'fhir/r4';
import { patientNames } from '../fhir/names';
import { observationValue } from '../pages/patient/timeline';

/** What the team is told at once of an observation marked いつもと違う. */
export interface UnusualNotice {
  key: string;
  patientId: string;
  /** いつもと違う: 山田 花子 — 体温 37.9℃ */
  title: string;
  /** 記録: 加藤 美咲 */
  detail: string;
}

export function unusualNoticeOf(observation: Observation, patient: Patient | undefined): UnusualNotice {
  const patientId = (observation.subject?.reference ?? '').replace(/^Patient\//, '');
  const name = patient ? patientNames(patient).name : '';
  const what = observation.code?.text ?? observation.code?.coding?.[0]?.display ?? '観察';
  const value = observationValue(observation);
  const shown = observation.valueString ? `「${value.length > 40 ? `${value.slice(0, 40)}…` : value}」` : value;
  return {
    key: `Observation/${observation.id}`,
    patientId,
    title: `いつもと違う: ${name || '担当の患者'} — ${what}${shown ? ` ${shown}` : ''}`,
    detail: observation.performer?.[0]?.display ? `記録: ${observation.performer[0].display}` : '',
  };
}
