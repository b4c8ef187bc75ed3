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
  for (const table of tables) await analyzeTable(db, table);
  return tables;
}

/**
 * At start-up, before the bot takes interactions: tables past autovacuum's vacuum rule are vacuumed (with
 * `vacuum`: where no autovacuum runs; a library whose reading history was loaded in bulk leaves the counters
 * full of dead row versions), then stale ones analyzed (always: even a running autovacuum takes up to a minute).
 */
export async function tidyTables(db: Kysely<DB>, options: { vacuum: boolean }): Promise<{ vacuumed: string[]; analyzed: string[] }> {
  const vacuumed = options.vacuum ? await tablesNeedingVacuum(db) : [];
  for (const table of vacuumed) await vacuumAndAnalyze(db, table);
  return { vacuumed, analyzed: await analyzeStaleTables(db) };
}

/** Every table's statistics, now: after a bulk import, whose row counts the server may not have reported yet. */
export async function analyzeAllTables(db: Kysely<DB>): Promise<void> {
  await sql`analyze`.execute(db);
}

/**
 * Tables past one of autovacuum's two vacuum rules (its defaults): more dead row versions than 50 plus a fifth of
 * the table (the progress counters are rewritten on every opening, and with nothing vacuuming them their pages
 * fill with dead versions that every later read and write of them steps over), or more rows inserted since the
 * last vacuum than 1,000 plus a fifth of the table (a bulk load: vacuum sets its rows' hint bits and the
 * visibility map once, rather than members' first reads each paying for their pages).
 */
export async function tablesNeedingVacuum(db: Kysely<DB>): Promise<string[]> {
  const result = await sql<{ relname: string }>`
    select s.relname
    from pg_stat_user_tables s
    join pg_class c on c.oid = s.relid
    where s.schemaname = current_schema()
      and (s.n_dead_tup > 50 + 0.2 * greatest(c.reltuples, 0) or s.n_ins_since_vacuum > 1000 + 0.2 * greatest(c.reltuples, 0))
    order by s.relname`.execute(db);
  return result.rows.map((row) => row.relname);
}

/** Whether the server's autovacuum runs (PostgreSQL's `autovacuum` and the `track_counts` it needs are both on). */
export async function autovacuumEnabled(db: Kysely<DB>): Promise<boolean> {
  const result = await sql<{ on: boolean }>`
    select current_setting('autovacuum') = 'on' and current_setting('track_counts') = 'on' as on`.execute(db);
  return result.rows[0]?.on === true;
}

/** Vacuums a table and refreshes its statistics (VACUUM cannot run in a transaction: pass `db`, not a transaction). */
export async function vacuumAndAnalyze(db: Kysely<DB>, table: string): Promise<void> {
  await sql`vacuum (analyze) ${sql.table(table)}`.execute(db);
}

/** Analyzes one table. */
export async function analyzeTable(db: Kysely<DB>, table: string): Promise<void> {
  await sql`analyze ${sql.table(table)}`.execute(db);
}

/** The advisory lock key of the table upkeep: an arbitrary constant no other code of the project uses. */
const UPKEEP_LOCK_KEY = 7_240_113_001;

/**
 * A session-level lock that one process of a cluster holds while it does the upkeep, so processes sharing a
 * database do not vacuum the same tables side by side. False when another session holds it.
 */
export async function tryUpkeepLock(db: Kysely<DB>): Promise<boolean> {
  const result = await sql<{ locked: boolean }>`select pg_try_advisory_lock(${UPKEEP_LOCK_KEY}::bigint) as locked`.execute(db);
  return result.rows[0]?.locked === true;
}

export async function releaseUpkeepLock(db: Kysely<DB>): Promise<void> {
  await sql`select pg_advisory_unlock(${UPKEEP_LOCK_KEY}::bigint)`.execute(db);
}
