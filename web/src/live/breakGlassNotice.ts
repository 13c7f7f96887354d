import type { Communication } from 'fhir/r4';

const NOTICE = 'http://renkei.example.jp/fhir/CodeSystem/notice';

/** A break-glass notice (docs/security.md): who declared an emergency for which patient, when, until when and why. */
export interface BreakGlassNotice {
  id: string;
  patientId?: string;
  /** 救急隊 木村 隆 (the hub names the declarant as the team knows them) */
  who: string;
  /** when the hub wrote the notice (the declaration) */
  sent?: string;
  /** 2026-12-07 04:02, as the hub wrote it in the notice (Japan time) */
  until?: string;
  reason: string;
}

/** Whether a Communication is the hub's break-glass notice (its tag), not some other message. */
export function isBreakGlassNotice(communication: Communication): boolean {
  return !!communication.meta?.tag?.some((t) => t.system === NOTICE && t.code === 'break-glass');
}

/** The notice's parts, read from the hub's record: sender, subject, sent and the payload's words. */
export function breakGlassNoticeOf(communication: Communication): BreakGlassNotice {
  const payload = communication.payload?.map((p) => p.contentString ?? '').join(' ') ?? '';
  const reason = payload.match(/理由:\s*([\s\S]*)$/)?.[1]?.trim() ?? '';
  const until = payload.match(/（([^（）]+?)\s*まで）/)?.[1]?.trim();
  const who = communication.sender?.display?.trim() || payload.match(/:\s*(.+?)\s+が\s/)?.[1] || '（不明）';
  const patientId = communication.subject?.reference?.match(/^Patient\/([A-Za-z0-9\-.]{1,64})$/)?.[1];
  return {
    id: communication.id ?? '',
    ...(patientId ? { patientId } : {}),
    who,
    ...(communication.sent ? { sent: communication.sent } : {}),
    ...(until ? { until } : {}),
    reason,
  };
}
