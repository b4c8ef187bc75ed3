import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openDatabase, type Database } from '../../src/db/database.js';
import { openMigratedDatabase } from '../../src/db/open-from-config.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createClusterFromTemplate, PGLITE_TEMPLATE } from '../../src/db/pglite-template.js';

/**
 * A new embedded database starts from the shipped empty cluster (assets/pglite/empty-cluster.tar.gz), not from
 * PGlite's initdb (~630 MB for a few seconds). initdb gives every cluster a new random system identifier, so a
 * database that has the template's identifier was unpacked, not initialised.
 */
describe('a new embedded database', () => {
  const dirs: string[] = [];
  const opened: Database[] = [];
  const scratch = () => {
    const dir = mkdtempSync(join(tmpdir(), 'newsdesk-new-embedded-'));
    dirs.push(dir);
    return dir;
  };
  const open = async (dataDir: string) => {
    const database = await openDatabase({ dataDir });
    opened.push(database);
    return database;
  };
  const identifier = async (database: Database) =>
    (await sql<{ id: string }>`select system_identifier::text as id from pg_control_system()`.execute(database.db)).rows[0]?.id;
  afterEach(async () => {
    for (const database of opened.splice(0)) await database.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("is unpacked from the shipped template: the template's cluster, which PGlite's PostgreSQL opens and migrates", async () => {
    const first = await open(scratch());
    await migrateToLatest(first.db);
    const second = await open(scratch());
    expect(await identifier(first)).toBe(await identifier(second));
    // The template's PostgreSQL is PGlite's: it started, and takes the real migrations.
    expect(await sql<{ n: number }>`select count(*)::int as n from lessons`.execute(first.db)).toMatchObject({ rows: [{ n: 0 }] });
    // In memory too (tests, benchmarks): the same cluster, through PGlite's own loader.
    const inMemory = await open('memory://');
    expect(await identifier(inMemory)).toBe(await identifier(first));
  }, 60_000);

  it('keeps what it stored when opened again', async () => {
    const dataDir = scratch();
    const database = await open(dataDir);
    await migrateToLatest(database.db);
    const before = await identifier(database);
    await sql`create table kept (note text)`.execute(database.db);
    await sql`insert into kept values ('still here')`.execute(database.db);
    await database.close();
    opened.splice(opened.indexOf(database), 1);
    const again = await open(dataDir);
    expect(await identifier(again)).toBe(before);
    expect((await sql<{ note: string }>`select note from kept`.execute(again.db)).rows).toEqual([{ note: 'still here' }]);
  }, 60_000);

  it('is made anew over what an interrupted start left (no PG_VERSION): a half-unpacked copy and a directory without a cluster', async () => {
    const dataDir = scratch();
    mkdirSync(join(dataDir, 'pglite.partial', 'base'), { recursive: true });
    writeFileSync(join(dataDir, 'pglite.partial', 'base', 'junk'), 'half');
    mkdirSync(join(dataDir, 'pglite', 'global'), { recursive: true });
    writeFileSync(join(dataDir, 'pglite', 'global', 'junk'), 'half');
    const database = await open(dataDir);
    await migrateToLatest(database.db);
    expect(existsSync(join(dataDir, 'pglite', 'PG_VERSION'))).toBe(true);
    expect(existsSync(join(dataDir, 'pglite', 'global', 'junk'))).toBe(false);
    expect(existsSync(join(dataDir, 'pglite.partial'))).toBe(false);
  }, 60_000);

  it('fails with the directory and the template named, and leaves nothing behind, when the template is missing or damaged', async () => {
    const dir = scratch();
    const target = join(dir, 'pglite');
    const missing = join(dir, 'no-such-template.tar.gz');
    await expect(createClusterFromTemplate(target, missing)).rejects.toThrow(`could not create the embedded database in ${target} from ${missing}: ENOENT`);
    expect(readdirSync(dir)).toEqual([]);

    // The real archive cut short: gzip or tar notices, and no cluster is left for the next start to trust.
    const damaged = join(dir, 'damaged.tar.gz');
    writeFileSync(damaged, readFileSync(PGLITE_TEMPLATE).subarray(0, 100_000));
    await expect(createClusterFromTemplate(target, damaged)).rejects.toThrow(target);
    expect(readdirSync(dir)).toEqual(['damaged.tar.gz']);

    const notAnArchive = join(dir, 'not-an-archive.tar.gz');
    writeFileSync(notAnArchive, 'this is not a tar file');
    await expect(createClusterFromTemplate(target, notAnArchive)).rejects.toThrow(target);
    expect(readdirSync(dir).sort()).toEqual(['damaged.tar.gz', 'not-an-archive.tar.gz']);
  });
  it("gets the page cache its configuration names: 4 MB unless PGLITE_SHARED_BUFFERS_MB says otherwise", async () => {
    const sharedBuffers = async (env: NodeJS.ProcessEnv) => {
      const database = await openMigratedDatabase(loadConfig({ DATA_DIR: scratch(), ...env }));
      opened.push(database);
      return (await sql<{ size: string }>`select current_setting('shared_buffers') as size`.execute(database.db)).rows[0]?.size;
    };
    expect(await sharedBuffers({})).toBe('4MB');
    expect(await sharedBuffers({ PGLITE_SHARED_BUFFERS_MB: '12' })).toBe('12MB');
  }, 60_000);

  it('refuses by name a page cache PGlite cannot hold (its memory is 2 GB in all), where the start failed with "PGlite failed to initialize properly"', () => {
    expect(loadConfig({ PGLITE_SHARED_BUFFERS_MB: '1024' }).PGLITE_SHARED_BUFFERS_MB).toBe(1024);
    for (const value of ['2000', '4096']) {
      expect(() => loadConfig({ PGLITE_SHARED_BUFFERS_MB: value })).toThrow(/PGLITE_SHARED_BUFFERS_MB: .*1024/u);
    }
  });
});
