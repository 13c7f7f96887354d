import { describe, expect, it } from 'vitest';
import { announcement, ENDED_ANNOUNCEMENT, endTime, remaining, urgency } from './countdown';

const until = Date.parse('2026-12-06T19:02:00Z'); // 04:02 in Japan

describe('the grant countdown', () => {
  it('shows minutes and seconds left, rounded up, and 0:00 only at the end', () => {
    expect(remaining(until, until - 60 * 60_000)).toMatchObject({ clock: '1:00:00', words: '残り1時間0分0秒', ended: false });
    expect(remaining(until, until - (59 * 60_000 + 58_000))).toMatchObject({ clock: '59:58', words: '残り59分58秒' });
    expect(remaining(until, until - 500)).toMatchObject({ clock: '0:01', words: '残り1秒', ended: false });
    expect(remaining(until, until)).toMatchObject({ clock: '0:00', ended: true, ms: 0 });
    expect(remaining(until, until + 5000)).toMatchObject({ clock: '0:00', ended: true, ms: 0 });
  });

  it('says the end time in Japan', () => {
    expect(endTime(until)).toBe('04:02');
  });

  it('announces only at the steps, not every second', () => {
    const said: string[] = [];
    let before = 60 * 60_000;
    for (let left = before - 1000; left >= -1000; left -= 1000) {
      const words = announcement(before, left);
      if (words) said.push(words);
      before = left;
    }
    expect(said).toEqual([
      '緊急時アクセスの残り時間は30分です。',
      '緊急時アクセスの残り時間は15分です。',
      '緊急時アクセスの残り時間は10分です。',
      '緊急時アクセスの残り時間は5分です。',
      '緊急時アクセスの残り時間は3分です。',
      '緊急時アクセスの残り時間は1分です。',
      ENDED_ANNOUNCEMENT,
    ]);
  });

  it('says one thing after a long sleep of the tab: the smallest step crossed, or the end', () => {
    expect(announcement(40 * 60_000, 4 * 60_000)).toBe('緊急時アクセスの残り時間は5分です。');
    expect(announcement(40 * 60_000, 0)).toBe(ENDED_ANNOUNCEMENT);
    expect(announcement(0, 0)).toBeUndefined();
  });

  it('turns orange in the last ten minutes and red in the last three', () => {
    expect(urgency(11 * 60_000)).toBe('normal');
    expect(urgency(10 * 60_000)).toBe('soon');
    expect(urgency(3 * 60_000)).toBe('last');
  });
});
