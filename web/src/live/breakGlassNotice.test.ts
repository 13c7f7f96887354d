import { describe, expect, it } from 'vitest';
import type { Communication } from 'fhir/r4';
import { breakGlassNoticeOf, isBreakGlassNotice } from './breakGlassNotice';

// as the hub writes it (consent.BreakGlassNotice)
const notice: Communication = {
  resourceType: 'Communication',
  id: 'c1',
  meta: { tag: [{ system: 'http://renkei.example.jp/fhir/CodeSystem/notice', code: 'break-glass', display: '緊急時アクセスの通知' }] },
  status: 'completed',
  subject: { reference: 'Patient/pat-yamada' },
  sent: '2026-12-06T18:02:11Z',
  sender: { reference: 'PractitionerRole/role-ems', display: '救急隊 木村 隆' },
  payload: [
    {
      contentString:
        '緊急時アクセス（ブレークグラス）: 救急隊 木村 隆 が 2026-12-07 03:02 に救急対応のため閲覧を開始しました（2026-12-07 04:02 まで）。理由: 自宅で意識消失、家族より119番通報',
    },
  ],
};

describe('the break-glass notice', () => {
  it('is told apart from other messages by its tag', () => {
    expect(isBreakGlassNotice(notice)).toBe(true);
    expect(isBreakGlassNotice({ ...notice, meta: {} })).toBe(false);
  });

  it('says who, for whom, when, until when and why', () => {
    expect(breakGlassNoticeOf(notice)).toEqual({
      id: 'c1',
      patientId: 'pat-yamada',
      who: '救急隊 木村 隆',
      sent: '2026-12-06T18:02:11Z',
      until: '2026-12-07 04:02',
      reason: '自宅で意識消失、家族より119番通報',
    });
  });

  it('names the declarant from the payload when the sender has no display', () => {
    expect(breakGlassNoticeOf({ ...notice, sender: { reference: 'PractitionerRole/role-ems' } }).who).toBe('救急隊 木村 隆');
  });
});
