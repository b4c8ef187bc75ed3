import type { Schedule } from '../db/schedules.js';
import { addDays, firstPostingDay, nextPostDay, parsePostTime, postDayEnds, postInstantFor, type LocalDate } from '../domain/schedule/index.js';

/**
 * The next daily post: when it goes out, and the day it is the post of, which is not the date it goes out on when
 * a DST gap pushed that day's post time past midnight (America/Nuuk's Saturday 23:30 goes out at Sunday 00:00).
 * A schedule set or changed today starts at its next post time (the database's rule too: firstPostingDay), so a time
 * that already passed today means tomorrow. A post backing off after a failure goes at its retry; one overdue (its
 * day's, not posted yet: resumed after its time, or its retry passed) now, at the timer's next tick. A retry never
 * waits past its day's end (retryAfterFailure): one that reaches it is no try, as past days are never posted, and the
 * next post is the next day's at its time.
 */
export function nextPostOf(schedule: Schedule, now: Date, lastPosted: string | null): { at: Date; day: LocalDate } {
  const { timeZone } = schedule;
  const time = parsePostTime(schedule.postTime);
  const day = firstPostingDay(nextPostDay(now, time, timeZone, lastPosted), time, timeZone, schedule.effectiveFrom);
  const planned = postInstantFor(day, time, timeZone);
  const retryAt = schedule.failureCount > 0 && schedule.retryAt && schedule.retryAt > planned ? schedule.retryAt : null;
  const next =
    retryAt && retryAt >= postDayEnds(day, time, timeZone)
      ? { at: postInstantFor(addDays(day, 1), time, timeZone), day: addDays(day, 1) }
      : { at: retryAt ?? planned, day };
  return next.at >= now ? next : { at: now, day: next.day };
}
