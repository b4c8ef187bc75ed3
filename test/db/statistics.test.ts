import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { upsertLesson } from '../../src/db/lessons.js';
import { analyzeAllTables, staleTables, tidyTables } from '../../src/db/statistics.js';
import { makeLesson } from '../support/lessons.js';
import { testDatabaseTargets, useTestDatabase } from '../support/databases.js';

/** Until `check` holds: the server reports a backend's row counts shortly after its transaction, not at once. */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 120; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('condition not reached');
}

describe.each(testDatabaseTargets())('planner statistics on $kind', (target) => {
  const db = useTestDatabase(target);
  const changedSinceAnalysis = async () =>
    Number((await sql<{ n: number }>`select n_mod_since_analyze::float8 as n from pg_stat_user_tables where relname = 'lessons'`.execute(db().db)).rows[0]?.n ?? 0);
  const analyzedRows = async () =>
    Number((await sql<{ n: number }>`select reltuples::float8 as n from pg_class where oid = 'lessons'::regclass`.execute(db().db)).rows[0]!.n);

  it('after a bulk load, analyzing every table gives the planner the library’s size', async () => {
    for (let i = 0; i < 60; i++) await upsertLesson(db().db, makeLesson({ title: `Statistics lesson ${i}` }));
    await analyzeAllTables(db().db);
    expect(await analyzedRows()).toBe(60);
  });

  it('finds a table with many rows changed since its analysis, analyzes it, then finds nothing to do', async () => {
    // The server reports a backend's row counts up to a second after its transaction, so each step waits for
    // every change it made to be reported: a late report after an analysis would make the table stale again.
    await eventually(async () => {
      await analyzeAllTables(db().db);
      return (await changedSinceAnalysis()) === 0;
    });
    expect((await staleTables(db().db)).analyze).not.toContain('lessons');
    for (let i = 0; i < 60; i++) await upsertLesson(db().db, makeLesson({ title: `Statistics lesson ${i}` }));
    await eventually(async () => (await changedSinceAnalysis()) >= 60);
    expect((await staleTables(db().db)).analyze).toContain('lessons');
    expect((await tidyTables(db().db, await staleTables(db().db), { vacuum: false })).analyzed).toContain('lessons');
    expect(await analyzedRows()).toBe(60);
    expect((await staleTables(db().db)).analyze).not.toContain('lessons');
  });
});
