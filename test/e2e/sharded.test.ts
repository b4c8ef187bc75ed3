import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { upsertLessons } from '../../src/db/lessons.js';
import { MALLOC_MMAP_THRESHOLD } from '../../src/malloc-setting.js';
import { createBotDatabase, PLAIN_NODE_WARNING, startBotProcess, type BotDatabase, type BotProcess } from '../support/bot-process.js';
import { startDiscordStandIn, type DiscordStandIn, type StandInGuild } from '../support/discord-stand-in/index.js';
import { postsPerGuild, seedFanOut } from '../support/fan-out.js';
import { makeLesson } from '../support/lessons.js';
import { freePort, until } from '../support/ports.js';
import { TICK_ENV } from '../support/schedule-scenarios.js';

const SERVERS = 200;
/** Lessons stored without their vocabulary (as by another program, or before an upgrade of the word lists). */
const CATCH_UP_LESSONS = 20;

/*
 * More than one process: `start:sharded` (two processes, one shard each) and the shared REST proxy, against a
 * stand-in that enforces Discord's 50 requests/s global limit, one PostgreSQL, 200 servers due the same minute.
 * PostgreSQL only: the embedded database serves one process.
 */
describe.runIf(process.env.TEST_DATABASE_URL)('two bot processes, two shards, one REST proxy, 200 servers due at once', () => {
  let discord: DiscordStandIn;
  let database: BotDatabase;
  let proxy: BotProcess;
  let bots: BotProcess;
  let guilds: StandInGuild[];
  let healthPort: number;
  let proxyMetricsPort: number;

  beforeAll(async () => {
    discord = await startDiscordStandIn({ globalRateLimitPerSecond: 50, recommendedShards: 2 });
    database = await createBotDatabase('postgres');
    guilds = await seedFanOut(discord, { url: database.env.DATABASE_URL }, SERVERS);
    await seedLessonsWithoutVocabulary(database.env.DATABASE_URL!, CATCH_UP_LESSONS);
    const proxyPort = await freePort();
    proxyMetricsPort = await freePort();
    proxy = await startBotProcess(
      { REST_PROXY_PORT: String(proxyPort), REST_PROXY_UPSTREAM_URL: discord.apiUrl, REST_PROXY_METRICS_PORT: String(proxyMetricsPort) },
      { script: 'src/operations/rest-proxy.ts', waitForReady: false },
    );
    await proxy.waitForLog((line) => line.msg === 'Discord REST proxy listening');
    healthPort = await freePort();
    bots = await startBotProcess(
      {
        ...database.env,
        ...TICK_ENV,
        DISCORD_API_URL: `http://127.0.0.1:${proxyPort}/api`,
        SHARD_COUNT: '2',
        SHARDS_PER_PROCESS: '1',
        HEALTH_PORT: String(healthPort),
        // The catch-up job at its slowest, so that the first process's lasts past the second's start (5.5 s later).
        VOCABULARY_CATCH_UP_SHARE: '0.05',
      },
      { script: 'src/operations/sharded.ts', waitForReady: false },
    );
  }, 60_000);

  afterAll(async () => {
    await bots?.stop(40_000);
    await proxy?.stop();
    await discord?.close();
    await database?.dispose();
  }, 60_000);

  async function whyUnposted(unposted: StandInGuild[]): Promise<unknown[]> {
    const channels = unposted.map((guild) => guild.channels[0]!.id);
    const ids = unposted.map((guild) => guild.id);
    return [
      { unposted: ids },
      { requests: discord.requests.filter((request) => channels.some((id) => request.path.includes(id))).map(({ method, path, status, error }) => ({ method, path, status, error })) },
      { bots: bots.logLines().filter((line) => Number(line.level) >= 40 || ids.includes(String(line.guildId))).slice(0, 30) },
      { proxy: proxy.logLines().filter((line) => Number(line.level) >= 40).slice(0, 10) },
      { database: await deliveriesOf(database.env.DATABASE_URL!, ids) },
    ];
  }

  it('posts exactly once in every server, from both processes; each post recorded is a message Discord holds', async () => {
    const counts = await until(
      async () => postsPerGuild(discord, guilds),
      (now) => now.every((count) => count >= 1),
      150_000,
    );
    const unposted = guilds.filter((_, index) => counts[index] === 0);
    // On failure, say why: what the processes logged, what Discord was sent, and the database's view.
    expect(unposted.length === 0 ? [] : await whyUnposted(unposted)).toEqual([]);
    // A few more ticks: nothing is posted twice.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    expect(postsPerGuild(discord, guilds).every((count) => count === 1)).toBe(true);

    expect(discord.identifies.map((identify) => identify.shard).sort()).toEqual([
      [0, 2],
      [1, 2],
    ]);
    // Each process kept the channels of its own shards' servers from their GUILD_CREATE: no post read a channel.
    const kept = bots.logLines().filter((line) => line.msg === 'channels and moderator roles to keep').map((line) => Number(line.channels));
    expect(kept).toHaveLength(2);
    expect(kept.every((count) => count > 0 && count < SERVERS)).toBe(true);
    expect(kept.reduce((sum, count) => sum + count, 0)).toBe(SERVERS);
    expect(discord.requests.filter((request) => request.method === 'GET' && request.route === '/channels/:channelId')).toEqual([]);

    const opened = await openDatabase({ url: database.env.DATABASE_URL, dataDir: 'unused' });
    try {
      const sent = await sql<{ guild_id: string; message_id: string | null; claimed_by: string }>`
        select guild_id, message_id, claimed_by from deliveries where status = 'sent'`.execute(opened.db);
      expect(new Set(sent.rows.map((row) => row.claimed_by)).size).toBe(2);
      // The message each delivery recorded is the one in the server's channel (a proxy that answered a refused
      // post with an empty 200 once left deliveries "sent" with no message).
      const recorded = new Map(sent.rows.map((row) => [row.guild_id, row.message_id]));
      expect(guilds.filter((guild) => recorded.get(guild.id) !== discord.channelMessages(guild.channels[0]!.id)[0]?.id)).toEqual([]);
    } finally {
      await opened.close();
    }
  }, 200_000);

  it('keeps to Discord’s global limit across both processes: no 429 on a quiet machine, and any 429 is resent whole', async () => {
    await until(
      async () => postsPerGuild(discord, guilds),
      (now) => now.every((count) => count >= 1),
      150_000,
    );
    const limited = discord.requests.filter((request) => request.status === 429);
    // The stand-in stamps requests when its own event loop gets to them, so on a CPU-starved machine a burst can
    // look denser than it was sent; a rare 429 must then cost nothing but a retry with the same body.
    expect(limited.length).toBeLessThanOrEqual(Math.ceil(SERVERS / 100));
    for (const refused of limited) {
      const resent = discord.requests.find(
        (request) => request.at >= refused.at && request.path === refused.path && request.status < 300 && sameBody(request.body, refused.body),
      );
      expect(resent, `${refused.method} ${refused.path} was not resent whole after its 429`).toBeDefined();
    }
  }, 200_000);

  it('starts each bot process with glibc’s mmap threshold fixed, which the manager was not given', async () => {
    const manager = bots.child.pid!;
    // The manager's direct children are its bot processes (their vocabulary processes are theirs); the second
    // starts 5.5 s after the first.
    const children = await until(
      async () => readFileSync(`/proc/${manager}/task/${manager}/children`, 'utf8').trim().split(/\s+/u).filter(Boolean),
      (pids) => pids.length === 2,
      30_000,
    );
    expect(readFileSync(`/proc/${manager}/environ`, 'latin1').split('\0').filter((entry) => entry.startsWith('MALLOC_'))).toEqual([]);
    for (const pid of children) {
      const environ = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
      expect(environ).toContain(`MALLOC_MMAP_THRESHOLD_=${MALLOC_MMAP_THRESHOLD}`);
    }
  }, 40_000);

  it('prints no plain-text Node warning: the manager and both bot processes log theirs as JSON', async () => {
    await until(
      async () => bots.logLines().filter((line) => line.msg === 'connected to Discord').length,
      (connected) => connected === 2,
      30_000,
    );
    expect(bots.output()).not.toMatch(PLAIN_NODE_WARNING);
    // discord.js's notice for the role cache limited on purpose, once in each bot process, at debug.
    const notices = bots.logLines().filter((line) => line.warning === 'UnsupportedCacheOverwriteWarning');
    expect(notices.map((line) => line.level)).toEqual([20, 20]);
  }, 40_000);

  it('leaves the missing vocabularies to the process that holds the job’s lock: the other computes none; each process’s lines name it', async () => {
    const caughtUp = () => bots.logLines().filter((line) => line.msg === 'vocabulary caught up');
    const leftToOther = await until(
      async () => bots.logLines().filter((line) => line.msg === 'vocabulary catch-up left to the process that holds its lock; asking again every minute'),
      (lines) => lines.length > 0,
      30_000,
    );
    const connected = bots.logLines().filter((line) => line.msg === 'connected to Discord');
    expect(connected.map((line) => line.cluster).sort()).toEqual([0, 1]);
    // The first process started holds the lock for as long as it computes (at a twentieth of a core: well past the
    // second's start); the second found it held, and has computed nothing.
    expect(leftToOther).toHaveLength(1);
    expect(caughtUp().filter((line) => line.cluster === leftToOther[0]?.cluster)).toEqual([]);
    // Once the holder is done (it may not be yet), it has computed them all: the seeded lessons and the fan-out's.
    for (const line of caughtUp()) expect(line).toMatchObject({ computed: CATCH_UP_LESSONS + 1, failed: [] });
  }, 40_000);

  it('reports every shard of every process healthy on the manager’s HEALTH_PORT', async () => {
    const response = await until(
      // Until the manager listens, a refused connection is an answer too ("not yet"), not a failure of the test.
      () =>
        fetch(`http://127.0.0.1:${healthPort}/healthz`)
          .then(async (r) => ({ status: r.status, body: (await r.json()) as unknown }))
          .catch((error: unknown) => ({ status: 0, body: String(error) })),
      (answer) => answer.status === 200,
      30_000,
    );
    expect(response).toEqual({ status: 200, body: { status: 'ok', checks: { database: 'ok', discord: 'ok' } } });
  }, 40_000);

  it('serves every process’s metrics added up on the manager’s HEALTH_PORT: the 200 posts of both processes', async () => {
    await until(
      async () => postsPerGuild(discord, guilds),
      (now) => now.every((count) => count >= 1),
      150_000,
    );
    // Each process counts its own posts; the manager asks both at the scrape and adds them up.
    const body = await until(
      () => fetch(`http://127.0.0.1:${healthPort}/metrics?from=prometheus`).then((r) => r.text()),
      (text) => text.includes(`newsdesk_lesson_posts_total{outcome="sent"} ${SERVERS}`),
      20_000,
    );
    expect(body).toContain(`newsdesk_lesson_posts_total{outcome="sent"} ${SERVERS}`);
    expect(body).toContain(`newsdesk_schedule_lag_seconds_count ${SERVERS}`);
    expect(body).toContain('newsdesk_process_resident_memory_bytes');
    // The 200 posts under Discord's 50/s: they waited in the proxy's queue, which counts them on its own METRICS_PORT.
    const proxyBody = await fetch(`http://127.0.0.1:${proxyMetricsPort}/metrics`).then((r) => r.text());
    const waits = /^newsdesk_rest_rate_limit_waits_total\{global="true",route_kind="bot"\} (\d+)$/mu.exec(proxyBody);
    expect(Number(waits?.[1])).toBeGreaterThan(0);
  }, 200_000);
});

async function seedLessonsWithoutVocabulary(url: string, count: number): Promise<void> {
  const opened = await openDatabase({ url, dataDir: 'unused' });
  try {
    await upsertLessons(opened.db, Array.from({ length: count }, (_, i) => makeLesson({ title: `Catch-up lesson ${i}` })));
  } finally {
    await opened.close();
  }
}

async function deliveriesOf(url: string, guildIds: string[]): Promise<unknown[]> {
  const opened = await openDatabase({ url, dataDir: 'unused' });
  try {
    const deliveries = await sql`select * from deliveries where guild_id in (${sql.join(guildIds)})`.execute(opened.db);
    const schedules = await sql`select * from schedules where guild_id in (${sql.join(guildIds)})`.execute(opened.db);
    return [...deliveries.rows, ...schedules.rows];
  } finally {
    await opened.close();
  }
}

function sameBody(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
