import { sql, type Kysely } from 'kysely';

// Frozen in time: this file describes the schema as it was on its date and never imports src/.

/*
 * An import matches its similar-reading titles a statement of ~1,000 at a time, each title against its candidate
 * lessons (their trigram similarity and title-and-summary words: ~0.7 of its ~0.9 ms at 100,000 lessons). In one
 * backend that is one core for most of a big import while the other sits idle. PostgreSQL runs a statement in
 * parallel workers only when it scans a table in parallel (not a list of parameters, not a temporary table), and
 * only for expressions declared parallel safe (not a correlated subquery):
 *
 * - `headline_match_queue` holds one statement's titles (its rows written in the import's transaction, and
 *   truncated before the next: no other transaction ever sees them). Unlogged: nothing to recover after a crash.
 *   `parallel_workers` lets the planner split even a small table (below min_parallel_table_scan_size);
 * - `newsdesk_head_weight` is the weight of a title's words found in a lesson's title and summary, the
 *   expression the matching statement had as a correlated subquery.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create unlogged table headline_match_queue (
      ord int primary key,
      candidates tsquery not null,
      any_word tsquery not null,
      except_id uuid not null,
      total float8 not null,
      at_least float8 not null,
      lexemes tsquery[] not null,
      weights float8[] not null,
      folded text not null
    ) with (parallel_workers = 2)`.execute(db);
  await sql`
    create function newsdesk_head_weight(head tsvector, lexemes tsquery[], weights float8[]) returns float8
    language sql immutable parallel safe
    as $$ select coalesce(sum(w.weight), 0) from unnest(lexemes, weights) as w(lexeme, weight) where head @@ w.lexeme $$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop function newsdesk_head_weight(tsvector, tsquery[], float8[])`.execute(db);
  await sql`drop table headline_match_queue`.execute(db);
}
