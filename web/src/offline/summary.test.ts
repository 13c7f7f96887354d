import { describe, expect, it } from 'vitest';
import { shortJapaneseTime, visitSummary } from './summary';

describe('visitSummary', () => {
  it('names the visit in Japan time, whatever the device zone', () => {
    expect(visitSummary(new Date('2026-12-07T01:30:00Z'))).toBe('バイタル・訪問記録 12月7日 10:30');
    expect(shortJapaneseTime(new Date('2026-12-31T15:05:00Z'))).toBe('1月1日 00:05');
  });
});
