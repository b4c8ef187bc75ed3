import { addDays, localDate, type LocalDate } from './local-dates.js';
import { postInstantFor, wallClock } from './post-instant.js';
import { formatPostTime, type PostTime } from './post-time.js';

/*
 * The rule, mirrored by the SQL that picks due servers:
 *   a server is due iff no post exists for today's local date or a later one,
 *   and now ≥ postInstantFor(today, post time, zone).
 * "Or a later one": if a server moves its zone westward, "today" can fall before the date it last
 * posted; counting that as posted avoids a second post within hours. Past days are never caught
 * up: a post missed while the bot was down is only due for the rest of the same local day.
 */

function postedOnOrAfter(lastPostedLocalDate: LocalDate | null, date: LocalDate): boolean {
  if (lastPostedLocalDate === null) return false;
  addDays(lastPostedLocalDate, 0); // validates: the comparison below is textual
  return lastPostedLocalDate >= date;
}

/** Whether the server's post for its current local day should go out now. */
export function isDue(now: Date, time: PostTime, zone: string, lastPostedLocalDate: LocalDate | null): boolean {
  const today = localDate(now, zone);
  if (postedOnOrAfter(lastPostedLocalDate, today)) return false;
  return now.getTime() >= postInstantFor(today, time, zone).getTime();
}

/**
 * When the server's next post is due. If today (local) has not been posted this is today's post
 * instant, EVEN IF IT HAS PASSED: the post is overdue and should go out now (catching up), so a
 * timer set for `max(0, result - now)` fires at once. Otherwise it is the first unposted day's instant.
 * Invariant: isDue(now, …) === (nextPostTime(now, …) <= now).
 */
export function nextPostTime(now: Date, time: PostTime, zone: string, lastPostedLocalDate: LocalDate | null): Date {
  return postingInstantFrom(nextPostDay(now, zone, lastPostedLocalDate), time, zone);
}

/**
 * The instant of the first post from `day` on: that day's, unless its post time never shows on that day's clock
 * (a gap past midnight: America/Nuuk's Saturday 23:30 on 2026-03-28 never comes; a skipped date), where isDue
 * never fires: then the next day's.
 */
export function postingInstantFrom(day: LocalDate, time: PostTime, zone: string): Date {
  let date = day;
  for (let tries = 1; ; tries += 1) {
    const instant = postInstantFor(date, time, zone);
    // A zone skips at most one date (Pacific/Apia, 2011-12-30): the third try is always on its own date.
    if (localDate(instant, zone) === date || tries === 3) return instant;
    date = addDays(date, 1);
  }
}

/** The local date of the next post (nextPostTime's): today, unless today or a later day was posted. */
export function nextPostDay(now: Date, zone: string, lastPostedLocalDate: LocalDate | null): LocalDate {
  const today = localDate(now, zone);
  return postedOnOrAfter(lastPostedLocalDate, today) ? addDays(lastPostedLocalDate as LocalDate, 1) : today;
}

/**
 * A schedule set (or changed) at `setAt` starts at its next post time: the first day from `day` on whose post time,
 * read on the zone's wall clock, is at or after the wall clock's minute at `setAt`. Read on the wall clock, not
 * as instants, so that the SQL due query applies the very same rule (`effective_from` in dueSchedules): around a
 * clock change PostgreSQL and this module map a wall time that does not exist, or exists twice, to different instants.
 */
export function firstPostingDay(day: LocalDate, time: PostTime, zone: string, setAt: Date): LocalDate {
  return `${day} ${formatPostTime(time)}` >= wallClock(setAt, zone) ? day : addDays(day, 1);
}
