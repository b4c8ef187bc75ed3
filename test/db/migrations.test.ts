import { readdirSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../migrations/index.js';
import { createMigrator } from '../../src/db/migrate.js';
import { testDatabaseTargets, type TestDatabase } from '../support/databases.js';

describe('migration list', () => {
  it('names every migration file in migrations/, in file-name order', () => {
    const files = readdirSync(new URL('../../migrations/', import.meta.url))
      .filter((file) => file !== 'index.ts' && file.endsWith('.ts'))
      .map((file) => file.replace(/\.ts$/u, ''))
      .sort();
    expect(Object.keys(migrations)).toEqual(files);
  });
});

describe.each(testDatabaseTargets())('migrations on $kind', (target) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await target.open();
  });
  afterAll(async () => {
    await database?.close();
  });

  it('run to the newest, down to nothing and up again', async () => {
    const migrator = createMigrator(database.db);
    const names = Object.keys(migrations);
    for (let i = 0; i < names.length; i++) {
      const { error } = await migrator.migrateDown();
      expect(error).toBeUndefined();
    }
    const tables = await sql<{ n: number }>`select count(*)::int as n from pg_tables where schemaname = current_schema() and tablename not like 'kysely_%'`.execute(database.db);
    expect(tables.rows[0]?.n).toBe(0);
    const { error, results } = await migrator.migrateToLatest();
    expect(error).toBeUndefined();
    expect(results?.map((r) => r.migrationName)).toEqual(names);
  });
});
