import { describe, expect, it } from 'vitest';
import { formatInputDate, parseInputDate } from './dates';

describe('dates of the forms', () => {
  it('shows a FHIR date as Japanese forms write it (year, month, day and weekday), never MM/DD/YYYY', () => {
    expect(formatInputDate('2026-12-07')).toBe('2026年12月7日(月)');
    expect(formatInputDate('2019-05-01')).toBe('2019年5月1日(水)');
  });

  it('reads what a Japanese user types: western and 和暦 forms, full-width digits, the shown text itself', () => {
    for (const typed of ['2026-12-07', '2026/12/7', '2026.12.7', '2026年12月7日', '２０２６年１２月７日', '2026年12月7日(月)', '令和8年12月7日', 'R8.12.7', ' 2026 / 12 / 7 ']) {
      expect(parseInputDate(typed), typed).toBe('2026-12-07');
    }
    expect(parseInputDate('令和元年5月1日')).toBe('2019-05-01');
    expect(parseInputDate('平成31年4月30日')).toBe('2019-04-30');
    expect(parseInputDate(formatInputDate('2027-01-31'))).toBe('2027-01-31');
  });

  it('is null for text that is no whole date yet, or a day that does not exist', () => {
    for (const typed of ['', '2026', '2026/12', '12/07/2026', '2026年2月30日', '2026-13-01', '令和8年', 'あした']) {
      expect(parseInputDate(typed), typed).toBeNull();
    }
  });
});
