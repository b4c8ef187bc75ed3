import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createScratchPostgres } from './databases.js';
import { freshPgliteDataDir, migrationsKey } from './pglite-template.js';
import { PROJECT_ROOT, runScript } from './run-cli.js';
import { nodeArgsFor } from './built.js';

export type DatabaseKind = 'pglite' | 'postgres';

/** Where a bot under test keeps its data: a temporary PGlite directory or a scratch PostgreSQL database. */
export interface BotDatabase {
  readonly kind: DatabaseKind;
  readonly env: Record<string, string>;
  dispose(): Promise<void>;
}

/**
 * `migrated`: the database starts as a copy of one already migrated (made once per machine, or per
 * PostgreSQL server, for the current migrations by `npm run migrate`), so the bot skips creating and
 * migrating it (a PGlite directory takes about 10 s of a loaded machine); it still checks the migrations
 * as it starts. Fresh databases are still what the CLI, playground and other tests start from.
 */
export async function createBotDatabase(kind: DatabaseKind, options: { migrated?: boolean } = {}): Promise<BotDatabase> {
  if (kind === 'pglite') {
    const dir = options.migrated ? await freshPgliteDataDir() : mkdtempSync(join(tmpdir(), 'newsdesk-bot-'));
    return { kind, env: { DATA_DIR: dir }, dispose: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set');
  const scratch = await createScratchPostgres(url, options.migrated ? await migratedPostgresTemplate(url) : undefined);
  return { kind, env: { DATABASE_URL: scratch.url }, dispose: () => scratch.drop() };
}

async function runMigrate(env: Record<string, string>): Promise<void> {
  const migrated = await runScript('src/cli/migrate.ts', [], env);
  if (migrated.code !== 0) throw new Error(`npm run migrate failed:\n${migrated.stdout}${migrated.stderr}`);
}

let postgresTemplate: Promise<string> | undefined;

/** A migrated, empty database on the test server, named after TEST_DATABASE_URL's and made once; nobody connects to it. */
function migratedPostgresTemplate(url: string): Promise<string> {
  postgresTemplate ??= (async () => {
    const name = `${new URL(url).pathname.slice(1) || 'newsdesk'}_migrated_${migrationsKey()}`.slice(0, 63);
    const exists = async () => (await adminQuery(url, 'SELECT 1 FROM pg_database WHERE datname = $1', [name])).length > 0;
    if (await exists()) return name;
    // Made aside, then renamed into place: test files running at once never clone half a migration.
    const draft = await createScratchPostgres(url);
    const draftName = new URL(draft.url).pathname.slice(1);
    await runMigrate({ DATABASE_URL: draft.url });
    try {
      await adminQuery(url, `ALTER DATABASE ${draftName} RENAME TO "${name}"`);
    } catch (error) {
      await draft.drop();
      if (!(await exists())) throw error;
    }
    return name;
  })();
  return postgresTemplate;
}

async function adminQuery(url: string, text: string, values: unknown[] = []): Promise<unknown[]> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    return (await admin.query(text, values)).rows;
  } finally {
    await admin.end();
  }
}

/** PGlite always; PostgreSQL too when TEST_DATABASE_URL is set. */
export function botDatabaseKinds(): DatabaseKind[] {
  return process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

/** Node's own plain-text warning line ("(node:PID) Name: text" on stderr), which the bot logs as JSON instead. */
export const PLAIN_NODE_WARNING = /^\(node:\d+\) /mu;

/** The `process warning` lines the bot processes logged (src/operations/process-warnings.ts): none is expected. */
export function loggedProcessWarnings(...bots: readonly BotProcess[]): Record<string, unknown>[] {
  return bots.flatMap((bot) => bot.logLines()).filter((line) => line.msg === 'process warning');
}

export interface BotProcess {
  readonly child: ChildProcess;
  /** Everything the process printed (JSON log lines and plain text). */
  output(): string;
  logLines(): Record<string, unknown>[];
  waitForLog(predicate: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** SIGTERM, and the exit code. */
  stop(timeoutMs?: number): Promise<number | null>;
  /** SIGKILL: a crash, no shutdown code runs. */
  kill(): Promise<void>;
  exited: Promise<number | null>;
}

/** Starts `src/main.ts` exactly as `npm start` does, against a Discord stand-in, and waits until it is connected. */
export async function startBotProcess(
  env: Record<string, string>,
  options: { waitForReady?: boolean; /** Another entry point (the cluster manager, the REST proxy). */ script?: string } = {},
): Promise<BotProcess> {
  const child = spawn(process.execPath, nodeArgsFor(options.script ?? 'src/main.ts'), {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'debug', DISCORD_TOKEN: 'test-token', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  const logLines = () =>
    output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => {
        try {
          return JSON.parse(line) as Record<string, unknown>;
        } catch {
          return {};
        }
      });

  const waitForLog: BotProcess['waitForLog'] = (predicate, timeoutMs = 30_000) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const found = logLines().find(predicate);
        if (found) {
          cleanup();
          resolve(found);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out waiting for a log line; output so far:\n${output.slice(-4000)}`));
      }, timeoutMs);
      const onExit = () => {
        cleanup();
        reject(new Error(`bot exited before the log line appeared; output:\n${output.slice(-4000)}`));
      };
      const cleanup = () => {
        clearTimeout(timer);
        listeners.delete(check);
        child.off('exit', onExit);
      };
      listeners.add(check);
      child.once('exit', onExit);
      check();
    });

  const bot: BotProcess = {
    child,
    output: () => output,
    logLines,
    waitForLog,
    exited,
    async stop(timeoutMs = 20_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
  if (options.waitForReady ?? true) await waitForLog((line) => line.msg === 'connected to Discord', 60_000);
  return bot;
}
