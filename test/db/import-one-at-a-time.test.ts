import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lockLessonImports } from '../../src/db/lessons.js';
import { importLessons } from '../../src/lessons/import.js';
import { sql } from 'kysely';
import type { Database } from '../../src/db/database.js';
import { uploadImportSessions } from '../../src/db/open-from-config.js';
import { createLessonsService, importBusy, importTooSlow } from '../../src/lessons/service.js';
import { UserError } from '../../src/user-error.js';
import { testDatabaseTargets, useTestDatabase, type TestDatabase } from '../support/databases.js';
import { makeLesson } from '../support/lessons.js';

/*
 * Imports run one at a time (every import writes the library's word counts). On PostgreSQL another process's
 * import may be under way: a member's upload is told so at once and writes nothing; the CLI's import waits for it.
 * PGlite has one connection, so two imports never overlap there.
 */
const REFERENCE = 'examples/lessons/nhk-2025-05-31-japan-us-cyber.txt';
const postgres = testDatabaseTargets().filter((target) => target.kind === 'postgres');

/** Another import's transaction, holding the import lock until `release`. */
async function anotherImport(database: TestDatabase): Promise<{ release: () => Promise<void> }> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let held!: () => void;
  const holding = new Promise<void>((resolve) => (held = resolve));
  const transaction = database.db.transaction().execute(async (trx) => {
    expect(await lockLessonImports(trx, { wait: false })).toBe(true);
    held();
    await released;
  });
  await holding;
  return {
    release: async () => {
      release();
      await transaction;
    },
  };
}

const lessonCount = async (database: TestDatabase) => (await database.db.selectFrom('lessons').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;

describe.runIf(postgres.length > 0)('imports one at a time (PostgreSQL)', () => {
  const db = useTestDatabase(postgres[0] ?? testDatabaseTargets()[0]!);

  it('an upload while another import is written is told so at once and writes nothing; afterwards it imports', async () => {
    const database = db();
    const service = createLessonsService({ db: database.db, now: () => new Date('2026-05-02T12:00:00Z'), importTimeZone: 'UTC' });
    const other = await anotherImport(database);
    const started = Date.now();
    const refused = await service.importUpload('cyber.txt', readFileSync(REFERENCE)).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(UserError);
    expect((refused as Error).message).toBe(importBusy('cyber.txt'));
    // At once, not after a statement bound's wait on the other import's rows.
    expect(Date.now() - started).toBeLessThan(1_500);
    await other.release();
    expect(Number(await lessonCount(database))).toBe(0);
    const outcome = await service.importUpload('cyber.txt', readFileSync(REFERENCE));
    expect(outcome.ok && outcome.counts).toEqual({ imported: 1, updated: 0, unchanged: 0 });
  });

  it('an upload whose statement ran past the bot’s bound is told what happened and what to do, not "try again"', async () => {
    // PostgreSQL's own error for a statement past statement_timeout, as the upload's matching statement met it.
    const timedOut = await db()
      .db.transaction()
      .execute(async (trx) => {
        await sql`set local statement_timeout = 10`.execute(trx);
        await sql`select pg_sleep(1)`.execute(trx);
      })
      .catch((error: unknown) => error);
    expect(importTooSlow(timedOut, 'big*.json')).toMatch(/^Nothing was imported from big\\\*\.json: matching its lessons .*`npm run lessons -- import`/u);
    expect(importTooSlow(new Error('connection refused'), 'x.json')).toBeNull();
    expect(importTooSlow(undefined, 'x.json')).toBeNull();
  });

  it('an upload imports on a session of its own with the CLI’s bounds, closed after it (a member’s 1.5 s failed big uploads)', async () => {
    const database = db();
    const name = (await sql<{ name: string }>`select current_database() as name`.execute(database.db)).rows[0]!.name;
    const url = new URL(process.env.TEST_DATABASE_URL ?? '');
    url.pathname = `/${name}`;
    const sessions = uploadImportSessions({ DATABASE_URL: url.toString(), DATA_DIR: 'unused' })!;
    const opened: Database[] = [];
    let closed = 0;
    const service = createLessonsService({
      db: database.db,
      now: () => new Date('2026-05-02T12:00:00Z'),
      importTimeZone: 'UTC',
      uploadImportSession: async () => {
        const session = await sessions();
        opened.push(session);
        expect((await sql<{ statement_timeout: string }>`show statement_timeout`.execute(session.db)).rows[0]?.statement_timeout).toBe('2min');
        return { ...session, close: async () => (closed += 1, await session.close()) };
      },
    });
    const outcome = await service.importUpload('cyber.txt', readFileSync(REFERENCE));
    expect(outcome.ok && outcome.counts).toEqual({ imported: 1, updated: 0, unchanged: 0 });
    expect([opened.length, closed]).toEqual([1, 1]);
    expect(Number(await lessonCount(database))).toBe(1);
    expect(uploadImportSessions({ DATABASE_URL: undefined, DATA_DIR: 'unused' })).toBeUndefined();
  });

  it('the CLI’s import waits for the other import to end, then writes', async () => {
    const database = db();
    const other = await anotherImport(database);
    let done = false;
    const importing = importLessons(database.db, [makeLesson({ title: 'Waited for its turn' })]).finally(() => (done = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(done).toBe(false);
    await other.release();
    expect(await importing).toEqual({ imported: 1, updated: 0, unchanged: 0 });
  });
});
