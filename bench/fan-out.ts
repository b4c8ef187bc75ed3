/**
 * `npm run bench:fan-out [-- --servers N] [--db postgres|pglite] [--prepare-ahead-ms MS] [--channels-per-server C]
 * [--roles-per-server R] [--schedules-after-start]`: the daily fan-out and the bot's memory. `--prepare-ahead-ms` sets the bot's
 * DELIVERY_PREPARE_AHEAD_MS (0: cards built at the minute); C text channels (1) and R roles (0) a server, as its
 * GUILD_CREATE lists them (discord.js keeps every channel and role: the memory grows with them);
 * `--schedules-after-start` writes the schedules once the bot is connected, as an operator's SQL would (its
 * channels are then read over REST: `channel_reads`, how many of them at the minute or later, and while posts went out);
 * `--schedules-written-before-s S` writes them after the start too, S seconds before their minute (too late for
 * the reads ahead to finish: the posts then go out without reading their channels);
 * BENCH_NODE_FLAGS replaces the bot's Node flags (to profile it: production's and `--cpu-prof --cpu-prof-dir=…`),
 * glibc's malloc settings (`MALLOC_*`, `GLIBC_TUNABLES`) and PGLITE_SHARED_BUFFERS_MB are passed on to the bot when set.
 *
 * The compiled bot (`dist/`, as `npm start` runs it) against the Discord stand-in on loopback, which enforces
 * Discord's 50 requests/s global limit; N servers (1,000 by default) all due at the same minute. Prints one JSON
 * line per database: time from the due minute to the last post against the N / 50 s bound, posts, duplicates,
 * missing posts and 429s, and the bot's resident memory (RSS) idle with N servers and at the fan-out's peak.
 * PostgreSQL when BENCH_DATABASE_URL (or TEST_DATABASE_URL) is set, and PGlite. Not part of `npm test`.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DateTime } from 'luxon';
import { openDatabase } from '../src/db/database.js';
import { upsertLesson } from '../src/db/lessons.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { saveSchedule } from '../src/db/schedules.js';
import { createScratchPostgres } from '../test/support/databases.js';
import { deny, role, startDiscordStandIn, textChannel } from '../test/support/discord-stand-in/index.js';
import { fanOutGuildId } from '../test/support/fan-out.js';
import { makeLesson } from '../test/support/lessons.js';
import { freePort } from '../test/support/ports.js';
import { productionNodeFlags } from './node-flags.js';

const { values } = parseArgs({
  options: {
    servers: { type: 'string', default: '1000' },
    db: { type: 'string' },
    'prepare-ahead-ms': { type: 'string' },
    'channels-per-server': { type: 'string', default: '1' },
    'roles-per-server': { type: 'string', default: '0' },
    'schedules-after-start': { type: 'boolean', default: false },
    'schedules-written-before-s': { type: 'string' },
  },
});
const writtenBeforeS = values['schedules-written-before-s'] === undefined ? undefined : Number(values['schedules-written-before-s']);
const schedulesAfterStart = values['schedules-after-start'] || writtenBeforeS !== undefined;
const channelsPerServer = Number(values['channels-per-server']);
const rolesPerServer = Number(values['roles-per-server']);
const servers = Number(values.servers);
const url = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
const kinds = (['postgres', 'pglite'] as const).filter((kind) => (kind === 'postgres' ? url : true) && (!values.db || values.db === kind));
const log = (message: string) => console.error(`[bench:fan-out] ${message}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function rssMb(pid: number): number | undefined {
  try {
    const kb = /VmRSS:\s+(\d+)/u.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** The bot's child processes (the vocabulary worker while it runs), whose memory is not in the bot's RSS. */
function childrenRssMb(pid: number): number {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/u).filter(Boolean);
    return children.reduce((sum, child) => sum + (rssMb(Number(child)) ?? 0), 0);
  } catch {
    return 0;
  }
}

