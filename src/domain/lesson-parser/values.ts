import { DateTime } from 'luxon';
import { isValidTimeZone } from '../schedule/time-zones.js';

/**
 * Value checks shared by the export and JSON readers, so both formats accept exactly the
 * same lessons. Each returns the normalised value, or null when the value is unusable.
 */

export { normaliseUuid } from '../uuid.js';

export function isHttpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const { protocol, hostname } = new URL(value);
  return (protocol === 'http:' || protocol === 'https:') && hostname !== '';
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/u;

/** A real calendar date written YYYY-MM-DD (rejects 2025-02-30). */
export function isIsoDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  return match !== null && calendarDate(Number(match[1]), Number(match[2]), Number(match[3])) !== null;
}

function calendarDate(year: number, month: number, day: number): string | null {
  const date = DateTime.fromObject({ year, month, day }, { zone: 'utc' });
  return date.isValid ? date.toISODate() : null;
}

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

/** `Sep`, `Sept.` and `September` all name month 9: any prefix of at least three letters. */
function monthNumber(name: string): number | null {
  const lower = name.toLowerCase();
  if (lower.length < 3) return null;
  const index = MONTHS.findIndex((month) => month.startsWith(lower));
  return index === -1 ? null : index + 1;
}

const MONTH_DAY_YEAR = /^(\p{L}+)\.? (\d{1,2}),? (\d{4})$/u;
const DAY_MONTH_YEAR = /^(\d{1,2}) (\p{L}+)\.?,? (\d{4})$/u;
const NUMERIC_DATE = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/u;

/** Reads the export's article date (`May 31, 2025`, `31 May 2025`, `2025-05-31`, `2025/5/31`) as YYYY-MM-DD. */
export function parseExportDate(value: string): string | null {
  const mdy = MONTH_DAY_YEAR.exec(value);
  if (mdy) return namedMonthDate(mdy[3], mdy[1], mdy[2]);
  const dmy = DAY_MONTH_YEAR.exec(value);
  if (dmy) return namedMonthDate(dmy[3], dmy[2], dmy[1]);
  const numeric = NUMERIC_DATE.exec(value);
  if (numeric) return calendarDate(Number(numeric[1]), Number(numeric[2]), Number(numeric[3]));
  return null;
}

function namedMonthDate(year = '', month = '', day = ''): string | null {
  const monthNo = monthNumber(month);
  return monthNo === null ? null : calendarDate(Number(year), monthNo, Number(day));
}

const EXPORT_TIME = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/u;

/**
 * Reads an export timestamp (`2025/06/02 07:14`, seconds optional) as wall-clock time in `zone`
 * and returns it as a UTC ISO string. A time that a DST change skips is moved forward by luxon,
 * which is the best reading of a clock that was never shown.
 */
export function parseExportTime(value: string, zone: string): string | null {
  const match = EXPORT_TIME.exec(value);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map((part) => Number(part ?? '0'));
  const time = DateTime.fromObject({ year, month, day, hour, minute, second }, { zone });
  return time.isValid ? utcIso(time) : null;
}

/**
 * ISO 8601 with an explicit `Z` or offset; local times are refused because their instant is unknown. An offset is
 * one a clock can have (−14:00 to +14:00, minutes 00–59): luxon reads `+99:99` as 100 hours and moves the time days.
 */
const ISO_TIME_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-](?:0\d|1[0-4]):?[0-5]\d)$/iu;

export function normaliseIsoTime(value: string): string | null {
  if (!ISO_TIME_WITH_OFFSET.test(value)) return null;
  const time = DateTime.fromISO(value, { setZone: true });
  return time.isValid ? utcIso(time) : null;
}

/** Always `YYYY-MM-DDTHH:mm:ss.sssZ`; a year outside 0000–9999 would not survive a round trip, so it is refused. */
function utcIso(time: DateTime): string | null {
  const iso = new Date(time.toMillis()).toISOString();
  return /^\d{4}-/u.test(iso) ? iso : null;
}

/** True when luxon knows the zone (IANA names like `Asia/Tokyo`, or `UTC`). */
export function isKnownZone(zone: string): boolean {
  return isValidTimeZone(zone);
}
