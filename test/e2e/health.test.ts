import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { databaseCheck, runHealthChecks } from '../../src/operations/health.js';
import { botDatabaseKinds, createBotDatabase, startBotProcess, type BotDatabase, type BotProcess } from '../support/bot-process.js';
import { startDiscordStandIn, type DiscordStandIn } from '../support/discord-stand-in/index.js';
import { freePort, until } from '../support/ports.js';

async function healthz(port: number): Promise<{ status: number; body: { status: string; checks: Record<string, string> } }> {
  const response = await fetch(`http://127.0.0.1:${port}/healthz`);
  return { status: response.status, body: (await response.json()) as { status: string; checks: Record<string, string> } };
}

describe.each(botDatabaseKinds())('HEALTH_PORT on %s: /healthz and /metrics of the running bot', (kind) => {
  let database: BotDatabase;
  /** The bot and the Discord it is connected to; a test that takes Discord away marks them broken. */
  let live: { discord: DiscordStandIn; bot: BotProcess; port: number; broken: boolean } | undefined;

  async function stopLive(): Promise<void> {
    // A bot cut off from Discord is not asked to shut down cleanly (it would keep trying to reach it).
    if (live?.broken) await live.bot.kill();
    else await live?.bot.stop();
    await live?.discord.close();
    live = undefined;
  }

  beforeAll(async () => {
    database = await createBotDatabase(kind, { migrated: true });
  });

  // A connected bot for each test: the one before, unless that test took Discord away.
  beforeEach(async () => {
    if (live && !live.broken) return;
    await stopLive();
    const discord = await startDiscordStandIn();
    discord.addGuild();
    const port = await freePort();
    try {
      const bot = await startBotProcess({ ...database.env, DISCORD_API_URL: discord.apiUrl, HEALTH_PORT: String(port) });
      live = { discord, bot, port, broken: false };
    } catch (error) {
      await discord.close();
      throw error;
    }
  }, 90_000);

  afterAll(async () => {
    await stopLive();
    await database?.dispose();
  });

  it('answers 200 when the database answers and the shard is connected, with the new metrics beside it', async () => {
    const { port } = live!;
    const { status, body } = await healthz(port);
    expect(status).toBe(200);
    expect(body).toEqual({ status: 'ok', checks: { database: 'ok', discord: 'ok' } });
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    for (const name of [
      'newsdesk_db_pool_waiting_clients',
      'newsdesk_schedule_lag_seconds_bucket',
      'newsdesk_interactions_deferred_total',
      'newsdesk_rest_rate_limit_waits_total',
    ]) {
      expect(metrics).toContain(name);
    }
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(404);
  });

  it('answers 503 naming the shard once Discord is unreachable, logs the outage once, and 200 again once Discord is back', async () => {
    const scene = live!;
    scene.broken = true;
    await scene.discord.close();
    const { status, body } = await until(() => healthz(scene.port), (answer) => answer.status === 503);
    expect(status).toBe(503);
    expect(body.status).toBe('unhealthy');
    expect(body.checks.database).toBe('ok');
    expect(body.checks.discord).toMatch(/^shard 0 /u);

    // An outage of a few seconds: several tries.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    // Discord back at the same address (a new gateway: the old session is unknown there, so the bot identifies).
    // While it was gone the bot tried again every ~0.5 s, and said so once, not at every try.
    const port = Number(new URL(scene.discord.apiUrl).port);
    const discord = await startDiscordStandIn({ port });
    discord.addGuild();
    scene.discord = discord;
    const back = await until(() => healthz(scene.port), (answer) => answer.status === 200);
    expect(back.body).toEqual({ status: 'ok', checks: { database: 'ok', discord: 'ok' } });
    scene.broken = false;
    expect(discord.identifies.length).toBeGreaterThanOrEqual(1);
    const gatewayLines = scene.bot.logLines().filter((line) => String(line.msg).startsWith('gateway'));
    expect(gatewayLines.filter((line) => line.msg === 'gateway reconnecting')).toHaveLength(1);
    const reconnected = gatewayLines.filter((line) => line.msg === 'gateway reconnected');
    expect(reconnected).toHaveLength(1);
    expect(reconnected[0]).toMatchObject({ shardId: 0 });
    expect(reconnected[0]?.tries).toBeGreaterThanOrEqual(3);
  }, 60_000);
});

describe('the database health check', () => {
  it('reports a database that no longer answers', async () => {
    const database = await openDatabase({ dataDir: 'memory://' });
    const check = databaseCheck(database.db);
    expect(await runHealthChecks([check])).toEqual({ healthy: true, checks: { database: 'ok' } });
    await database.close();
    const report = await runHealthChecks([check]);
    expect(report.healthy).toBe(false);
    expect(report.checks.database).not.toBe('ok');
  });

  it('reports a check that hangs as failed after the timeout', async () => {
    const report = await runHealthChecks([{ name: 'database', check: () => new Promise(() => undefined) }], 100);
    expect(report).toEqual({ healthy: false, checks: { database: 'no answer within 100 ms' } });
  });
});
