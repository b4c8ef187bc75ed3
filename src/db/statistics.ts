import { sql, type Kysely } from 'kysely';
import type { DB } from './schema.js';

/**
 * The planner's statistics of the project's tables, kept as autovacuum's analyze rule would keep them: a table is
 * analyzed when it has never been (and has rows), or when more rows changed since its last analysis than 50 plus a
 * tenth of its size. Why the project does this itself: PGlite has no autovacuum, a server may run with it off
 * (this project's CI machines do), and even with it on a bulk load waits up to a minute for it. Without
 * statistics a 100,000-lesson library got plans 30× slower at 200 interactions a second (BENCHMARKS.md).
 */
export async function tablesNeedingAnalysis(db: Kysely<DB>): Promise<string[]> {
  const result = await sql<{ relname: string }>`
    select s.relname
    from pg_stat_user_tables s
    join pg_class c on c.oid = s.relid
    where s.schemaname = current_schema()
      -- Never analyzed and not empty (the row counters start at zero in a copied or restored database: its size tells).
      and ((c.reltuples < 0 and (s.n_live_tup > 0 or pg_relation_size(c.oid) > 0))
        or s.n_mod_since_analyze > 50 + 0.1 * greatest(c.reltuples, 0))
    order by s.relname`.execute(db);
  return result.rows.map((row) => row.relname);
}

/** Analyzes the tables that need it (see tablesNeedingAnalysis); returns their names. */
export async function analyzeStaleTables(db: Kysely<DB>): Promise<string[]> {
  const tables = await tablesNeedingAnalysis(db);
  for (const table of tables) await sql`analyze ${sql.table(table)}`.execute(db);
  return tables;
}

/** Every table's statistics, now: after a bulk import, whose row counts the server may not have reported yet. */
export async function analyzeAllTables(db: Kysely<DB>): Promise<void> {
  await sql`analyze`.execute(db);
}
