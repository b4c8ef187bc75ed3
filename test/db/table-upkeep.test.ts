import { sql } from 'kysely';
import pg from 'pg';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { upsertLesson } from '../../src/db/lessons.js';
import { analyzeAllTables, staleTables, tidyTables } from '../../src/db/statistics.js';
import { TableUpkeep } from '../../src/operations/table-upkeep.js';
import { makeLesson } from '../support/lessons.js';
import { testDatabaseTargets, useTestDatabase } from '../support/databases.js';

const quiet = pino({ level: 'silent' });

/** Until `check` holds: the server reports a backend's row counts shortly after its transaction, not at once. */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 120; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('condition not reached');
}

/** The bot's own session for the work (PGlite's way; on PostgreSQL the bot opens a connection of its own). */
const sameSession = (database: Database) => () => Promise.resolve({ ...database, close: () => Promise.resolve() });

describe.each(testDatabaseTargets())('table upkeep on $kind', (target) => {
  const db = useTestDatabase(target);
  /** One of a table's counters in the statistics view (0 before the server has reported it). */
  const tableStat = async (table: string, counter: 'n_dead_tup' | 'vacuum_count' | 'analyze_count' | 'n_mod_since_analyze' | 'n_ins_since_vacuum') =>
    Number((await sql<{ n: number }>`select ${sql.ref(counter)}::float8 as n from pg_stat_user_tables where relname = ${table}`.execute(db().db)).rows[0]?.n ?? 0);
  const deadRows = (table: string) => tableStat(table, 'n_dead_tup');
  const vacuumCount = (table: string) => tableStat(table, 'vacuum_count');

  it('without autovacuum, vacuums a table full of dead row versions and then has nothing to do', async () => {
    const lesson = makeLesson({ title: 'Upkeep lesson' });
    await upsertLesson(db().db, lesson);
    await analyzeAllTables(db().db);
    // A hot counter row rewritten again and again, as an opening rewrites a member's totals.
    for (let i = 0; i < 120; i++) {
      await sql`insert into lesson_read_totals (lesson_id, read_count) values (${lesson.id}, 1)
        on conflict (lesson_id) do update set read_count = lesson_read_totals.read_count + 1`.execute(db().db);
    }
    await eventually(async () => (await deadRows('lesson_read_totals')) > 51);
    const vacuumsBefore = await vacuumCount('lesson_read_totals');
    const upkeep = new TableUpkeep({ database: db(), openSession: sameSession(db()), autovacuumRuns: () => Promise.resolve(false), logger: quiet });
    const round = await upkeep.runOnce();
    expect(round).toMatchObject({ kind: 'done' });
    expect(round.kind === 'done' && round.vacuumed).toContain('lesson_read_totals');
    await eventually(async () => (await vacuumCount('lesson_read_totals')) === vacuumsBefore + 1);
    await eventually(async () => (await upkeep.runOnce()).kind === 'nothing-to-do');
  });

  it('at start-up, vacuums the dead rows of a bulk load only where no autovacuum runs, and analyzes stale tables either way', async () => {
    const lesson = makeLesson({ title: 'Bulk history' });
    await upsertLesson(db().db, lesson);
    await analyzeAllTables(db().db);
    const rewrite = async () => {
      for (let i = 0; i < 120; i++) {
        await sql`insert into lesson_read_totals (lesson_id, read_count) values (${lesson.id}, 1)
          on conflict (lesson_id) do update set read_count = lesson_read_totals.read_count + 1`.execute(db().db);
      }
      await eventually(async () => (await deadRows('lesson_read_totals')) > 51);
    };
    await rewrite();
    const vacuumsBefore = await vacuumCount('lesson_read_totals');
    const withAutovacuum = await tidyTables(db().db, await staleTables(db().db), { vacuum: false });
    expect(withAutovacuum.vacuumed).toEqual([]);
    expect(withAutovacuum.analyzed).toContain('lesson_read_totals');
    expect(await vacuumCount('lesson_read_totals')).toBe(vacuumsBefore);
    // (The analysis re-estimated the dead rows from its sample: rewrite again before the other case.)
    await rewrite();
    const without = await tidyTables(db().db, await staleTables(db().db), { vacuum: true });
    expect(without.vacuumed).toContain('lesson_read_totals');
    await eventually(async () => (await vacuumCount('lesson_read_totals')) === vacuumsBefore + 1);
  });

  it('analyzes a table loaded since its last analysis', async () => {
    await analyzeAllTables(db().db);
    for (let i = 0; i < 60; i++) await upsertLesson(db().db, makeLesson({ title: `Loaded while running ${i}` }));
    const upkeep = new TableUpkeep({ database: db(), openSession: sameSession(db()), autovacuumRuns: () => Promise.resolve(false), logger: quiet });
    await eventually(async () => {
      const round = await upkeep.runOnce();
      return round.kind === 'done' && [...round.analyzed, ...round.vacuumed].includes('lessons');
    });
    const rows = await sql<{ n: number }>`select reltuples::float8 as n from pg_class where oid = 'lessons'::regclass`.execute(db().db);
    expect(rows.rows[0]?.n).toBe(60);
  });

  it('without autovacuum, vacuums a table after a bulk insert (autovacuum’s insert rule), once', async () => {
    await analyzeAllTables(db().db);
    await sql`insert into member_settings (user_id, timezone)
      select (300000000000000000 + n)::text, 'Asia/Tokyo' from generate_series(1, 1500) as n`.execute(db().db);
    const inserted = () => tableStat('member_settings', 'n_ins_since_vacuum');
    await eventually(async () => (await inserted()) >= 1500);
    const upkeep = new TableUpkeep({ database: db(), openSession: sameSession(db()), autovacuumRuns: () => Promise.resolve(false), logger: quiet });
    const round = await upkeep.runOnce();
    expect(round.kind === 'done' && round.vacuumed).toContain('member_settings');
    await eventually(async () => (await inserted()) === 0);
    const next = await upkeep.runOnce();
    expect(next.kind === 'done' ? next.vacuumed : []).not.toContain('member_settings');
  });

  it('vacuums a table past the insert rule without analyzing it again when it was analyzed since', async () => {
    await sql`insert into member_settings (user_id, timezone)
      select (400000000000000000 + n)::text, 'Asia/Tokyo' from generate_series(1, 1500) as n`.execute(db().db);
    const inserted = () => tableStat('member_settings', 'n_ins_since_vacuum');
    await eventually(async () => (await inserted()) >= 1500);
    // As the lessons CLI does after an import: every table analyzed, before any vacuum.
    await eventually(async () => {
      await analyzeAllTables(db().db);
      return (await tableStat('member_settings', 'n_mod_since_analyze')) === 0;
    });
    const stale = await staleTables(db().db);
    expect(stale.vacuum).toContain('member_settings');
    expect(stale.analyze).not.toContain('member_settings');
    const analysesBefore = await tableStat('member_settings', 'analyze_count');
    const vacuumsBefore = await vacuumCount('member_settings');
    expect((await tidyTables(db().db, stale, { vacuum: true })).vacuumed).toContain('member_settings');
    await eventually(async () => (await vacuumCount('member_settings')) === vacuumsBefore + 1);
    expect(await tableStat('member_settings', 'analyze_count')).toBe(analysesBefore);
  });

  it('does nothing where autovacuum runs, however stale the tables', async () => {
    for (let i = 0; i < 60; i++) await upsertLesson(db().db, makeLesson({ title: `Left to autovacuum ${i}` }));
    let opened = 0;
    const upkeep = new TableUpkeep({
      database: db(),
      openSession: () => ((opened += 1), sameSession(db())()),
      autovacuumRuns: () => Promise.resolve(true),
      logger: quiet,
    });
    expect(await upkeep.runOnce()).toEqual({ kind: 'autovacuum-runs' });
    expect(opened).toBe(0);
  });
});

describe.each(testDatabaseTargets().filter((target) => target.kind === 'postgres'))('table upkeep in a cluster on $kind', (target) => {
  const db = useTestDatabase(target);

  it('skips its round while another process holds the upkeep lock, and works once it is let go', async () => {
    for (let i = 0; i < 60; i++) await upsertLesson(db().db, makeLesson({ title: `Two processes ${i}` }));
    const upkeep = new TableUpkeep({ database: db(), openSession: sameSession(db()), autovacuumRuns: () => Promise.resolve(false), logger: quiet });
    // The other process: a session of its own on the same database, holding the lock.
    const { rows } = await sql<{ url: string }>`select current_database() as url`.execute(db().db);
    const url = new URL(process.env.TEST_DATABASE_URL!);
    url.pathname = `/${rows[0]!.url}`;
    const other = new pg.Client({ connectionString: url.toString() });
    await other.connect();
    try {
      await other.query('select pg_advisory_lock(7240113001)');
      await eventually(async () => (await upkeep.runOnce()).kind === 'another-process');
      await other.query('select pg_advisory_unlock(7240113001)');
      expect(await upkeep.runOnce()).toMatchObject({ kind: 'done' });
    } finally {
      await other.end();
    }
  });
});
