// The grant's countdown (the hub's `until`): shown every second, announced to screen readers only at a few steps.

/** Minutes left at which the live region speaks (a polite announcement each, not every second). */
export const ANNOUNCE_AT_MINUTES = [30, 15, 10, 5, 3, 1] as const;

export interface Remaining {
  /** milliseconds left, 0 once ended */
  ms: number;
  ended: boolean;
  /** 59:58, 1:02:03 for an hour or more */
  clock: string;
  /** 残り59分58秒 (the clock's words, for the accessible name) */
  words: string;
}

export function remaining(until: number, now: number): Remaining {
  const ms = Math.max(0, until - now);
  // whole seconds rounded up: 0:00 only when the grant has really ended
  const total = Math.ceil(ms / 1000);
  const [h, m, s] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
  const pad = (n: number) => String(n).padStart(2, '0');
  const clock = h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
  const words = '残り' + (h > 0 ? `${h}時間` : '') + (h > 0 || m > 0 ? `${m}分` : '') + `${s}秒`;
  return { ms, ended: ms === 0, clock, words };
}

/**
 * What the live region says when the time left goes from `before` to `after` (ms): a step crossed (残り10分です), the end,
 * or nothing. Only the smallest step crossed is said, so a tab woken after a long sleep says one thing, not six.
 */
export function announcement(before: number, after: number): string | undefined {
  if (after <= 0 && before > 0) {
    return ENDED_ANNOUNCEMENT;
  }
  const crossed = ANNOUNCE_AT_MINUTES.filter((minutes) => before > minutes * 60_000 && after <= minutes * 60_000);
  if (crossed.length === 0) {
    return undefined;
  }
  const minutes = Math.min(...crossed);
  return `緊急時アクセスの残り時間は${minutes}分です。`;
}

export const ENDED_ANNOUNCEMENT = '緊急時アクセスの期限が切れました。表示していた患者の情報は画面から消去しました。';

/** The time the grant ends, in Japan: 04:02 */
export function endTime(until: number): string {
  return new Intl.DateTimeFormat('ja-JP', { timeZone: 'Asia/Tokyo', hour: '2-digit', minute: '2-digit' }).format(until);
}

/** The severity shown: calm while there is time, orange in the last ten minutes, red in the last three. */
export function urgency(ms: number): 'normal' | 'soon' | 'last' {
  return ms <= 3 * 60_000 ? 'last' : ms <= 10 * 60_000 ? 'soon' : 'normal';
}
