import { addDays, localDate, type LocalDate } from './local-dates.js';
import { postInstantFor, wallClock } from './post-instant.js';
import { formatPostTime, type PostTime } from './post-time.js';

/*
 * The rule, mirrored by the SQL that picks due servers:
 *   a server is due iff no post exists for its current post day (postDayAt) or a later one,
 *   and now ≥ postInstantFor(that day, post time, zone).
 * "Or a later one": if a server moves its zone westward, "today" can fall before the date it last
 * posted; counting that as posted avoids a second post within hours. Past days are never caught
 * up: a post missed while the bot was down is only due for the rest of its post day (postDayEnds).
 * Each day's post goes out once: at its time, or where the clock skips that time (a DST gap) at the first
 * minute after the gap, also when the gap runs past midnight (then at the next date's first minute, still as
 * that day's post); a time the clock shows twice posts at the first, the day then being posted.
 */

function postedOnOrAfter(lastPostedLocalDate: LocalDate | null, date: LocalDate): boolean {
  if (lastPostedLocalDate === null) return false;
  addDays(lastPostedLocalDate, 0); // validates: the comparison below is textual
  return lastPostedLocalDate >= date;
}

/**
 * The day whose post is current at `now`: today, except before today's post time when yesterday's post time
 * never showed on yesterday's clock (a gap that ran into today: America/Nuuk's Saturday 23:30 on 2026-03-28 goes
 * out at Sunday 00:00 as Saturday's post); then yesterday, until today's post time.
 */
export function postDayAt(now: Date, time: PostTime, zone: string): LocalDate {
  const today = localDate(now, zone);
  if (now.getTime() >= postInstantFor(today, time, zone).getTime()) return today;
  const yesterday = addDays(today, -1);
  return localDate(postInstantFor(yesterday, time, zone), zone) === today ? yesterday : today;
}

/**
 * When a day's post can no longer go out (nor be retried): the start of the next date, or for a post that went
 * over midnight into it (a gap), the next day's post instant.
 */
export function postDayEnds(day: LocalDate, time: PostTime, zone: string): Date {
  const next = addDays(day, 1);
  return localDate(postInstantFor(day, time, zone), zone) === day ? postInstantFor(next, MIDNIGHT, zone) : postInstantFor(next, time, zone);
}

const MIDNIGHT: PostTime = { hour: 0, minute: 0 };

/** Whether the server's post for its current post day should go out now. */
export function isDue(now: Date, time: PostTime, zone: string, lastPostedLocalDate: LocalDate | null): boolean {
  const day = postDayAt(now, time, zone);
  if (postedOnOrAfter(lastPostedLocalDate, day)) return false;
  return now.getTime() >= postInstantFor(day, time, zone).getTime();
}

/**
 * When the server's next post is due. If the current post day has not been posted this is its post
 * instant, EVEN IF IT HAS PASSED: the post is overdue and should go out now (catching up), so a
 * timer set for `max(0, result - now)` fires at once. Otherwise it is the first unposted day's instant.
 * Invariant: isDue(now, …) === (nextPostTime(now, …) <= now).
 */
export function nextPostTime(now: Date, time: PostTime, zone: string, lastPostedLocalDate: LocalDate | null): Date {
  return postInstantFor(nextPostDay(now, time, zone, lastPostedLocalDate), time, zone);
}

/** The day of the next post (nextPostTime's): the current post day, unless it or a later day was posted. */
export function nextPostDay(now: Date, time: PostTime, zone: string, lastPostedLocalDate: LocalDate | null): LocalDate {
  const day = postDayAt(now, time, zone);
  return postedOnOrAfter(lastPostedLocalDate, day) ? addDays(lastPostedLocalDate as LocalDate, 1) : day;
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
