import { DateTime } from 'luxon';
import { requireZone } from './time-zones.js';

/** A calendar date as `YYYY-MM-DD`, meaningful only together with a time zone. */
export type LocalDate = string;

const LOCAL_DATE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/u;

/**
 * Parses a strict `YYYY-MM-DD` into a UTC-midnight DateTime, used purely as a calendar value.
 * Strict because these strings are compared as text (`'2026-03-08' < '2026-03-09'`).
 */
export function parseLocalDate(date: LocalDate): DateTime<true> {
  const parsed = LOCAL_DATE.test(date) ? DateTime.fromISO(date, { zone: 'utc' }) : null;
  if (!parsed?.isValid) throw new RangeError(`Not a YYYY-MM-DD date: "${date}"`);
  return parsed;
}

/** The calendar date an instant falls on in a time zone. */
export function localDate(instant: Date, zone: string): LocalDate {
  return DateTime.fromJSDate(instant, { zone: requireZone(zone) }).toFormat('yyyy-MM-dd');
}

/** The date `n` calendar days later (or earlier, for negative `n`). */
export function addDays(date: LocalDate, n: number): LocalDate {
  if (!Number.isInteger(n)) throw new RangeError(`Days must be a whole number, got ${n}`);
  return parseLocalDate(date).plus({ days: n }).toFormat('yyyy-MM-dd');
}

/** `days` consecutive dates starting with `from`: `dateRange('2026-03-07', 3)` → 7th, 8th, 9th. */
export function dateRange(from: LocalDate, days: number): LocalDate[] {
  if (!Number.isInteger(days) || days < 0) throw new RangeError(`Days must be a whole number ≥ 0, got ${days}`);
  const start = parseLocalDate(from);
  return Array.from({ length: days }, (_, i) => start.plus({ days: i }).toFormat('yyyy-MM-dd'));
}
