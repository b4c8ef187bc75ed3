import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createScratchPostgres } from '../support/databases.js';
import { freePort } from '../support/ports.js';
import { runScript } from '../support/run-cli.js';

/*
 * `npm run migrate` changes the database (one migration rewrites `lessons`: README, Database). It took no arguments
 * and read none, so `npm run migrate -- --dry-run` (or `--help`) migrated the database it was asked to look at.
 */
describe('npm run migrate', () => {
  it('refuses an argument it does not know as wrong usage (exit 2), and --help prints its usage, the database untouched', async () => {
    const work = mkdtempSync(join(tmpdir(), 'newsdesk-migrate-'));
    const dataDir = join(work, 'data');
    try {
      const dryRun = await runScript('src/cli/migrate.ts', ['--dry-run'], { DATA_DIR: dataDir });
      expect(dryRun.code).toBe(2);
      expect(dryRun.stderr).toContain("error: Unknown option '--dry-run'");
      expect(dryRun.stderr).toContain('Usage: npm run migrate');
      const help = await runScript('src/cli/migrate.ts', ['--help'], { DATA_DIR: dataDir });
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('Usage: npm run migrate');
      expect(existsSync(dataDir)).toBe(false);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 60_000);
});

/*
 * A PostgreSQL user that may not create what the migrations make (no CREATE on the database, so no extension; since
 * PostgreSQL 15 no CREATE on its schema public either, unless it owns the database): the migrations failed with a
 * clear message under a stack trace, Kysely's error not being one the operator fixes. One line now, exit 1.
 * On the PostgreSQL server of the tests, when there is one (CI has it): PGlite has no users.
 */
const server = process.env.TEST_DATABASE_URL;
describe.runIf(server)('npm run migrate and the bot’s start, as a user that may not create', () => {
  const NO_STACK = /\n\s+at /u;
  it('say in one line which migration PostgreSQL refused, its message and the grants, and exit 1', async () => {
    const scratch = await createScratchPostgres(server!);
    const name = new URL(scratch.url).pathname.slice(1);
    const role = `${name.slice(0, 40)}_nocreate`;
    const password = randomBytes(9).toString('hex');
    const admin = async (text: string, database = server): Promise<Record<string, unknown>[]> => {
      const client = new pg.Client({ connectionString: database });
      await client.connect();
      try {
        return (await client.query(text)).rows as Record<string, unknown>[];
      } finally {
        await client.end();
      }
    };
    const asRole = new URL(scratch.url);
    asRole.username = role;
    asRole.password = password;
    try {
      await admin(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
      await admin(`GRANT CONNECT ON DATABASE ${name} TO ${role}`);

      // Only CONNECT: on PostgreSQL 15 and later Kysely's own table is refused, before any migration.
      const [version] = await admin('SHOW server_version_num');
      if (Number(version?.server_version_num) >= 150_000) {
        const bare = await runScript('src/cli/migrate.ts', [], { DATABASE_URL: asRole.href });
        expect(bare.stderr).not.toMatch(NO_STACK);
        expect(bare.stderr.trim()).toBe(
          `Database migration failed before its first migration, making its table kysely_migration: permission denied for schema public. ` +
            `The user in DATABASE_URL (${role}) may not create tables or extensions there: make it the database's owner (ALTER DATABASE ${name} OWNER TO ${role}), ` +
            `or GRANT CREATE ON DATABASE ${name} TO ${role} and GRANT CREATE ON SCHEMA public TO ${role}, then start again. No migration was applied.`,
        );
        expect(bare.code).toBe(1);
      }

      // Tables allowed (CREATE on schema public) but not CREATE on the database: the extension pg_trgm is refused.
      await admin(`GRANT CREATE ON SCHEMA public TO ${role}`, scratch.url);
      const migrate = await runScript('src/cli/migrate.ts', [], { DATABASE_URL: asRole.href });
      expect(migrate.stderr).not.toMatch(NO_STACK);
      expect(migrate.stderr.trim()).toBe(
        `Database migration 2026-12-01-02-discovery failed: permission denied to create extension "pg_trgm". ` +
          `The user in DATABASE_URL (${role}) may not create tables or extensions there: make it the database's owner (ALTER DATABASE ${name} OWNER TO ${role}), ` +
          `or GRANT CREATE ON DATABASE ${name} TO ${role} and GRANT CREATE ON SCHEMA public TO ${role}, then start again. No migration was applied.`,
      );
      expect(migrate.code).toBe(1);
      expect(migrate.stdout).toBe('');

      // The bot's start migrates the same way, before it reaches Discord (here a port nobody answers).
      const start = await runScript('src/main.ts', [], {
        DATABASE_URL: asRole.href,
        DISCORD_TOKEN: 'test-token',
        DISCORD_API_URL: `http://127.0.0.1:${await freePort()}/api`,
      });
      expect(start.stderr).not.toMatch(NO_STACK);
      expect(start.stderr.trim()).toBe(migrate.stderr.trim());
      expect(start.code).toBe(1);
    } finally {
      await scratch.drop();
      await admin(`DROP ROLE IF EXISTS ${role}`);
    }
  }, 120_000);
});
