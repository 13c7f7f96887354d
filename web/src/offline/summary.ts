// The outbox list's line for a visit, in Japan time whatever the device's zone: 「バイタル・訪問記録 12月7日 10:30」.

const FORMAT = new Intl.DateTimeFormat('ja-JP', {
  timeZone: 'Asia/Tokyo',
  month: 'numeric',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** 12月7日 10:30 (Japan time). */
export function shortJapaneseTime(at: Date): string {
  const parts = Object.fromEntries(FORMAT.formatToParts(at).map((p) => [p.type, p.value]));
  return `${parts.month}月${parts.day}日 ${parts.hour}:${parts.minute}`;
}

/** The summary of a visiting nurse's record for the outbox: what it is and when the visit was. */
export function visitSummary(at: Date, what = 'バイタル・訪問記録'): string {
  return `${what} ${shortJapaneseTime(at)}`;
}