/** glibc's malloc settings for the bot, passed on when set (BENCHMARKS.md, "Servers with many channels", "Import: glibc's mmap threshold"). */
const mallocEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => name.startsWith('MALLOC_') || name === 'GLIBC_TUNABLES'));

/** As production runs it (`npm start`); BENCH_NODE_FLAGS to measure others (empty: none). */
const nodeFlags = productionNodeFlags(process.env.BENCH_NODE_FLAGS);

/** Where the bot's memory is (its /metrics, prom-client's default metrics), in MB: V8 heap used and total, code, external. */
async function memoryBreakdown(metricsPort: number): Promise<Record<string, number> | undefined> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const read = (pattern: RegExp) => {
      const value = pattern.exec(text)?.[1];
      return value === undefined ? Number.NaN : Number((Number(value) / 1024 / 1024).toFixed(1));
    };
    return {
      heap_used_mb: read(/^newsdesk_nodejs_heap_size_used_bytes (\S+)$/mu),
      heap_total_mb: read(/^newsdesk_nodejs_heap_size_total_bytes (\S+)$/mu),
      code_space_mb: read(/^newsdesk_nodejs_heap_space_size_used_bytes\{space="code"\} (\S+)$/mu),
      new_space_mb: read(/^newsdesk_nodejs_heap_space_size_total_bytes\{space="new"\} (\S+)$/mu),
      external_mb: read(/^newsdesk_nodejs_external_memory_bytes (\S+)$/mu),
      rss_mb: read(/^newsdesk_process_resident_memory_bytes (\S+)$/mu),
    };
  } catch {
    return undefined;
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

async function run(kind: 'postgres' | 'pglite'): Promise<void> {
  if (schedulesAfterStart && kind === 'pglite') {
    log('pglite: skipped with --schedules-after-start (the bot holds the embedded database; nothing else writes to it)');
    return;
  }
  const discord = await startDiscordStandIn({ globalRateLimitPerSecond: 50, onProblem: log });
  // A real server has many channels and roles, each overwriting a few permissions; all are in its GUILD_CREATE.
  const guilds = Array.from({ length: servers }, (_, index) =>
    discord.addGuild({
      id: fanOutGuildId(index),
      name: `Fan-out ${index}`,
      roles: Array.from({ length: rolesPerServer }, (_, r) => role({ name: `role ${r}`, permissions: ['SendMessages'] })),
      channels: Array.from({ length: channelsPerServer }, (_, c) =>
        textChannel({ name: `channel-${c}`, topic: `Channel ${c} of server ${index}`, permissionOverwrites: c === 0 ? [] : [deny('@everyone', ['SendMessages'])] }),
      ),
    }),
  );
  const scratch = kind === 'postgres' ? await createScratchPostgres(url!) : undefined;
  const dataDir = kind === 'pglite' ? mkdtempSync(join(tmpdir(), 'newsdesk-bench-')) : undefined;
  const databaseEnv = scratch ? { DATABASE_URL: scratch.url } : { DATA_DIR: dataDir! };

  // Due at a minute far enough ahead for the bot to start and settle: idle memory is sampled before it.
  const due = DateTime.utc().startOf('minute').plus({ minutes: 2 });
  const writeSchedules = async () => {
    const database = await openDatabase({ url: scratch?.url, dataDir: dataDir ?? 'unused' });
    try {
      for (const guild of guilds) {
        const input = { guildId: guild.id, channelId: guild.channels[0]!.id, postTime: due.toFormat('HH:mm'), timeZone: 'UTC', roleId: null, createThread: false };
        await saveSchedule(database.db, input, new Date());
      }
    } finally {
      await database.close();
    }
  };
  const database = await openDatabase({ url: scratch?.url, dataDir: dataDir ?? 'unused' });
  try {
    await migrateToLatest(database.db);
    await upsertLesson(database.db, makeLesson());
  } finally {
    await database.close();
  }
  if (!schedulesAfterStart) await writeSchedules();

  const metricsPort = await freePort();
  const prepareAhead = values['prepare-ahead-ms'];
  const prepareAheadEnv = prepareAhead === undefined ? {} : { DELIVERY_PREPARE_AHEAD_MS: prepareAhead };
  // PGlite's page cache, as the operator would set it (its default otherwise).
  const pageCacheEnv = process.env.PGLITE_SHARED_BUFFERS_MB ? { PGLITE_SHARED_BUFFERS_MB: process.env.PGLITE_SHARED_BUFFERS_MB } : {};
  const bot = spawn(process.execPath, [...nodeFlags, 'dist/src/main.js'], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...mallocEnv, LOG_LEVEL: 'warn', DISCORD_TOKEN: 'bench-token', DISCORD_API_URL: discord.apiUrl, METRICS_PORT: String(metricsPort), ...prepareAheadEnv, ...databaseEnv, ...pageCacheEnv },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const samples: { at: number; mb: number; children: number }[] = [];
  const sampler = setInterval(() => {
    const mb = rssMb(bot.pid!);
    if (mb !== undefined) samples.push({ at: Date.now(), mb, children: childrenRssMb(bot.pid!) });
  }, 250);
  try {
    await discord.waitForSession(120_000);
    log(`${kind}: bot connected with ${servers} servers; fan-out due at ${due.toISOTime()}`);
    // As an operator's SQL or another tool would: schedules the bot did not write, after it started.
    if (schedulesAfterStart) {
      if (writtenBeforeS !== undefined) await sleep(Math.max(0, due.toMillis() - writtenBeforeS * 1000 - Date.now()));
      await writeSchedules();
      log(`${kind}: ${servers} schedules written after the start, ${((due.toMillis() - Date.now()) / 1000).toFixed(1)} s before the minute`);
    }
    await sleep(Math.max(0, due.toMillis() - 3_000 - Date.now()));
    const memoryIdle = await memoryBreakdown(metricsPort);
    const deadline = due.toMillis() + Math.max(120_000, (servers / 50) * 3000);
    const posted = () => guilds.filter((guild) => discord.channelMessages(guild.channels[0]!.id).length > 0).length;
    while (posted() < servers && Date.now() < deadline) await sleep(250);
    const memoryAfter = await memoryBreakdown(metricsPort);
    await sleep(3_000); // a few more ticks: anything posted twice shows up

    const counts = guilds.map((guild) => discord.channelMessages(guild.channels[0]!.id).length);
    const posts = discord.requests.filter((r) => r.method === 'POST' && r.route === '/channels/:channelId/messages' && r.status === 200);
    const lastPost = Math.max(...posts.map((r) => r.at));
    const idle = samples.filter((s) => s.at < due.toMillis() - 2_000).slice(-20).map((s) => s.mb);
    const during = samples.filter((s) => s.at >= due.toMillis() && s.at <= lastPost + 1_000).map((s) => s.mb);
    console.log(
      JSON.stringify({
        bench: 'fan-out',
        db: kind,
        servers,
        channels_per_server: channelsPerServer,
        roles_per_server: rolesPerServer,
        global_limit_per_s: 50,
        time_to_first_post_s: Number(((Math.min(...posts.map((r) => r.at)) - due.toMillis()) / 1000).toFixed(2)),
        time_to_last_post_s: Number(((lastPost - due.toMillis()) / 1000).toFixed(2)),
        // The first and last rounds of 50: how long each took to arrive (the last round repeats the first's pattern).
        ...roundSpreads(posts.map((r) => r.at)),
        bound_s: servers / 50,
        posted: counts.filter((count) => count >= 1).length,
        duplicates: counts.filter((count) => count > 1).length,
        missing: counts.filter((count) => count === 0).length,
        http_429: discord.requests.filter((r) => r.status === 429).length,
        // The margin under a strict count: the shortest time in which 51 bot-token requests arrived (under 1,000 ms, a
        // stand-in counting any sliding second at arrival would have answered one 429; this one counts its own way).
        ...tightestGlobalSpan(discord.requests.filter((r) => r.headers.authorization?.startsWith('Bot ')).map((r) => r.receivedAt), 50),
        // Channels read over REST (GET /channels/:id): none, when the bot keeps the scheduled ones from GUILD_CREATE.
        channel_reads: discord.requests.filter((r) => r.method === 'GET' && r.route === '/channels/:channelId').length,
        channel_reads_from_due_minute: discord.requests.filter((r) => r.method === 'GET' && r.route === '/channels/:channelId' && r.at >= due.toMillis()).length,
        // Of those, the ones made while posts were still going out (each took a place the posts needed).
        channel_reads_during_fan_out: discord.requests.filter(
          (r) => r.method === 'GET' && r.route === '/channels/:channelId' && r.at >= due.toMillis() && r.at <= lastPost,
        ).length,
        schedules_written: writtenBeforeS !== undefined ? `${writtenBeforeS} s before the minute` : schedulesAfterStart ? 'after the start' : 'before the start',
        rss_idle_mb: Number(median(idle).toFixed(1)),
        rss_peak_mb: Number(Math.max(0, ...during).toFixed(1)),
        rss_peak_overall_mb: Number(Math.max(0, ...samples.map((s) => s.mb)).toFixed(1)),
        // The bot and its child processes together (the vocabulary worker, while the start-up catch-up runs).
        rss_with_children_peak_overall_mb: Number(Math.max(0, ...samples.map((s) => s.mb + s.children)).toFixed(1)),
        children_rss_peak_mb: Number(Math.max(0, ...samples.map((s) => s.children)).toFixed(1)),
        memory_idle: memoryIdle,
        memory_after_fan_out: memoryAfter,
        node_flags: nodeFlags.join(' '),
        prepare_ahead_ms: prepareAhead === undefined ? 'default' : Number(prepareAhead),
        machine: { cpus: cpus().length, loadavg_1m: Number(loadavg()[0]!.toFixed(2)), node: process.version },
      }),
    );
  } finally {
    clearInterval(sampler);
    bot.kill('SIGTERM');
    await new Promise((resolve) => bot.once('exit', resolve));
    await discord.close();
    await scratch?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

log('building dist/ (the bot runs compiled, as in production)');
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-b', 'tsconfig.build.json'], { stdio: 'inherit' });
for (const kind of kinds) await run(kind);

/** Milliseconds from the first to the last post of the first and of the last round of 50 (Discord's global limit). */
function roundSpreads(times: readonly number[]): { first_round_spread_ms: number; last_round_spread_ms: number } {
  const sorted = [...times].sort((a, b) => a - b);
  const first = sorted.slice(0, 50);
  const last = sorted.slice(Math.max(0, sorted.length - (sorted.length % 50 || 50)));
  const spread = (round: number[]) => (round.length > 0 ? round.at(-1)! - round[0]! : 0);
  return { first_round_spread_ms: spread(first), last_round_spread_ms: spread(last) };
}

/**
 * The shortest span from a request to the `limit`-th after it, at arrival, and how many requests arrived in the
 * busiest sliding second: what a stand-in counting Discord's global limit strictly, in any second, would see.
 */
function tightestGlobalSpan(arrivals: number[], limit: number): { tightest_51_request_span_ms: number | null; most_requests_in_any_second: number } {
  const sorted = [...arrivals].sort((a, b) => a - b);
  let tightest = Number.POSITIVE_INFINITY;
  for (let i = 0; i + limit < sorted.length; i++) tightest = Math.min(tightest, sorted[i + limit]! - sorted[i]!);
  let most = 0;
  for (let start = 0, end = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= 1_000) start++;
    most = Math.max(most, end - start + 1);
  }
  return { tightest_51_request_span_ms: Number.isFinite(tightest) ? Number(tightest.toFixed(1)) : null, most_requests_in_any_second: most };
}
