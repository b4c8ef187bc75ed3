import { sql } from 'kysely';
import type { Executor } from './schema.js';

export interface LessonPlan {
  readonly localDate: string;
  readonly lessonId: string;
  readonly title: string;
}

/** What pinning a lesson changed besides the day's pin: the pin it replaced, and the other days it left. */
export interface PlanChanges {
  /** The other lesson that was pinned to the day, now back in the queue. */
  readonly replaced?: { readonly lessonId: string; readonly title: string };
  /** The days from `fromDate` on this lesson was pinned to, whose post had not gone out: its pins there are gone. */
  readonly movedFrom: readonly string[];
  /** The last day this lesson's daily post went out in the server, before this day: the pin is a repeat. */
  readonly postedOn?: string;
}

/**
 * Pins a lesson to a day (run in a transaction, which holds the server's plan lock to its end): the day's pin of
 * another lesson is replaced, and the lesson's pins on other days from `fromDate` (today) on whose daily post has not
 * gone out are removed (a pin moves; until 2026-12-07 the lesson stayed pinned there too and was posted on both
 * days). Pins on days already posted, or whose post is being retried after a send that may have reached Discord, stay.
 */
export async function planLesson(
  db: Executor,
  plan: { guildId: string; localDate: string; lessonId: string; plannedBy: string; fromDate: string },
): Promise<PlanChanges> {
  // One pin change of a server at a time, to the transaction's end: two moderators pinning one lesson to two days at
  // once each removed its other pins before the other's was committed, and it kept both (posted on both days).
  await sql`select pg_advisory_xact_lock(hashtext('newsdesk.lesson-plans'), hashtext(${plan.guildId}))`.execute(db);
  const previous = await db
    .selectFrom('lesson_plans')
    .innerJoin('lessons', 'lessons.id', 'lesson_plans.lesson_id')
    .select(['lesson_plans.lesson_id', 'lessons.title'])
    .where('lesson_plans.guild_id', '=', plan.guildId)
    .where('lesson_plans.local_date', '=', plan.localDate)
    .executeTakeFirst();
  const moved = await db
    .deleteFrom('lesson_plans')
    .where('guild_id', '=', plan.guildId)
    .where('lesson_id', '=', plan.lessonId)
    .where('local_date', '>=', plan.fromDate)
    .where('local_date', '<>', plan.localDate)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('deliveries')
            .select(sql`1`.as('one'))
            .where('deliveries.guild_id', '=', plan.guildId)
            .whereRef('deliveries.local_date', '=', 'lesson_plans.local_date')
            .where('deliveries.sequence', '=', 0)
            // A post being retried after a send that may have reached Discord keeps its lesson, as one gone out does.
            .where((d) => d.or([d('deliveries.status', '<>', 'failed'), d('deliveries.maybe_sent', '=', true)])),
        ),
      ),
    )
    .returning('local_date')
    .execute();
  const posted = await db
    .selectFrom('deliveries')
    .select((eb) => eb.fn.max('local_date').as('local_date'))
    .where('guild_id', '=', plan.guildId)
    .where('lesson_id', '=', plan.lessonId)
    .where('status', '=', 'sent')
    .where('local_date', '<', plan.localDate)
    .executeTakeFirst();
  await db
    .insertInto('lesson_plans')
    .values({ guild_id: plan.guildId, local_date: plan.localDate, lesson_id: plan.lessonId, planned_by: plan.plannedBy })
    .onConflict((oc) =>
      oc.columns(['guild_id', 'local_date']).doUpdateSet((eb) => ({
        lesson_id: eb.ref('excluded.lesson_id'),
        planned_by: eb.ref('excluded.planned_by'),
        created_at: sql<Date>`now()`,
      })),
    )
    .execute();
  return {
    ...(previous && previous.lesson_id !== plan.lessonId ? { replaced: { lessonId: previous.lesson_id, title: previous.title } } : {}),
    movedFrom: moved.map((row) => row.local_date).sort(),
    ...(posted?.local_date ? { postedOn: posted.local_date } : {}),
  };
}

