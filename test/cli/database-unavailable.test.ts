import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runLessonsCli } from '../../src/cli/lessons.js';
import { freePort } from '../support/ports.js';
import { runScript } from '../support/run-cli.js';

/*
 * A database that cannot be used at all is the operator's to fix: each entry point says so in one line, naming
 * the database (never its password) and what failed, and exits 1 at once, rather than printing a stack trace.
 */

async function list(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  const err: string[] = [];
  const code = await runLessonsCli(['list'], { env: { LOG_LEVEL: 'warn', ...env }, stdin: Readable.from([]), out: () => undefined, err: (line) => err.push(line) });
  return { code, stderr: err.join('\n') };
}

const NO_STACK = /\n\s+at /u;

describe('a database that cannot be used', () => {
  it('PostgreSQL that refuses the connection: named, with the cause and without the password', async () => {
    const port = await freePort();
    const { code, stderr } = await list({ DATABASE_URL: `postgres://newsdesk:s3cret-pw@127.0.0.1:${port}/newsdesk` });
    expect(code).toBe(1);
    expect(stderr).toBe(
      `Could not connect to PostgreSQL at 127.0.0.1:${port}/newsdesk: connect ECONNREFUSED 127.0.0.1:${port}. ` +
        'Check that PostgreSQL is running there and that DATABASE_URL has the right host, port, user, password and database.',
    );
    expect(stderr).not.toContain('s3cret-pw');
  });

  // On the PostgreSQL server of the tests, when there is one (CI has it), as the other PostgreSQL tests.
  for (const server of process.env.TEST_DATABASE_URL ? [process.env.TEST_DATABASE_URL] : []) {
    it('a PostgreSQL server without that database: PostgreSQL’s own reason', async () => {
      const url = new URL(server);
      url.pathname = '/newsdesk_no_such_database';
      const { code, stderr } = await list({ DATABASE_URL: url.href });
      expect(code).toBe(1);
      expect(stderr).toContain(`Could not connect to PostgreSQL at ${url.hostname}:${url.port || '5432'}/newsdesk_no_such_database: database "newsdesk_no_such_database" does not exist.`);
    });
  }

  it('a DATA_DIR that is a file, or under a broken link: the directory and why', async () => {
    const work = mkdtempSync(join(tmpdir(), 'newsdesk-datadir-'));
    try {
      const file = join(work, 'a-file');
      writeFileSync(file, 'not a directory');
      const asFile = await list({ DATA_DIR: file });
      expect(asFile.code).toBe(1);
      expect(asFile.stderr).toBe(
        `Could not use ${file} (DATA_DIR) for the embedded database: it is a file, not a directory. Set DATA_DIR to a directory this user may write, or DATABASE_URL to use PostgreSQL.`,
      );
      symlinkSync(join(work, 'gone'), join(work, 'link'));
      const broken = await list({ DATA_DIR: join(work, 'link', 'data') });
      expect(broken.code).toBe(1);
      expect(broken.stderr).toContain(`Could not use ${join(work, 'link', 'data')} (DATA_DIR) for the embedded database: a part of the path does not exist`);
    } finally {
      // Left in the system's temporary folder by every run until 2026-12-07.
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('the bot and `npm run migrate` say the same in one line and exit 1', async () => {
    const port = await freePort();
    const env = { DATABASE_URL: `postgres://newsdesk:s3cret-pw@127.0.0.1:${port}/newsdesk`, DISCORD_TOKEN: 'test-token', NODE_ENV: 'production' };
    for (const script of ['src/main.ts', 'src/cli/migrate.ts']) {
      const result = await runScript(script, [], env);
      expect(result.code, script).toBe(1);
      expect(result.stderr, script).toContain(`Could not connect to PostgreSQL at 127.0.0.1:${port}/newsdesk: connect ECONNREFUSED`);
      expect(result.stderr, script).not.toMatch(NO_STACK);
      expect(result.stderr + result.stdout, script).not.toContain('s3cret-pw');
    }
  }, 60_000);
});
