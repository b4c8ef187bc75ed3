import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBotDatabase, type BotDatabase } from '../support/bot-process.js';
import { startDiscordStandIn, type DiscordStandIn } from '../support/discord-stand-in/index.js';
import { PROJECT_ROOT } from '../support/run-cli.js';

/*
 * `start:sharded` stopped while it is still starting its processes (one every 5.5 s), as a deploy may stop it:
 * every process ends (it went on starting the rest after the stop, which kept them and itself running); and a
 * process that stops by itself exits, so the manager restarts it (its channel to the manager kept it alive).
 */
describe.runIf(process.env.TEST_DATABASE_URL)('start:sharded: processes stopped while it starts them, or by themselves', () => {
  let discord: DiscordStandIn;
  let database: BotDatabase;

  beforeAll(async () => {
    discord = await startDiscordStandIn({ recommendedShards: 3 });
    database = await createBotDatabase('postgres', { migrated: true });
  }, 60_000);

  afterAll(async () => {
    await discord?.close();
    await database?.dispose();
  }, 60_000);

  it('SIGTERM after its first process has started: it starts no other, stops that one, exits 0, and no process is left', async () => {
    const manager = startManager({ DISCORD_API_URL: discord.apiUrl, SHARD_COUNT: '3', ...database.env });
    try {
      await manager.waitFor('"msg":"bot process started"');
      manager.stop();
      // Far under the 5.5 s × 2 it would take to start the others, far over a stop's few seconds; bounded so that a
      // manager kept alive by a process it started after the stop fails here rather than hangs.
      expect(await manager.exitWithin(45_000)).toBe(0);
      await expect.poll(() => groupAlive(manager.group), { timeout: 10_000 }).toBe(false);
      expect(manager.output().split('\n').filter((line) => line.includes('"msg":"bot process started"'))).toHaveLength(1);
      expect(manager.output()).not.toContain('bot process died');
    } finally {
      if (groupAlive(manager.group)) process.kill(-manager.group, 'SIGKILL');
    }
  }, 120_000);

  it('restarts a process that stopped by itself (Discord unreachable), where it stayed alive stopped; SIGTERM then ends all', async () => {
    const manager = startManager({ DISCORD_API_URL: 'http://127.0.0.1:9/api', SHARD_COUNT: '1', ...database.env });
    try {
      await manager.waitFor('could not connect to Discord');
      await manager.waitFor('bot process died; restarting it');
      manager.stop();
      expect(await manager.exitWithin(45_000)).toBe(0);
      await expect.poll(() => groupAlive(manager.group), { timeout: 10_000 }).toBe(false);
    } finally {
      if (groupAlive(manager.group)) process.kill(-manager.group, 'SIGKILL');
    }
  }, 120_000);
});

/** `start:sharded` from source in a process group of its own, so that whatever it started can be found afterwards. */
function startManager(env: Record<string, string | undefined>) {
  const manager = spawn(process.execPath, ['--import', 'tsx', 'src/operations/sharded.ts'], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'info', DISCORD_TOKEN: 'test-token', SHARDS_PER_PROCESS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  manager.stdout?.on('data', onData);
  manager.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve) => manager.once('exit', (code) => resolve(code)));
  return {
    group: manager.pid!,
    exited,
    output: () => output,
    stop: () => manager.kill('SIGTERM'),
    /** Until the output holds `text` (rejects if the manager exits first). */
    waitFor: (text: string) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!output.includes(text)) return;
          listeners.delete(check);
          resolve();
        };
        listeners.add(check);
        check();
        void exited.then((code) => reject(new Error(`the manager exited (${code}) before printing ${text}:\n${output}`)));
      }),
    /** The exit code, or 'still running' after `ms`. */
    exitWithin: (ms: number) => Promise.race([exited, sleep(ms).then(() => 'still running' as const)]),
  };
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}
