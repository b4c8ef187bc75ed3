import { sql, type Kysely } from 'kysely';

// Frozen in time: this file describes the schema as it was on its date and never imports src/.

/*
 * The bot's vocabulary catch-up (at every start) walks the whole library by id, 250 lessons at a time, comparing
 * each lesson's content_hash with its vocabulary's. Through `lessons_pkey` each window fetched its 250 rows from
 * the heap in id order, which is random on disk: at 100,000 lessons about 100,000 heap pages read in a few
 * minutes (the whole 195 MB table, more than PostgreSQL's default shared buffers), pushing the pages members'
 * commands use out of the buffers while it ran (BENCHMARKS.md, "The vocabulary catch-up"). With content_hash in
 * an index beside the id, a window is an index-only scan of a few leaf pages (once the table is vacuumed, which
 * autovacuum or the bot's table upkeep does after a bulk insert): 255 → 6 buffers, 28 → 1 ms a window.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index lessons_id_content_hash_idx on lessons (id) include (content_hash)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index lessons_id_content_hash_idx`.execute(db);
}
