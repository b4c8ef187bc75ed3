import { sql, type Kysely } from 'kysely';
import type { DB } from './schema.js';

/** Tables past autovacuum's rules (its defaults), from one read of the statistics views; a table may be in both lists. */
export interface StaleTables {
  /**
   * Past a vacuum rule: more dead row versions than 50 plus a fifth of the table (the progress counters are
   * rewritten on every opening, and with nothing vacuuming them their pages fill with dead versions that every
   * later read and write steps over), or more rows inserted since the last vacuum than 1,000 plus a fifth (a bulk
   * load: vacuum sets its rows' hint bits and the visibility map once, rather than members' first reads each
   * paying for their pages).
   */
  readonly vacuum: string[];
  /**
   * Past the analysis rule: never analyzed and not empty, or more rows changed since the last analysis than 50
   * plus a tenth of the table. Without statistics a 100,000-lesson library got plans 30× slower at 200
   * interactions a second (BENCHMARKS.md).
   */
  readonly analyze: string[];
}

/**
 * Why the project keeps its tables itself: PGlite has no autovacuum, a server may run with it off (this
 * project's CI machines do), and even with it on a bulk load waits up to a minute for it.
 */
export async function staleTables(db: Kysely<DB>): Promise<StaleTables> {
  const result = await sql<{ relname: string; vacuum: boolean; analyze: boolean }>`
    select s.relname,
      (s.n_dead_tup > 50 + 0.2 * greatest(c.reltuples, 0) or s.n_ins_since_vacuum > 1000 + 0.2 * greatest(c.reltuples, 0)) as vacuum,
      -- Never analyzed and not empty (the row counters start at zero in a copied or restored database: its size tells).
      ((c.reltuples < 0 and (s.n_live_tup > 0 or pg_relation_size(c.oid) > 0))
        or s.n_mod_since_analyze > 50 + 0.1 * greatest(c.reltuples, 0)) as analyze
    from pg_stat_user_tables s
    join pg_class c on c.oid = s.relid
    where s.schemaname = current_schema()
    order by s.relname`.execute(db);
  return {
    vacuum: result.rows.filter((row) => row.vacuum).map((row) => row.relname),
    analyze: result.rows.filter((row) => row.analyze).map((row) => row.relname),
  };
}

/**
 * Does what `stale` lists: `VACUUM` of the tables past a vacuum rule (with `vacuum`: where no autovacuum runs),
 * `(ANALYZE)` with it for those past the analysis rule too, then `ANALYZE` of the other stale ones (always: even a
 * running autovacuum takes up to a minute). Start-up and each round of the table upkeep. A table just analyzed
 * is not analyzed again: after a big import the CLI analyzes every table, and the next opening vacuumed and
 * analyzed `lessons` and `similar_readings` once more (~0.5 s of the 0.75 s at 10,000 lessons).
 */
export async function tidyTables(
  db: Kysely<DB>,
  stale: StaleTables,
  options: { vacuum: boolean; /** Pass over a table another session holds (VACUUM, ANALYZE, an index built): see vacuumTable. */ skipLocked?: boolean },
): Promise<{ vacuumed: string[]; analyzed: string[] }> {
  const vacuumed = options.vacuum ? stale.vacuum : [];
  const analyzed = stale.analyze.filter((table) => !vacuumed.includes(table));
  const skipLocked = options.skipLocked === true;
  for (const table of vacuumed) await vacuumTable(db, table, { analyze: stale.analyze.includes(table), skipLocked });
  for (const table of analyzed) await analyzeTable(db, table, { skipLocked });
  return { vacuumed, analyzed };
}

/** Every table's statistics, now: after a bulk import, whose row counts the server may not have reported yet. */
export async function analyzeAllTables(db: Kysely<DB>): Promise<void> {
  await sql`analyze`.execute(db);
}

/** Whether the server's autovacuum runs (PostgreSQL's `autovacuum` and the `track_counts` it needs are both on). */
export async function autovacuumEnabled(db: Kysely<DB>): Promise<boolean> {
  const result = await sql<{ on: boolean }>`
    select current_setting('autovacuum') = 'on' and current_setting('track_counts') = 'on' as on`.execute(db);
  return result.rows[0]?.on === true;
}

/**
 * Vacuums a table, with `analyze` refreshing its statistics too (VACUUM cannot run in a transaction: pass `db`, not a
 * transaction). `skipLocked`: a table another session holds is passed over (PostgreSQL warns) instead of waited for.
 */
export async function vacuumTable(db: Kysely<DB>, table: string, options: { analyze: boolean; skipLocked?: boolean }): Promise<void> {
  const settings = vacuumSettings({ analyze: options.analyze, skip_locked: options.skipLocked === true });
  await sql`vacuum ${settings}${sql.table(table)}`.execute(db);
}

/** Analyzes one table (`skipLocked`: as vacuumTable's). */
export async function analyzeTable(db: Kysely<DB>, table: string, options: { skipLocked?: boolean } = {}): Promise<void> {
  await sql`analyze ${vacuumSettings({ skip_locked: options.skipLocked === true })}${sql.table(table)}`.execute(db);
}

/** `(analyze, skip_locked) ` for the options that are on (fixed words, no input), or nothing. */
function vacuumSettings(on: { readonly analyze?: boolean; readonly skip_locked: boolean }) {
  const words = (['analyze', 'skip_locked'] as const).filter((word) => on[word] === true);
  return words.length > 0 ? sql.raw(`(${words.join(', ')}) `) : sql``;
}
