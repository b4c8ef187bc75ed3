import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { upsertLesson } from '../../src/db/lessons.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { openMigratedDatabase } from '../../src/db/open-from-config.js';
import { analyzeAllTables, staleTables } from '../../src/db/statistics.js';
import { createScratchPostgres } from '../support/databases.js';
import { makeLesson } from '../support/lessons.js';
import { until } from '../support/ports.js';

/*
 * At its start the bot analyzes the tables written since their last analysis (and vacuums them where no autovacuum
 * runs). A table another session holds meanwhile (another process's table upkeep vacuuming it, an operator's
 * index build: locks that conflict with ANALYZE's) is passed over: the start does not wait for it. PostgreSQL only
 * (PGlite has one connection, the bot's).
 */

const url = process.env.TEST_DATABASE_URL;

describe.runIf(url)('the start-up tidy beside a table another session holds', () => {
  let scratch: { url: string; drop(): Promise<void> };
  let holder: pg.Client | undefined;

  beforeAll(async () => {
    scratch = await createScratchPostgres(url!);
    const setUp = await openDatabase({ url: scratch.url, dataDir: 'unused', maxConnections: 1 });
    try {
      await migrateToLatest(setUp.db);
      await analyzeAllTables(setUp.db);
      for (let i = 0; i < 60; i++) await upsertLesson(setUp.db, makeLesson({ title: `Loaded by another process ${i}` }));
      // The server reports a backend's row counts shortly after its transactions.
      await until(async () => (await staleTables(setUp.db)).analyze.includes('lessons'), (stale) => stale, 10_000);
    } finally {
      await setUp.close();
    }
  });
  afterAll(async () => {
    await holder?.end().catch(() => undefined);
    await scratch?.drop();
  });

  it('starts while lessons is held, leaving that table for later, and analyzes it once it is free', async () => {
    holder = new pg.Client({ connectionString: scratch.url });
    await holder.connect();
    await holder.query('begin');
    // What a VACUUM or ANALYZE of another session holds.
    await holder.query('lock table lessons in share update exclusive mode');

    const started = openMigratedDatabase({ DATABASE_URL: scratch.url, DATA_DIR: 'unused' });
    const outcome = await Promise.race([
      started.then(() => 'started' as const),
      new Promise<'still waiting'>((resolve) => setTimeout(() => resolve('still waiting'), 20_000)),
    ]);
    expect(outcome).toBe('started');
    const database = await started;
    try {
      // Still held, still stale: passed over, not analyzed behind the lock.
      expect((await staleTables(database.db)).analyze).toContain('lessons');
      await holder.query('rollback');
    } finally {
      await database.close();
    }
    // The next start finds it free.
    const again = await openMigratedDatabase({ DATABASE_URL: scratch.url, DATA_DIR: 'unused' });
    try {
      expect(await until(async () => (await staleTables(again.db)).analyze.includes('lessons'), (stale) => !stale, 10_000)).toBe(false);
    } finally {
      await again.close();
    }
  }, 60_000);
});
