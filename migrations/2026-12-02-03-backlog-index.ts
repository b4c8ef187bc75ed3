import { sql, type Kysely } from 'kysely';

// Frozen in time: this file describes the schema as it was on its date and never imports src/.

/*
 * A server's backlog in the order it plays (article date, then import time, then id): `/lesson today` before
 * the day's post, and the scheduler, walk it from the start past every lesson already posted there. With only
 * `lessons_article_date_idx` (article_date desc, id) each walk re-sorted its rows and matched them against the
 * server's posts in a nested loop: about 7 ms for a server with a year of posts over 100,000 lessons, growing
 * with every post. In this order, and with the columns in the index, it is an index-only walk with one probe
 * of `deliveries_lesson_idx` per lesson (under 1 ms).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index lessons_backlog_idx on lessons (article_date, imported_at, id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index lessons_backlog_idx`.execute(db);
}
