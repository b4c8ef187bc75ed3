import type { Kysely } from 'kysely';
import { dailyDelivery, type Delivery } from '../db/deliveries.js';
import { dayLessonChoice, plansBetween, queuedLessonIds } from '../db/lesson-plans.js';
import type { DB } from '../db/schema.js';
import { addDays } from '../domain/schedule/index.js';

/**
 * `no-post`: today gets no daily post (its time passed before the schedule was set or changed): no lesson is used.
 * `retried` and `posting` (upcomingLessons only): the day's post failed after a send that may have reached the channel,
 * and its retry resends its lesson; or it is only claimed (under way, or left by a crashed process and taken over).
 * lessonForDay counts both as `delivered`, the lesson it takes.
 */
export type DayLessonSource = 'delivered' | 'retried' | 'posting' | 'planned' | 'queue' | 'no-post';

export interface DayLesson {
  readonly localDate: string;
  readonly lessonId: string | null;
  readonly source: DayLessonSource | null;
}

/**
 * The lesson a server gets on one local day: the one its daily post already claimed (or sent), else the
 * one pinned to that day, else the head of its backlog. A claim left by a crashed process must keep its
 * lesson: the backlog no longer offers it, and it may have been the last one.
 */
export async function lessonForDay(db: Kysely<DB>, guildId: string, localDate: string): Promise<DayLesson> {
  return { localDate, ...(await dayLessonChoice(db, guildId, localDate)) };
}

/**
 * The next `days` days from `today` and the lesson each will get, as delivery will choose them:
 * a day's post if it already went out, pinned lessons on their days, the backlog in order on the others.
 * `firstPostDay` (the local day of the next post; today by default): the days before it that have no post of their
 * own take no lesson (today, when a schedule set after today's time starts tomorrow), and the backlog starts on it,
 * as the posts will. A day before it may have its post already: a server that moved its zone west after a post
 * (Tokyo's 2026-12-08 posted on 7 December in UTC) posts nothing on that day, and until 2026-12-07 upcoming and
 * preview gave that day the backlog's head, every later day one lesson too early.
 */
export async function upcomingLessons(db: Kysely<DB>, guildId: string, today: string, days: number, firstPostDay = today): Promise<DayLesson[]> {
  const last = addDays(today, days - 1);
  const before: string[] = [];
  for (let day = today; day < firstPostDay && day <= last; day = addDays(day, 1)) before.push(day);
  const [deliveredBefore, delivered, plans, queue] = await Promise.all([
    Promise.all(before.map((day) => dailyDelivery(db, guildId, day))),
    dailyDelivery(db, guildId, firstPostDay),
    plansBetween(db, guildId, today, last),
    queuedLessonIds(db, guildId, today, days),
  ]);
  // A pin on a day before the first post (today, with no post of its own) is never taken: its lesson stays in the
  // backlog, as the next posts' choice keeps it (until 2026-12-07 upcoming and preview left it out, every day after one
  // lesson ahead of what its post took).
  const planned = new Map(plans.filter((plan) => plan.localDate >= firstPostDay).map((plan) => [plan.localDate, plan.lessonId]));
  const backlog = queue.filter((id) => ![...planned.values()].includes(id));
  const result: DayLesson[] = [];
  for (let i = 0; i < days; i++) {
    const localDate = addDays(today, i);
    if (localDate < firstPostDay) {
      const posted = deliveredBefore[i];
      result.push(posted && keepsItsLesson(posted) ? { localDate, lessonId: posted.lessonId, source: keptSource(posted) } : { localDate, lessonId: null, source: 'no-post' });
      continue;
    }
    if (localDate === firstPostDay && delivered && keepsItsLesson(delivered)) {
      result.push({ localDate, lessonId: delivered.lessonId, source: keptSource(delivered) });
      continue;
    }
    const pinned = planned.get(localDate);
    if (pinned) {
      result.push({ localDate, lessonId: pinned, source: 'planned' });
      continue;
    }
    const next = backlog.shift();
    result.push({ localDate, lessonId: next ?? null, source: next ? 'queue' : null });
  }
  return result;
}

/**
 * Whether a day's daily post has its lesson for good: claimed or sent, or failed after a send that may have reached
 * Discord (its retry resends that lesson, as dayLessonChoice takes it). Only a post that failed before it could reach
 * the channel gives its day back to the plan or the queue.
 */
export function keepsItsLesson(delivery: Delivery): boolean {
  return delivery.status !== 'failed' || delivery.maybeSent;
}

/** A post that keeps its lesson: gone out, going out (claimed), or being retried after a send that may have reached Discord. */
function keptSource(delivery: Delivery): 'delivered' | 'retried' | 'posting' {
  return delivery.status === 'failed' ? 'retried' : delivery.status === 'claimed' ? 'posting' : 'delivered';
}
