import { describe, expect, it } from 'vitest';
import { deadlineState, formatDate, formatDateTime, formatEraDate, japanDay } from './format';

const at = (iso: string) => Date.parse(iso);

describe('formatDateTime', () => {
  it('writes an instant in Japan time, Japanese style, whatever the device zone', () => {
    expect(formatDateTime('2026-11-23T01:02:03Z')).toBe('2026年11月23日(月) 10:02');
    expect(formatDateTime('2026-11-23T23:30:00+09:00')).toBe('2026年11月23日(月) 23:30');
    expect(formatDateTime('2026-11-23')).toBe('2026年11月23日(月)');
    expect(formatDateTime('garbage')).toBe('');
    expect(formatDateTime(undefined)).toBe('');
  });

  it('writes dates and 和暦 dates', () => {
    expect(formatDate('2026-11-25T23:59:59+09:00')).toBe('2026年11月25日(水)');
    expect(formatEraDate('2026-10-01T10:00:00+09:00')).toBe('令和8年10月1日');
    expect(formatEraDate('2019-04-30')).toBe('平成31年4月30日');
  });
});

describe('deadlineState', () => {
  const due = '2026-11-25T23:59:59+09:00';

  it('counts calendar days left in Japan: 残り日数, 本日期限', () => {
    expect(deadlineState(due, at('2026-11-22T09:00:00+09:00'), false)).toMatchObject({ daysLeft: 3, overdue: false, label: '残り3日（期限 2026年11月25日(水)）' });
    // 23:30 UTC on the 24th is already the 25th in Japan
    expect(deadlineState(due, at('2026-11-24T23:30:00Z'), false)).toMatchObject({ daysLeft: 0, overdue: false, label: '本日期限（2026年11月25日(水)）' });
  });

  it('is overdue once past and not met, in red by the caller, with the days late', () => {
    expect(deadlineState(due, at('2026-11-26T00:00:01+09:00'), false)).toMatchObject({ overdue: true, daysLeft: -1, label: '期限超過 1日（期限 2026年11月25日(水)）' });
    expect(deadlineState(due, at('2026-11-28T12:00:00+09:00'), false)?.label).toBe('期限超過 3日（期限 2026年11月25日(水)）');
  });

  it('trusts the hub’s overdue flag even before the device clock passes the deadline', () => {
    expect(deadlineState(due, at('2026-11-25T23:59:00+09:00'), false, '', true)).toMatchObject({ overdue: true, label: '期限超過（期限 2026年11月25日(水)）' });
  });

  it('is never overdue once met', () => {
    expect(deadlineState(due, at('2026-12-01T00:00:00+09:00'), true, '期限後に送達')).toMatchObject({ overdue: false, met: true, label: '期限 2026年11月25日(水)・期限後に送達' });
  });

  it('ignores what is no date', () => {
    expect(deadlineState('soon', 0, false)).toBeUndefined();
  });
});

describe('japanDay', () => {
  it('changes at midnight in Japan, not UTC', () => {
    expect(japanDay(at('2026-11-24T14:59:59Z'))).toBe(japanDay(at('2026-11-24T00:00:00+09:00')));
    expect(japanDay(at('2026-11-24T15:00:00Z'))).toBe(japanDay(at('2026-11-24T00:00:00+09:00')) + 1);
  });
});
