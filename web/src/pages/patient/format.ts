// Times and deadlines as Japanese care forms write them, in Japan's time zone whatever the device says.

const ZONE = 'Asia/Tokyo';
const DAY = 86_400_000;
const JST_OFFSET = 9 * 3_600_000; // Japan has no daylight saving time

const dateTime = new Intl.DateTimeFormat('ja-JP', {
  timeZone: ZONE,
  year: 'numeric',
  month: 'long',
  day: 'numeric',
  weekday: 'short',
  hour: '2-digit',
  minute: '2-digit',
});
const dateOnly = new Intl.DateTimeFormat('ja-JP', { timeZone: ZONE, year: 'numeric', month: 'long', day: 'numeric', weekday: 'short' });
const era = new Intl.DateTimeFormat('ja-JP-u-ca-japanese', { timeZone: ZONE, era: 'long', year: 'numeric', month: 'long', day: 'numeric' });

/** 2026年11月23日(月) 10:02 — an instant or dateTime; a date alone without the time. Empty for what is no date. */
export function formatDateTime(value: string | undefined): string {
  if (!value) {
    return '';
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    return formatDate(value);
  }
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? '' : dateTime.format(ms).replace(/\((.)\)/, '($1)');
}

/** 2026年11月23日(月) for a date (YYYY-MM-DD, read as that day in Japan) or the day of an instant. */
export function formatDate(value: string | undefined): string {
  const ms = dayStart(value);
  return ms === undefined ? '' : dateOnly.format(ms);
}

/** 令和8年11月23日: the 和暦 date that consent and advance-directive forms write. */
export function formatEraDate(value: string | undefined): string {
  const ms = dayStart(value);
  return ms === undefined ? '' : era.format(ms);
}

function dayStart(value: string | undefined): number | undefined {
  if (!value) {
    return undefined;
  }
  const date = value.match(/^(\d{4})-(\d{2})-(\d{2})$/);
  const ms = date ? Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3])) - JST_OFFSET + 12 * 3_600_000 : Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** The calendar day (days since 1970-01-01) of an instant in Japan. */
export function japanDay(ms: number): number {
  return Math.floor((ms + JST_OFFSET) / DAY);
}

export interface DeadlineState {
  /** the deadline as an instant (ISO) */
  due: string;
  /** calendar days from today to the day it is due, in Japan: 0 today, negative when past */
  daysLeft: number;
  /** past due and not met */
  overdue: boolean;
  /** what the deadline asks for happened (delivered, answered, closed) */
  met: boolean;
  /** 残り3日（期限 2026年11月25日(水)）, 本日期限, 期限超過 2日, 期限内に送達 … */
  label: string;
}

/**
 * A deadline as the list shows it. {@code met} and {@code flaggedOverdue} come from the Task (see timeline.ts): the
 * hub flags an undelivered hand-off `overdue` every minute; the app also counts one overdue the moment it is past.
 */
export function deadlineState(due: string, now: number, met: boolean, metLabel = '', flaggedOverdue = false): DeadlineState | undefined {
  const dueMs = Date.parse(due);
  if (Number.isNaN(dueMs)) {
    return undefined;
  }
  const daysLeft = japanDay(dueMs) - japanDay(now);
  const day = formatDate(due);
  const overdue = !met && (flaggedOverdue || now > dueMs);
  let label: string;
  if (met) {
    label = `期限 ${day}${metLabel ? `・${metLabel}` : ''}`;
  } else if (overdue) {
    const late = Math.max(0, -daysLeft);
    label = late === 0 ? `期限超過（期限 ${day}）` : `期限超過 ${late}日（期限 ${day}）`;
  } else if (daysLeft === 0) {
    label = `本日期限（${day}）`;
  } else {
    label = `残り${daysLeft}日（期限 ${day}）`;
  }
  return { due, daysLeft, overdue, met, label };
}