/** Returns whether there was a plan to remove. */
export async function unplanLesson(db: Executor, guildId: string, localDate: string): Promise<boolean> {
  const result = await db
    .deleteFrom('lesson_plans')
    .where('guild_id', '=', guildId)
    .where('local_date', '=', localDate)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export async function plansBetween(db: Executor, guildId: string, from: string, to: string): Promise<LessonPlan[]> {
  const rows = await db
    .selectFrom('lesson_plans')
    .innerJoin('lessons', 'lessons.id', 'lesson_plans.lesson_id')
    .select(['lesson_plans.local_date', 'lesson_plans.lesson_id', 'lessons.title'])
    .where('lesson_plans.guild_id', '=', guildId)
    .where('lesson_plans.local_date', '>=', from)
    .where('lesson_plans.local_date', '<=', to)
    .orderBy('lesson_plans.local_date')
    .execute();
  return rows.map((row) => ({ localDate: row.local_date, lessonId: row.lesson_id, title: row.title }));
}

/**
 * The backlog in the order it plays: lessons never posted (or claimed) in this server, earliest article
 * first, leaving out lessons pinned to a later day than `fromDate` so the queue does not use them up early.
 */
export async function queuedLessonIds(db: Executor, guildId: string, fromDate: string, limit: number): Promise<string[]> {
  const rows = await backlog(db, guildId, fromDate).limit(limit).execute();
  return rows.map((row) => row.id);
}

/**
 * The lesson a server gets on one local day and where it comes from, in one round trip: the daily post's
 * (sequence 0) unless it failed before it could reach Discord (one that may have, `maybe_sent`, is resent with its
 * lesson by its retry: until 2026-12-08 preview, upcoming and `/lesson today` showed another meanwhile), else the one pinned to that day, else the head of the backlog. Each
 * part is only run if the ones before it found nothing.
 */
export async function dayLessonChoice(
  db: Executor,
  guildId: string,
  localDate: string,
): Promise<{ lessonId: string | null; source: 'delivered' | 'planned' | 'queue' | null }> {
  const row = await sql<{ delivered: string | null; planned: string | null; queued: string | null }>`
    with delivered as (
      select lesson_id from deliveries
      where guild_id = ${guildId} and local_date = ${localDate} and sequence = 0 and (status <> 'failed' or maybe_sent)
    ), planned as (
      select p.lesson_id from lesson_plans p join lessons l on l.id = p.lesson_id
      where p.guild_id = ${guildId} and p.local_date = ${localDate}
    )
    select d.lesson_id as delivered,
      case when d.lesson_id is null then (select lesson_id from planned) end as planned,
      case when d.lesson_id is null and (select lesson_id from planned) is null then (${backlog(db, guildId, localDate).limit(1)}) end as queued
    from (select (select lesson_id from delivered) as lesson_id) d`.execute(db);
  const { delivered, planned, queued } = row.rows[0] ?? { delivered: null, planned: null, queued: null };
  if (delivered) return { lessonId: delivered, source: 'delivered' };
  if (planned) return { lessonId: planned, source: 'planned' };
  return { lessonId: queued, source: queued ? 'queue' : null };
}

function backlog(db: Executor, guildId: string, fromDate: string) {
  return db
    .selectFrom('lessons')
    .select('lessons.id')
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('deliveries')
            .select(sql`1`.as('one'))
            .whereRef('deliveries.lesson_id', '=', 'lessons.id')
            .where('deliveries.guild_id', '=', guildId)
            // A claim of a day gone by that was never recorded as sent: a process died with it and its day ended
            // before any took it over; the lesson goes back to the queue rather than being lost for good.
            // A failed post that may have reached Discord is resent with its lesson by its retry: taken as a claim is.
            .where((d) =>
              d.or([
                d('deliveries.status', '=', 'sent'),
                d.and([d.or([d('deliveries.status', '=', 'claimed'), d('deliveries.maybe_sent', '=', true)]), d('deliveries.local_date', '>=', fromDate)]),
              ]),
            ),
        ),
      ),
    )
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('lesson_plans')
            .select(sql`1`.as('one'))
            .whereRef('lesson_plans.lesson_id', '=', 'lessons.id')
            .where('lesson_plans.guild_id', '=', guildId)
            .where('lesson_plans.local_date', '>', fromDate),
        ),
      ),
    )
    .orderBy('lessons.article_date')
    .orderBy('lessons.imported_at')
    .orderBy('lessons.id');
}
