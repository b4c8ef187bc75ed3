import { addDays, localDate, type LocalDate } from './local-dates.js';
import { postInstantFor } from './post-instant.js';
import type { PostTime } from './post-time.js';

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
  const today = localDate(now, zone);
  const day = postedOnOrAfter(lastPostedLocalDate, today) ? addDays(lastPostedLocalDate as LocalDate, 1) : today;
  return postInstantFor(day, time, zone);
}
