import { sql } from 'kysely';
import type { Executor } from './schema.js';

export interface LessonPlan {
  readonly localDate: string;
  readonly lessonId: string;
  readonly title: string;
}

export async function planLesson(
  db: Executor,
  plan: { guildId: string; localDate: string; lessonId: string; plannedBy: string },
): Promise<void> {
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
 * (sequence 0) unless it failed, else the one pinned to that day, else the head of the backlog. Each
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
      where guild_id = ${guildId} and local_date = ${localDate} and sequence = 0 and status <> 'failed'
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
            .where((d) => d.or([d('deliveries.status', '=', 'sent'), d.and([d('deliveries.status', '=', 'claimed'), d('deliveries.local_date', '>=', fromDate)])])),
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
