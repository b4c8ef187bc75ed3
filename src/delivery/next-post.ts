import type { Schedule } from '../db/schedules.js';
import { localDate, nextPostTime, parsePostTime } from '../domain/schedule/index.js';

/**
 * When the next daily post goes out. A schedule set or changed today starts at its next post time
 * (the database's rule too), so a time that already passed today means tomorrow.
 */
export function nextPostFor(schedule: Schedule, now: Date, lastPosted: string | null): Date {
  const time = parsePostTime(schedule.postTime);
  const next = nextPostTime(now, time, schedule.timeZone, lastPosted);
  const startsAt = Math.floor(schedule.effectiveFrom.getTime() / 60_000) * 60_000;
  if (next.getTime() >= startsAt) return next;
  return nextPostTime(now, time, schedule.timeZone, localDate(next, schedule.timeZone));
}
