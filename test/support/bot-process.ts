import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createScratchPostgres } from './databases.js';
import { freshPgliteDataDir } from './pglite-template.js';
import { PROJECT_ROOT } from './run-cli.js';

export type DatabaseKind = 'pglite' | 'postgres';

/** Where a bot under test keeps its data: a temporary PGlite directory or a scratch PostgreSQL database. */
export interface BotDatabase {
  readonly kind: DatabaseKind;
  readonly env: Record<string, string>;
  dispose(): Promise<void>;
}

export async function createBotDatabase(kind: DatabaseKind): Promise<BotDatabase> {
  if (kind === 'pglite') {
    const dir = await freshPgliteDataDir();
    return { kind, env: { DATA_DIR: dir }, dispose: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set');
  const scratch = await createScratchPostgres(url);
  return { kind, env: { DATABASE_URL: scratch.url }, dispose: () => scratch.drop() };
}

/** PGlite always; PostgreSQL too when TEST_DATABASE_URL is set. */
export function botDatabaseKinds(): DatabaseKind[] {
  return process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
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
  const child = spawn(process.execPath, ['--import', 'tsx', options.script ?? 'src/main.ts'], {
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
