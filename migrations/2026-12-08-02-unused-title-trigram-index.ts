import { sql, type Kysely } from 'kysely';

// Frozen in time: this file describes the schema as it was on its date and never imports src/.

/*
 * `lessons_title_trgm_idx` (a trigram GIN index over the folded title) serves no query: the only trigram work is the
 * import's similarity of a title and the candidates the `head_vector` index found, row by row. Every import still
 * wrote ~70 trigram entries a lesson into it, and it held 21 MB at 100,000 lessons with no scan recorded after
 * 2,000 commands of every kind (pg_stat_user_indexes). `down` builds it again.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists lessons_title_trgm_idx`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`create index if not exists lessons_title_trgm_idx on lessons using gin (title_fold gin_trgm_ops)`.execute(db);
}
