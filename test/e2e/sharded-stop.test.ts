import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBotDatabase, type BotDatabase } from '../support/bot-process.js';
import { startDiscordStandIn, type DiscordStandIn } from '../support/discord-stand-in/index.js';
import { freePort } from '../support/ports.js';
import { startInProcessGroup } from '../support/process-group.js';

/*
 * `start:sharded` stopped while it is still starting its processes (one every 5.5 s), as a deploy may stop it:
 * every process ends (it went on starting the rest after the stop, which kept them and itself running); and a
 * process that stops by itself exits, so the manager restarts it (its channel to the manager kept it alive), at
 * once and then after waits that grow while it keeps dying (src/domain/process-restarts.ts). A process stops by
 * itself when Discord refuses its token (an unreachable Discord it waits out: test/e2e/discord-at-start.test.ts).
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
      manager.signal('SIGTERM', 'process');
      // Far under the 5.5 s × 2 it would take to start the others, far over a stop's few seconds.
      expect(await manager.exitWithin(45_000)).toBe(0);
      await expect.poll(() => manager.groupAlive(), { timeout: 10_000 }).toBe(false);
      expect(manager.output().split('\n').filter((line) => line.includes('"msg":"bot process started"'))).toHaveLength(1);
      expect(manager.output()).not.toContain('bot process died');
    } finally {
      manager.killGroup();
    }
  }, 120_000);

  it('its manager killed (kill -9), each bot process stops by itself: none is left serving its shards unsupervised', async () => {
    discord.addGuild();
    const manager = startManager({ DISCORD_API_URL: discord.apiUrl, SHARD_COUNT: '1', ...database.env });
    try {
      await manager.waitFor('"msg":"connected to Discord"');
      manager.signal('SIGKILL', 'process');
      await manager.exitWithin(10_000);
      await expect.poll(() => manager.groupAlive(), { timeout: 30_000, interval: 250 }).toBe(false);
      expect(manager.output()).toContain('the cluster manager that started this bot is gone; stopping');
    } finally {
      manager.killGroup();
    }
  }, 120_000);

  it('/healthz is 503 while a shard’s process is not started yet (they start 5.5 s apart), naming it, and 200 once every shard is connected', async () => {
    discord.addGuild();
    const healthPort = await freePort();
    const manager = startManager({ DISCORD_API_URL: discord.apiUrl, SHARD_COUNT: '2', HEALTH_PORT: String(healthPort), ...database.env });
    const health = () =>
      fetch(`http://127.0.0.1:${healthPort}/healthz`)
        .then(async (r) => ({ status: r.status, body: JSON.stringify(await r.json()) }))
        .catch((error: unknown) => ({ status: 0, body: String(error) }));
    try {
      await manager.waitFor('"msg":"connected to Discord"');
      const early = await health();
      expect(early.status).toBe(503);
      // Process 1 not started, or (on a loaded machine) started and not answering yet: either way shard 1 is named.
      expect(early.body).toMatch(/\bshards? 1\b/u);
      await expect.poll(async () => (await health()).status, { timeout: 30_000, interval: 200 }).toBe(200);
      expect(manager.output().split('\n').filter((line) => line.includes('"msg":"connected to Discord"'))).toHaveLength(2);
      manager.signal('SIGTERM', 'process');
      expect(await manager.exitWithin(45_000)).toBe(0);
    } finally {
      manager.killGroup();
    }
  }, 120_000);

  it('restarts a process that stopped by itself (its token refused) at once, then after 5.5 s; SIGTERM in that wait ends all, with no restart', async () => {
    const refusing = await startDiscordStandIn({ acceptToken: () => false });
    const manager = startManager({ DISCORD_API_URL: refusing.apiUrl, SHARD_COUNT: '1', ...database.env });
    try {
      await manager.waitFor('could not connect to Discord');
      await manager.waitFor('"restartInMs":0,"deathsInARow":1');
      await manager.waitFor('"msg":"bot process restarted"');
      // The second death in a row, soon after its start: the restart waits (it was immediate, and stopped for good after 10).
      await manager.waitFor('"restartInMs":5500,"deathsInARow":2');
      manager.signal('SIGTERM', 'process');
      expect(await manager.exitWithin(45_000)).toBe(0);
      await expect.poll(() => manager.groupAlive(), { timeout: 10_000 }).toBe(false);
      const lines = manager.output().split('\n');
      expect(lines.filter((line) => line.includes('"msg":"bot process restarted"'))).toHaveLength(1);
      expect(lines.filter((line) => line.includes('could not connect to Discord'))).toHaveLength(2);
    } finally {
      manager.killGroup();
      await refusing.close();
    }
  }, 120_000);

  it('waits for the recommended shard count (SHARD_COUNT=auto) while Discord cannot be reached, then starts its processes', async () => {
    const discordPort = await freePort();
    // SHARD_COUNT=auto written out, as .env.example has it: each process inherits it, and discord.js read it as its own
    // shard count (a number) and refused to start the one process of a one-shard bot, which was restarted forever.
    const manager = startManager({ DISCORD_API_URL: `http://127.0.0.1:${discordPort}/api`, SHARD_COUNT: 'auto', ...database.env });
    let late: DiscordStandIn | undefined;
    try {
      await manager.waitFor('"tries":2,"retryInMs":2000,"msg":"Discord not reachable; trying again"');
      expect(manager.output()).not.toContain('bot process started');
      late = await startDiscordStandIn({ port: discordPort, recommendedShards: 1 });
      late.addGuild();
      await manager.waitFor('"msg":"Discord reachable"');
      await manager.waitFor('"msg":"connected to Discord"');
      expect(manager.output().split('\n').filter((line) => line.includes('"msg":"bot process started"'))).toHaveLength(1);
      manager.signal('SIGTERM', 'process');
      expect(await manager.exitWithin(45_000)).toBe(0);
      await expect.poll(() => manager.groupAlive(), { timeout: 10_000 }).toBe(false);
    } finally {
      manager.killGroup();
      await late?.close();
    }
  }, 120_000);

  it('SHARD_COUNT=auto: stopped while it waits for Discord, it exits 0 having started nothing; a refused token ends it with exit 1', async () => {
    const waiting = startManager({ DISCORD_API_URL: `http://127.0.0.1:${await freePort()}/api`, ...database.env });
    const refusing = await startDiscordStandIn({ acceptToken: () => false });
    try {
      await waiting.waitFor('"tries":2,"retryInMs":2000,"msg":"Discord not reachable; trying again"');
      waiting.signal('SIGTERM', 'process');
      expect(await waiting.exitWithin(10_000)).toBe(0);
      expect(waiting.output()).toContain('"msg":"stopped before any bot process started"');
      expect(waiting.output()).not.toContain('"msg":"bot process started"');

      const refused = startManager({ DISCORD_API_URL: refusing.apiUrl, ...database.env });
      try {
        expect(await refused.exitWithin(30_000)).toBe(1);
        expect(refused.output()).toContain('"msg":"could not get the recommended shard count from Discord"');
        expect(refused.output()).toContain('DISCORD_TOKEN');
        expect(refused.output()).not.toContain('Discord not reachable');
      } finally {
        refused.killGroup();
      }
    } finally {
      waiting.killGroup();
      await refusing.close();
    }
  }, 120_000);

  it('refuses a HEALTH_PORT that one bot process would take as its METRICS_PORT + k, naming both, and starts nothing', async () => {
    const metricsPort = await freePort();
    const manager = startManager({ DISCORD_API_URL: discord.apiUrl, SHARD_COUNT: '2', METRICS_PORT: String(metricsPort), HEALTH_PORT: String(metricsPort + 1), ...database.env });
    try {
      expect(await manager.exitWithin(30_000)).toBe(1);
      expect(manager.output()).toContain(`HEALTH_PORT=${metricsPort + 1} is one of the bot processes' metrics ports (METRICS_PORT + 0…1 = ${metricsPort}–${metricsPort + 1})`);
      expect(manager.output()).not.toContain('bot process started');
    } finally {
      manager.killGroup();
    }
  }, 60_000);
});

/** `start:sharded` from source, in a process group of its own so that whatever it started can be found afterwards. */
function startManager(env: Record<string, string | undefined>) {
  return startInProcessGroup('src/operations/sharded.ts', { LOG_LEVEL: 'info', DISCORD_TOKEN: 'test-token', SHARDS_PER_PROCESS: '1', ...env });
}
