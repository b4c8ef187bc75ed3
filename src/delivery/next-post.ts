import type { Schedule } from '../db/schedules.js';
import { addDays, firstPostingDay, localDate, nextPostDay, parsePostTime, postingInstantFrom } from '../domain/schedule/index.js';

/**
 * When the next daily post goes out. A schedule set or changed today starts at its next post time
 * (the database's rule too: firstPostingDay), so a time that already passed today means tomorrow. A post backing
 * off after a failure goes at its retry; one overdue (today's, not posted yet: resumed after its time, or its retry
 * passed) now, at the timer's next tick. Until 2026-12-07 both were shown as the post time, already past ("15 hours
 * ago"). A retry never waits past its day's end (retryAfterFailure): one that reaches it is no try, as past days are
 * never posted, and the next post is the next day's at its time (until 2026-12-07 it was shown as midnight, when
 * nothing goes out).
 */
export function nextPostFor(schedule: Schedule, now: Date, lastPosted: string | null): Date {
  const { timeZone } = schedule;
  const time = parsePostTime(schedule.postTime);
  const day = nextPostDay(now, timeZone, lastPosted);
  const planned = postingInstantFrom(firstPostingDay(day, time, timeZone, schedule.effectiveFrom), time, timeZone);
  const retryAt = schedule.failureCount > 0 && schedule.retryAt && schedule.retryAt > planned ? schedule.retryAt : null;
  const plannedDay = localDate(planned, timeZone);
  const next = retryAt && localDate(retryAt, timeZone) > plannedDay ? postingInstantFrom(addDays(plannedDay, 1), time, timeZone) : (retryAt ?? planned);
  return next >= now ? next : now;
}
