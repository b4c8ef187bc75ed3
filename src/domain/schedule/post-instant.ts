import { DateTime, type IANAZone } from 'luxon';
import { parseLocalDate, type LocalDate } from './local-dates.js';
import type { PostTime } from './post-time.js';
import { requireZone } from './time-zones.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/**
 * The instant a server's post is due on a local date: the FIRST instant of that day whose
 * wall-clock time is at or after the post time. That one rule covers clock changes:
 * - normally, the moment the clock shows the post time;
 * - in a spring-forward gap (New York 2026-03-08 02:30 does not exist), the first minute after
 *   the gap, 03:00 local (luxon on its own would shift to 03:30, which is later than needed);
 * - in a fall-back overlap (New York 2026-11-01 01:30 happens twice), the first occurrence (EDT).
 * When the gap runs past midnight (America/Nuuk jumps from Saturday 23:00 to Sunday 00:00) or the
 * whole date was skipped (Pacific/Apia, 2011-12-30), no instant of that date qualifies and the
 * result is the first minute after the gap, on the NEXT date: that date's post still goes out then,
 * once (postDayAt in due.ts).
 */
export function postInstantFor(date: LocalDate, time: PostTime, zone: string): Date {
  const tz = requireZone(zone);
  // The wall-clock time read as if it were UTC; an instant t shows it iff t + offset(t) = wall.
  const wall = parseLocalDate(date).set({ hour: time.hour, minute: time.minute }).toMillis();
  const shown = (t: number) => t + tz.offset(t) * MINUTE_MS;

  // Any instant showing `wall` lies within ±15 h of it (offsets span −12 h…+14 h); the offsets in force at the
  // window's ends are those that can apply (a zone changes its clock at most once in 30 hours), read from each end
  // only: this runs for every schedule the bot reasons about, and each offset is an Intl call.
  const offsets = new Set([tz.offset(wall - 15 * HOUR_MS), tz.offset(wall + 15 * HOUR_MS)]);
  const candidates = [...offsets].map((offset) => wall - offset * MINUTE_MS);
  const exact = candidates.filter((t) => shown(t) === wall);
  if (exact.length > 0) return new Date(Math.min(...exact));
  return new Date(firstMinuteShowingAtLeast(wall, Math.min(...candidates), Math.max(...candidates), shown));
}

/**
 * In a gap the candidates bracket the transition: the earliest shows a time before `wall`, the
 * latest one after it, and the clock runs forward in between. Binary search, minute by minute.
 */
function firstMinuteShowingAtLeast(wall: number, from: number, to: number, shown: (t: number) => number): number {
  let lo = Math.floor(from / MINUTE_MS); // shows < wall
  let hi = Math.ceil(to / MINUTE_MS); // shows ≥ wall
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (shown(mid * MINUTE_MS) >= wall) hi = mid;
    else lo = mid;
  }
  return hi * MINUTE_MS;
}

/** The wall-clock reading of an instant in a zone, `YYYY-MM-DD HH:mm`, for messages and tests. */
export function wallClock(instant: Date, zone: string | IANAZone): string {
  return DateTime.fromJSDate(instant, { zone: typeof zone === 'string' ? requireZone(zone) : zone }).toFormat('yyyy-MM-dd HH:mm');
}
