// Dates in the forms as Japanese forms write them (2026年12月7日(月)), whatever language the browser runs in: a
// native <input type="date"> follows the browser's locale (MM/DD/YYYY in an English browser), so the forms use a
// text input with a calendar and these two functions. The answer itself stays a FHIR date (YYYY-MM-DD).

import { formatDate } from '../pages/patient/format';

/** The first year of each era the forms may meet, in the Gregorian calendar (令和元年 = 2019). */
const ERAS: Record<string, number> = { 令和: 2018, R: 2018, 平成: 1988, H: 1988, 昭和: 1925, S: 1925 };

/** 2026年12月7日(月): the date as the input shows it (formatDate of the patient page). */
export function formatInputDate(value: string): string {
  return formatDate(value);
}

/**
 * The FHIR date (YYYY-MM-DD) of what the user typed, or null while it is no whole date: 2026-12-07, 2026/12/7,
 * 2026.12.7, 2026年12月7日 (a trailing weekday such as (月) is ignored), 令和8年12月7日, 令和元年5月1日, R8.12.7,
 * full-width digits. A day that does not exist (2月30日) is null.
 */
export function parseInputDate(text: string): string | null {
  const folded = text
    .normalize('NFKC')
    .replace(/\s+/g, '')
    .replace(/[(（][日月火水木金土][)）]$/, '')
    .replace(/元年/, '1年');
  const western = folded.match(/^(\d{4})(?:[-/.年])(\d{1,2})(?:[-/.月])(\d{1,2})日?$/);
  const japanese = folded.match(/^(令和|平成|昭和|[RHS])(\d{1,2})(?:[./年])(\d{1,2})(?:[./月])(\d{1,2})日?$/i);
  let year: number;
  let month: number;
  let day: number;
  if (western) {
    [year, month, day] = [Number(western[1]), Number(western[2]), Number(western[3])];
  } else if (japanese) {
    year = ERAS[japanese[1].toUpperCase()] + Number(japanese[2]);
    [month, day] = [Number(japanese[3]), Number(japanese[4])];
  } else {
    return null;
  }
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return null;
  }
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
