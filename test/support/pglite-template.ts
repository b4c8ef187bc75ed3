import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { PROJECT_ROOT } from './run-cli.js';

/**
 * A fresh embedded database is unpacked from the shipped empty cluster (src/db/pglite-template.ts), then every
 * migration runs on it: seconds on this 2-core machine. Tests instead copy a data directory that was created
 * and migrated once, by the real migrator, and kept in the temporary directory under a key of the migrations'
 * source and PGlite's version: a changed migration builds a new one. Copying takes a fifth of a second. The
 * migrator still runs on every copy (and finds nothing to do); `test/db/migrations.test.ts` runs the migrations
 * on a database that never saw them.
 */
let template: Promise<string> | undefined;

/** What a migrated database depends on: the migrations' source and PGlite's version. */
export function migrationsKey(): string {
  const hash = createHash('sha256');
  const dir = join(PROJECT_ROOT, 'migrations');
  for (const file of readdirSync(dir).sort()) hash.update(file).update(readFileSync(join(dir, file)));
  hash.update(JSON.parse(readFileSync(join(PROJECT_ROOT, 'node_modules/@electric-sql/pglite/package.json'), 'utf8')).version as string);
  return hash.digest('hex').slice(0, 16);
}

async function buildTemplate(): Promise<string> {
  const final = join(tmpdir(), `newsdesk-pglite-template-${migrationsKey()}`);
  if (existsSync(join(final, 'pglite', 'PG_VERSION'))) return final;
  const building = mkdtempSync(join(tmpdir(), 'newsdesk-pglite-building-'));
  const database = await openDatabase({ dataDir: building });
  try {
    await migrateToLatest(database.db);
  } finally {
    await database.close();
  }
  try {
    // Another test process may have finished first: then its template is used and this one dropped.
    renameSync(building, final);
  } catch {
    rmSync(building, { recursive: true, force: true });
  }
  return final;
}

/** A new, migrated, empty PGlite data directory (the bot's DATA_DIR layout), private to the caller. */
export async function freshPgliteDataDir(): Promise<string> {
  template ??= buildTemplate();
  const source = await template;
  const dir = mkdtempSync(join(tmpdir(), 'newsdesk-bot-'));
  cpSync(join(source, 'pglite'), join(dir, 'pglite'), { recursive: true });
  return dir;
}
