import { DateTime } from 'luxon';
import type { LocalDate } from '../schedule/local-dates.js';
import { requireZone } from '../schedule/time-zones.js';

/*
 * Streak arithmetic (issue 10), on calendar days in one time zone. A reading day is a local day with at
 * least one read. A streak walks back day by day from today (from yesterday while today has no read
 * yet): each reading day adds one; a missed day is frozen (kept, adding nothing) when the day before it
 * is a reading day and no other frozen day lies within the 6 days after it; any other missed day ends
 * the walk. Days are handled as whole numbers (days since 1970-01-01) so a walk is plain arithmetic.
 */

/** Frozen days are at least this many days apart. */
export const FREEZE_SPACING_DAYS = 7;

export interface StreakWalk {
  /** Reading days in the walk. */
  readonly length: number;
  /** The frozen days the walk went through, newest first. */
  readonly frozenDays: readonly LocalDate[];
  /** The oldest day of the walk (a reading day), or null for an empty walk. */
  readonly startedOn: LocalDate | null;
}

export interface Streaks {
  readonly current: StreakWalk;
  /** The longest walk ever, counted in reading days (never less than the current one). */
  readonly best: number;
  /** Reading days among the last 7 local days, today included. */
  readonly readingDaysLast7: number;
}

const DAY_MS = 86_400_000;
const ISO_DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/u;

/** `YYYY-MM-DD` → days since 1970-01-01. */
export function dayNumber(date: LocalDate): number {
  const match = ISO_DATE.exec(date);
  if (!match) throw new RangeError(`Not a YYYY-MM-DD date: "${date}"`);
  const [, y, m, d] = match;
  const ms = Date.UTC(Number(y), Number(m) - 1, Number(d));
  const day = ms / DAY_MS;
  if (dayToDate(day) !== date) throw new RangeError(`Not a calendar date: "${date}"`);
  return day;
}

/** Days since 1970-01-01 → `YYYY-MM-DD`. */
export function dayToDate(day: number): LocalDate {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** The local days (in `zone`) on which the given instants fall, without repeats, newest first. */
export function readingDays(instants: Iterable<Date>, zone: string): LocalDate[] {
  const tz = requireZone(zone);
  const days = new Set<LocalDate>();
  for (const instant of instants) days.add(DateTime.fromJSDate(instant, { zone: tz }).toFormat('yyyy-MM-dd'));
  return [...days].sort().reverse();
}

/** Today's date in a zone. */
export function today(now: Date, zone: string): LocalDate {
  return DateTime.fromJSDate(now, { zone: requireZone(zone) }).toFormat('yyyy-MM-dd');
}

/** Walks back from `start` (a day number) over the set of reading days. */
function walkBack(days: ReadonlySet<number>, start: number): { length: number; frozen: number[]; oldest: number | null } {
  let length = 0;
  let oldest: number | null = null;
  const frozen: number[] = [];
  let lastFrozen = Number.POSITIVE_INFINITY;
  for (let day = start; ; day -= 1) {
    if (days.has(day)) {
      length += 1;
      oldest = day;
    } else if (days.has(day - 1) && lastFrozen - day >= FREEZE_SPACING_DAYS) {
      frozen.push(day);
      lastFrozen = day;
    } else {
      return { length, frozen, oldest };
    }
  }
}

/** The current streak on `todayDate`, given the member's reading days (any order, repeats allowed). */
export function currentStreak(readingDates: Iterable<LocalDate>, todayDate: LocalDate): StreakWalk {
  const days = toDaySet(readingDates);
  const todayNumber = dayNumber(todayDate);
  const start = days.has(todayNumber) ? todayNumber : todayNumber - 1;
  const walk = walkBack(days, start);
  return {
    length: walk.length,
    frozenDays: walk.frozen.map(dayToDate),
    startedOn: walk.oldest === null ? null : dayToDate(walk.oldest),
  };
}

/**
 * The longest walk ever. A walk from a reading day whose next day is also a reading day is one shorter
 * than the walk from that next day, so only the last day of each run of reading days needs a walk.
 */
export function bestStreak(readingDates: Iterable<LocalDate>): number {
  return longestWalk(toDaySet(readingDates));
}

function longestWalk(days: ReadonlySet<number>): number {
  let best = 0;
  for (const day of days) {
    if (days.has(day + 1)) continue;
    best = Math.max(best, walkBack(days, day).length);
  }
  return best;
}

/** Everything `/progress` shows about streaks. */
export function streaks(readingDates: Iterable<LocalDate>, todayDate: LocalDate): Streaks {
  const dates = [...readingDates];
  const current = currentStreak(dates, todayDate);
  const todayNumber = dayNumber(todayDate);
  const days = toDaySet(dates);
  let readingDaysLast7 = 0;
  for (let day = todayNumber - 6; day <= todayNumber; day += 1) if (days.has(day)) readingDaysLast7 += 1;
  return { current, best: Math.max(current.length, longestWalk(days)), readingDaysLast7 };
}

function toDaySet(dates: Iterable<LocalDate>): Set<number> {
  const set = new Set<number>();
  for (const date of dates) set.add(dayNumber(date));
  return set;
}
