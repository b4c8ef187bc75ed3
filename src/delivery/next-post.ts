import type { Schedule } from '../db/schedules.js';
import { firstPostingDay, nextPostDay, parsePostTime, postingInstantFrom } from '../domain/schedule/index.js';

/**
 * When the next daily post goes out. A schedule set or changed today starts at its next post time
 * (the database's rule too: firstPostingDay), so a time that already passed today means tomorrow.
 */
export function nextPostFor(schedule: Schedule, now: Date, lastPosted: string | null): Date {
  const time = parsePostTime(schedule.postTime);
  const day = nextPostDay(now, schedule.timeZone, lastPosted);
  return postingInstantFrom(firstPostingDay(day, time, schedule.timeZone, schedule.effectiveFrom), time, schedule.timeZone);
}
