import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { openDatabase, type Database, type DatabaseKind } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import type { DatabaseTimeouts } from '../../src/db/timeouts.js';
import { freshPgliteDataDir } from './pglite-template.js';

export interface TestDatabase extends Database {
  /** Empties every application table (between tests; one database per test file). */
  truncate(): Promise<void>;
}

export interface TestDatabaseTarget {
  readonly kind: DatabaseKind;
  /** `timeouts`: the database's bounds (a command's by default; a test that seeds a big library needs a batch job's). */
  open(options?: { timeouts?: DatabaseTimeouts }): Promise<TestDatabase>;
}

/** PGlite always; PostgreSQL too when TEST_DATABASE_URL is set (CI sets it). */
export function testDatabaseTargets(): TestDatabaseTarget[] {
  const targets: TestDatabaseTarget[] = [{ kind: 'pglite', open: openPgliteForTest }];
  const url = process.env.TEST_DATABASE_URL;
  if (url) targets.push({ kind: 'postgres', open: (options) => openPostgresForTest(url, options?.timeouts) });
  return targets;
}

/** A copy of a migrated data directory (see pglite-template.ts), removed on close. */
async function openPgliteForTest(options?: { timeouts?: DatabaseTimeouts }): Promise<TestDatabase> {
  const dataDir = await freshPgliteDataDir();
  const database = await openDatabase({ dataDir, ...(options?.timeouts ? { timeouts: options.timeouts } : {}) });
  await migrateToLatest(database.db);
  const withTruncation = withTruncate(database);
  return {
    ...withTruncation,
    async close() {
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A fresh database per test file on the server, so files can run in parallel; dropped on close.
 * `template`: a copy of that database (which nobody may be connected to) rather than an empty one.
 */
export async function createScratchPostgres(url: string, template?: string): Promise<{ url: string; drop(): Promise<void> }> {
  // Named after the database the URL names (TEST_DATABASE_URL=…/h1_test: h1_test_…), so that engineers sharing a
  // server each keep to their own prefix; newsdesk_test_… for the server's default database.
  const named = decodeURIComponent(new URL(url).pathname.slice(1));
  const prefix = /^[a-z_][a-z0-9_]{0,40}$/u.test(named) && named !== 'postgres' ? named : 'newsdesk_test';
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE "${template}"` : ''}`);
  } finally {
    await admin.end();
  }
  const scratch = new URL(url);
  scratch.pathname = `/${name}`;
  return {
    url: scratch.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

async function openPostgresForTest(url: string, timeouts?: DatabaseTimeouts): Promise<TestDatabase> {
  const scratch = await createScratchPostgres(url);
  const database = await openDatabase({ url: scratch.url, dataDir: 'unused', maxConnections: 4, ...(timeouts ? { timeouts } : {}) });
  await migrateToLatest(database.db);
  const withTruncation = withTruncate(database);
  return {
    ...withTruncation,
    async close() {
      await database.close();
      await scratch.drop();
    },
  };
}

function withTruncate(database: Database): TestDatabase {
  return {
    ...database,
    async truncate() {
      const tables = await sql<{ tablename: string }>`
        select tablename from pg_tables
        where schemaname = current_schema() and tablename not like 'kysely_%'`.execute(database.db);
      if (tables.rows.length === 0) return;
      const list = tables.rows.map((row) => `"${row.tablename}"`).join(', ');
      await sql.raw(`truncate ${list} restart identity cascade`).execute(database.db);
    },
  };
}

/**
 * Registers the usual lifecycle in a `describe` block: one database for the block, emptied before each
 * test, closed at the end. Returns a getter because the database exists only once `beforeAll` has run.
 */
export function useTestDatabase(target: TestDatabaseTarget, options?: { timeouts?: DatabaseTimeouts }): () => TestDatabase {
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = await target.open(options);
  });
  afterAll(async () => {
    await database?.close();
  });
  beforeEach(async () => {
    await database?.truncate();
  });
  return () => {
    if (!database) throw new Error('the test database is not open yet');
    return database;
  };
}
