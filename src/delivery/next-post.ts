import type { Schedule } from '../db/schedules.js';
import { firstPostingDay, nextPostDay, parsePostTime, postingInstantFrom } from '../domain/schedule/index.js';

/**
 * When the next daily post goes out. A schedule set or changed today starts at its next post time
 * (the database's rule too: firstPostingDay), so a time that already passed today means tomorrow. A post backing
 * off after a failure goes at its retry; one overdue (today's, not posted yet: resumed after its time, or its retry
 * passed) now, at the timer's next tick. Until 2026-12-07 both were shown as the post time, already past ("15 hours
 * ago").
 */
export function nextPostFor(schedule: Schedule, now: Date, lastPosted: string | null): Date {
  const time = parsePostTime(schedule.postTime);
  const day = nextPostDay(now, schedule.timeZone, lastPosted);
  const planned = postingInstantFrom(firstPostingDay(day, time, schedule.timeZone, schedule.effectiveFrom), time, schedule.timeZone);
  const retry = schedule.failureCount > 0 && schedule.retryAt && schedule.retryAt > planned ? schedule.retryAt : planned;
  return retry >= now ? retry : now;
}
