/**
 * Commands at scale (issue 13): the real bot, compiled and started as `npm start` runs it, against the Discord
 * stand-in on loopback and the library database (100,000 lessons by default, `--pg-lessons` for a quick run),
 * takes `--interactions` interactions (2,000) at each rate of `--rates` (200/s, then 50/s) in the mix:
 * /lesson today, show, dialogue, article and related, the lesson autocomplete (words and word starts from
 * titles), card buttons (dialogue, article, related, mark as read) and page buttons. Members of four servers
 * with a reading history send them.
 *
 * Measured: dispatch (the stand-in sends INTERACTION_CREATE) → first answer (the stand-in has received the
 * interaction callback in full, before handling it: `receivedAt`), median / p95 / p99 / max overall and per kind, interactions not answered within
 * Discord's 3 s, deferrals, failures; and a bare indexed SELECT by primary key from this process, idle just
 * before the run (`ratio` = median / its median) and sampled during it. PostgreSQL only: the bot is a process
 * of its own on the library database. `BENCH_DUMP=<file>` appends each round's interactions to that file as one JSON
 * line, `[kind, sent at (ms), first answer after (ms) or null]` each: where in a round the slow answers fall.
 * `BENCH_SEED=<n>` (default 1313) another sequence of interactions: with the same seed a run repeats the
 * reads of the runs before it (the same members and lessons), which the database has recorded already.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { performance, PerformanceObserver } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { sql, type Kysely } from 'kysely';
import type { APIMessage } from 'discord.js';
import { encodeCustomId } from '../../src/domain/discord-format/index.js';
import { lessonButtons } from '../../src/lessons/card-view.js';
import { openDatabase } from '../../src/db/database.js';
import type { DB } from '../../src/db/schema.js';
import { MIGRATION_TIMEOUTS } from '../../src/db/timeouts.js';
import { makeMessage } from '../../src/local-discord/objects.js';
import { APOLOGY } from '../../src/discord/router.js';
import { startDiscordStandIn, textChannel, type DiscordStandIn, type InteractionHandle } from '../../test/support/discord-stand-in/index.js';
import { COMMAND_GUILDS, MEMBERS_PER_GUILD, memberId, prepareCommandServers, readerCounts, type ReaderCounts } from '../commands-setup.js';
import { prng, type GeneratedLibrary } from '../library-generator.js';
import type { BenchCase, BenchContext } from '../runner.js';
import { productionNodeFlags } from '../node-flags.js';
import { emit, percentile } from '../stats.js';

/** The targets. */
const TARGET_P99_MS = 50;
const TARGET_RATIO = 10;
/** Discord's deadline for the first answer. */
const DEADLINE_MS = 3_000;
const CALLBACK_ROUTE = '/interactions/:interactionId/:token/callback';

type Kind = 'today' | 'show' | 'dialogue' | 'article' | 'related' | 'autocomplete' | 'card-button' | 'page-button';

/** Share of each kind in the mix (per cent); autocomplete is what members do most (every keystroke). */
const MIX: readonly (readonly [Kind, number])[] = [
  ['today', 12],
  ['show', 10],
  ['dialogue', 10],
  ['article', 10],
  ['related', 10],
  ['autocomplete', 28],
  ['card-button', 10],
  ['page-button', 10],
];

interface Sent {
  readonly kind: Kind;
  readonly handle: InteractionHandle;
  /** performance.now() right after the dispatch was handed to the gateway socket. */
  readonly at: number;
  /** How late the generator sent it against its schedule (ms). */
  readonly lag: number;
  /** performance.now() when the first answer had reached the stand-in (its request read in full). */
  firstAt?: number;
  /** performance.now() once the stand-in had handled that answer. */
  handledAt?: number;
  firstStatus?: number;
}

export const commandsCases: BenchCase[] = [
  {
    name: 'commands',
    description: 'the compiled bot against the Discord stand-in: 2,000 interactions at 200/s and 50/s, dispatch → first answer',
    run: runCommands,
  },
];

async function runCommands(context: BenchContext): Promise<void> {
  const rates = String(context.flags.rates ?? '200,50').split(',').map(Number).filter((rate) => rate > 0);
  const count = Number(context.flags.interactions ?? 2000);
  // --warm-up 0: the first round meets a bot just connected, as a load that starts once the bot is up would.
  const warmUp = Number(context.flags['warm-up'] ?? 200);
  // --new-bot-after-warm-up: the warm-up warms this process (its stand-in, its sender) and a bot that is then
  // stopped; the rounds meet a bot just started, so that what a cold bot costs is told from what a cold bench does.
  const newBotAfterWarmUp = context.flags['new-bot-after-warm-up'] === true;
  for (const target of context.targets) {
    if (target.kind !== 'postgres') {
      context.log('commands: PostgreSQL only (the bot runs as a process of its own on the library database); skipped on PGlite');
      continue;
    }
    const bench = await context.library(target);
    const { database, library, lessons } = bench;
    // Inserting reading histories runs statements longer than a command's bound: a connection without one.
    const setup = await openDatabase({ url: bench.url, dataDir: 'unused', maxConnections: 1, timeouts: MIGRATION_TIMEOUTS });
    let readers: ReaderCounts;
    try {
      await prepareCommandServers(setup.db, library, context.log, context.flags['without-vocabulary'] === true);
      readers = await readerCounts(setup.db);
    } finally {
      await setup.close();
    }
    context.log(`commands: ${lessons} lessons, ${readers.lesson_readers} lesson_readers rows, ${readers.reading_events} reading events`);

    context.log('commands: building dist/ (the bot runs compiled, as npm start runs it)');
    execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-b', 'tsconfig.build.json'], { stdio: 'inherit' });

    const discord = await startDiscordStandIn({
      globalRateLimitPerSecond: 50,
      // The answers are read from the interactions; keeping every request's body would only make this process's
      // collections longer, and its pauses are part of every latency measured.
      maxRecordedRequests: 1000,
      onProblem: (message) => context.log(`stand-in: ${message}`),
    });
    for (const guild of COMMAND_GUILDS) discord.addGuild({ id: guild.id, name: guild.name, channels: [textChannel({ id: guild.channelId, name: 'lessons' })] });
    let bot = startBot(discord, bench.url!);
    const gc = new GcPauses();
    try {
      await bot.connected();
      const load = new Load(discord, library);
      if (warmUp > 0) {
        context.log(`commands: warming up (${warmUp} interactions at 20/s)`);
        markBotLog('bench: warm-up starts');
        await load.run(warmUp, 20);
        discord.forgetHistory();
        if (newBotAfterWarmUp) {
          context.log('commands: a new bot for the rounds (the warm-up warmed the bench only)');
          await bot.stop();
          bot = startBot(discord, bench.url!);
          await bot.connected();
        }
      }
      for (const [index, rate] of rates.entries()) {
        await sleep(3_000);
        const loadBefore = loadavg()[0]!;
        const baseline = await bareSelects(database.db, library, 300);
        const paced = await bareSelects(database.db, library, PACED_SELECTS, 1000 / rate);
        bot.counters.reset();
        const sampler = sampleBareSelects(database.db, library);
        context.log(`commands: ${count} interactions at ${rate}/s (load average ${loadBefore.toFixed(2)})`);
        markBotLog(`bench: ${rate}/s starts`);
        const cpuBefore = { bot: bot.cpuMs(), bench: process.cpuUsage() };
        const sent = await load.run(count, rate);
        const benchCpu = process.cpuUsage(cpuBefore.bench);
        const cpu = { botMs: bot.cpuMs() - cpuBefore.bot, benchMs: (benchCpu.user + benchCpu.system) / 1000 };
        const underLoad = await sampler.stop();
        const benchGc = gc.between(sent[0]?.at ?? 0, performance.now());
        if (process.env.BENCH_DUMP) appendFileSync(process.env.BENCH_DUMP, JSON.stringify(sent.map((s) => [s.kind, Math.round(s.at), s.firstAt === undefined ? null : Math.round((s.firstAt - s.at) * 10) / 10])) + '\n');
        // Which of this bot's rounds (the warm-up's not counted): the first meets a bot that has served nothing
        // (with --warm-up 0 or --new-bot-after-warm-up).
        const warmed = { warmUp, botWarmedUp: warmUp > 0 && !newBotAfterWarmUp, botRound: index + 1 };
        emit(resultLine({ lessons, readers, rate, sent, baseline, paced, underLoad, bot: bot.counters, loadBefore, cpu, benchGc, warmed }));
        discord.forgetHistory();
      }
    } finally {
      gc.stop();
      await bot.stop();
      await discord.close();
    }
  }
}

// ---- the bot process -------------------------------------------------------------------------------

interface BotCounters {
  warnings: number;
  errors: number;
  rateLimited: number;
  lastProblems: string[];
  reset(): void;
}

function startBot(
  discord: DiscordStandIn,
  databaseUrl: string,
): { counters: BotCounters; connected(): Promise<void>; cpuMs(): number; stop(): Promise<void> } {
  // Node options for the bot: production's (`npm start`) unless BENCH_BOT_NODE_ARGS is set (empty for none), e.g. to
  // profile it under the load: BENCH_BOT_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'.
  const nodeArgs = productionNodeFlags(process.env.BENCH_BOT_NODE_ARGS);
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, 'dist/src/main.js'], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      // Production's defaults otherwise: info logging, the default pool and statement bounds.
      LOG_LEVEL: 'info',
      DISCORD_TOKEN: 'bench-token',
      DISCORD_API_URL: discord.apiUrl,
      DATABASE_URL: databaseUrl,
      // The pool's size is the bot's own choice (twice the cores) unless the bench is given one to compare.
      ...(process.env.DATABASE_POOL_SIZE ? { DATABASE_POOL_SIZE: process.env.DATABASE_POOL_SIZE } : {}),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const counters: BotCounters = {
    warnings: 0,
    errors: 0,
    rateLimited: 0,
    lastProblems: [],
    reset() {
      this.warnings = this.errors = this.rateLimited = 0;
      this.lastProblems = [];
    },
  };
  // pino's JSON lines: count warnings and errors, keep a few to show.
  // BENCH_BOT_LOG=<file>: every line of the bot's log, with the bench's clock, to see what it did when.
  createInterface({ input: child.stdout! }).on('line', (line) => {
    markBotLog(line);
    const level = /"level":(\d+)/u.exec(line)?.[1];
    if (!level || Number(level) < 40) return;
    if (Number(level) >= 50) counters.errors += 1;
    else counters.warnings += 1;
    if (line.includes('rate limited')) counters.rateLimited += 1;
    if (counters.lastProblems.length < 5) counters.lastProblems.push(line.slice(0, 300));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return {
    counters,
    /** Rejects if the bot exits first (a configuration error, a crash at start). */
    async connected() {
      const exit = exited.then((code) => {
        throw new Error(`the bot exited with code ${code} before connecting`);
      });
      await Promise.race([discord.waitForSession(120_000), exit]);
    },
    /** User and system CPU time the bot process has used (Linux: /proc/<pid>/stat, in clock ticks of 10 ms). */
    cpuMs() {
      try {
        const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        return (Number(fields[11]) + Number(fields[12])) * 10;
      } catch {
        return Number.NaN;
      }
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

// ---- the load --------------------------------------------------------------------------------------

/** Sends the mix at a rate and records when each interaction's first answer reached the stand-in. */
class Load {
  // BENCH_SEED: see the top of this file.
  private readonly random = prng(Number(process.env.BENCH_SEED ?? 1313));
  private readonly pending = new Map<string, Sent>();
  private readonly words: string[];

  constructor(
    private readonly discord: DiscordStandIn,
    private readonly library: GeneratedLibrary,
  ) {
    // Words of titles a member might type (shorter ones are function words).
    this.words = [...new Set(library.headlines.slice(0, 5000).flatMap((h) => h.toLowerCase().split(/\s+/u)).filter((w) => w.length >= 4))];
    discord.observe((event) => {
      if (event.type !== 'request' || event.request.route !== CALLBACK_ROUTE) return;
      const sent = this.pending.get(event.request.path.split('/')[2] ?? '');
      if (sent && sent.firstAt === undefined) {
        // When the answer reached the stand-in, as Discord's deadline counts it, not once the stand-in had
        // handled it (validation, recording: its own cost, reported as stand_in_handling_median_ms).
        sent.firstAt = event.request.receivedAt;
        sent.handledAt = performance.now();
        sent.firstStatus = event.request.status;
      }
    });
  }

  async run(count: number, rate: number): Promise<Sent[]> {
    const interval = 1000 / rate;
    const sent: Sent[] = [];
    const start = performance.now();
    for (let i = 0; i < count; i++) {
      const due = start + i * interval;
      const wait = due - performance.now();
      if (wait >= 1) await sleep(wait);
      const kind = this.pickKind();
      const handle = this.send(kind);
      const at = performance.now();
      const record: Sent = { kind, handle, at, lag: Math.max(0, at - due) };
      this.pending.set(handle.id, record);
      sent.push(record);
    }
    // Every first answer or Discord's deadline, then the deferred ones' final answers.
    const lastAt = sent.at(-1)?.at ?? performance.now();
    while (sent.some((s) => s.firstAt === undefined) && performance.now() < lastAt + DEADLINE_MS + 500) await sleep(50);
    const deferred = sent.filter((s) => s.firstAt !== undefined && isDeferral(s));
    await Promise.allSettled(deferred.map((s) => s.handle.waitForFinal(30_000)));
    for (const s of sent) this.pending.delete(s.handle.id);
    return sent;
  }

  private pickKind(): Kind {
    let roll = this.random() * 100;
    for (const [kind, share] of MIX) {
      if ((roll -= share) < 0) return kind;
    }
    return 'autocomplete';
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)] as T;
  }

  private send(kind: Kind): InteractionHandle {
    const g = Math.floor(this.random() * COMMAND_GUILDS.length);
    const guild = COMMAND_GUILDS[g]!;
    const userId = memberId(g, Math.floor(MEMBERS_PER_GUILD * this.random() ** 2));
    const base = { guildId: guild.id, channelId: guild.channelId, user: { id: userId, username: `member${userId.slice(-5)}` } };
    const lessonId = this.lessonId();
    // Most members pick a lesson from the autocomplete (its id); some leave it empty (today's lesson).
    const lessonOption = this.random() < 0.7 ? [{ name: 'lesson', value: lessonId }] : [];
    switch (kind) {
      case 'today':
        return this.discord.sendCommand({ ...base, name: 'lesson', subcommand: 'today' });
      case 'show':
        return this.discord.sendCommand({ ...base, name: 'lesson', subcommand: 'show', options: [{ name: 'lesson', value: lessonId }] });
      case 'dialogue':
      case 'article':
      case 'related':
        return this.discord.sendCommand({ ...base, name: 'lesson', subcommand: kind, options: lessonOption });
      case 'autocomplete':
        return this.discord.sendAutocomplete({
          ...base,
          name: 'lesson',
          subcommand: this.pick(['show', 'dialogue', 'article', 'related']),
          options: [{ name: 'lesson', value: this.typed(), focused: true }],
        });
      case 'card-button': {
        // The bench's lessons all have a dialogue and an article: every button is shown.
        const message = this.botMessage(guild, [lessonButtons({ lesson: { id: lessonId }, dialogueWords: 1, articleWords: 1 })], this.random() < 0.5);
        const action = this.pick(['dialogue', 'article', 'related', 'read'] as const);
        return this.discord.sendButton({ ...base, message, customId: encodeCustomId({ action, lessonId }) });
      }
      case 'page-button': {
        // Paging a private article or dialogue (edited in place), or a shared one (answered privately).
        const shared = this.random() < 0.3;
        const pageKind = this.pick(['article', 'dialogue'] as const);
        const next = encodeCustomId({ action: 'page', lessonId, kind: pageKind, page: 2, shared });
        const previous = encodeCustomId({ action: 'page', lessonId, kind: pageKind, page: 1, shared });
        const row = {
          type: 1,
          components: [
            { type: 2, style: 2, label: 'Previous', custom_id: previous, disabled: true },
            { type: 2, style: 2, label: 'Next', custom_id: next },
          ],
        };
        return this.discord.sendButton({ ...base, message: this.botMessage(guild, [row], !shared), customId: next });
      }
    }
  }

  /** Half the clicks and picks are on recent lessons (the newest 2,000), half anywhere in the library. */
  private lessonId(): string {
    const ids = this.library.ids;
    const index = this.random() < 0.5 ? ids.length - 1 - Math.floor(this.random() * Math.min(2000, ids.length)) : Math.floor(this.random() * ids.length);
    return ids[index] as string;
  }

  /** What a member has typed so far: the start of a title word, a whole word, or a word and the start of another. */
  private typed(): string {
    const word = this.pick(this.words);
    const roll = this.random();
    if (roll < 0.4) return word.slice(0, 2 + Math.floor(this.random() * (word.length - 1)));
    if (roll < 0.7) return word;
    const other = this.pick(this.words);
    return `${word} ${other.slice(0, 1 + Math.floor(this.random() * other.length))}`;
  }

  /** A message of the bot's that carries the buttons (a card, a page), as the stand-in would hold it. */
  private botMessage(guild: (typeof COMMAND_GUILDS)[number], components: unknown[], ephemeral: boolean): APIMessage {
    return makeMessage({
      channelId: guild.channelId,
      guildId: guild.id,
      author: this.discord.botUser,
      body: { components, flags: ephemeral ? 64 : 0 },
      type: 0,
      webhookId: this.discord.applicationId,
      applicationId: this.discord.applicationId,
    });
  }
}

function isDeferral(sent: Sent): boolean {
  const callback = sent.handle.responses().find((r) => r.kind === 'callback');
  return callback?.type === 5 || callback?.type === 6;
}

// ---- the bare SELECT ---------------------------------------------------------------------------------

const bareSelect = (db: Kysely<DB>, library: GeneratedLibrary, i: number) =>
  sql`select id, title from lessons where id = ${library.ids[(i * 7919) % library.ids.length]}::uuid`.execute(db);

/**
 * Round trips of the bare SELECT, back to back (`gapMs` 0: the ratio's baseline, as the issue asks) or one every
 * `gapMs`, the interactions' own spacing (the machine otherwise quiet). Spaced out, each round trip also wakes
 * PostgreSQL's backend and this process from idle, as every hop of an interaction does at that rate: on a
 * two-core VM a SELECT every 20 ms took 0.36–0.46 ms at the median against 0.04–0.17 ms back to back.
 */
async function bareSelects(db: Kysely<DB>, library: GeneratedLibrary, runs: number, gapMs = 0): Promise<number[]> {
  for (let i = 0; i < 20; i++) await bareSelect(db, library, i);
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await bareSelect(db, library, i);
    samples.push(performance.now() - started);
    if (gapMs > 0) await sleep(gapMs);
  }
  return samples;
}

/** Spaced SELECTs per round: ~5 s at 50/s. */
const PACED_SELECTS = 250;

/** The same SELECT every 20 ms while the load runs. */
function sampleBareSelects(db: Kysely<DB>, library: GeneratedLibrary): { stop(): Promise<number[]> } {
  const samples: number[] = [];
  let running = true;
  const loop = (async () => {
    for (let i = 0; running; i++) {
      const started = performance.now();
      try {
        await bareSelect(db, library, i);
      } catch {
        // The database stopped or frozen on purpose under a run (BENCHMARKS.md, "PostgreSQL stopped and frozen
        // under the load"): no sample, and the run goes on.
        await sleep(500);
        continue;
      }
      samples.push(performance.now() - started);
      await sleep(20);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return samples;
    },
  };
}

// ---- the line ----------------------------------------------------------------------------------------

const round = (ms: number) => Math.round(ms * 100) / 100;

function latencies(samples: readonly number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    median_ms: round(percentile(sorted, 0.5)),
    p95_ms: round(percentile(sorted, 0.95)),
    p99_ms: round(percentile(sorted, 0.99)),
    max_ms: round(sorted.at(-1) ?? Number.NaN),
  };
}

function resultLine(input: {
  lessons: number;
  readers: ReaderCounts;
  rate: number;
  sent: readonly Sent[];
  baseline: readonly number[];
  paced: readonly number[];
  underLoad: readonly number[];
  bot: BotCounters;
  loadBefore: number;
  cpu: { botMs: number; benchMs: number };
  benchGc: { totalMs: number; maxMs: number };
  warmed: { warmUp: number; botWarmedUp: boolean; botRound: number };
}): Record<string, unknown> {
  const { sent } = input;
  const answered = sent.filter((s) => s.firstAt !== undefined && s.firstAt - s.at <= DEADLINE_MS && (s.firstStatus ?? 500) < 300);
  const firstAnswer = answered.map((s) => s.firstAt! - s.at);
  const finals = sent.map((s) => s.handle.responses());
  const texts = finals.map((events) => JSON.stringify(events.map((e) => e.data.content ?? '')));
  const byKind: Record<string, unknown> = {};
  for (const [kind] of MIX) {
    const ofKind = answered.filter((s) => s.kind === kind).map((s) => s.firstAt! - s.at);
    byKind[kind] = { n: sent.filter((s) => s.kind === kind).length, ...latencies(ofKind) };
  }
  const summary = latencies(firstAnswer);
  const baseline = percentile([...input.baseline].sort((a, b) => a - b), 0.5);
  const ratio = summary.median_ms / baseline;
  const pacedBaseline = percentile([...input.paced].sort((a, b) => a - b), 0.5);
  const unanswered = sent.length - answered.length;
  return {
    bench: 'commands',
    database: 'postgres',
    lessons: input.lessons,
    lesson_readers: input.readers.lesson_readers,
    reading_events: input.readers.reading_events,
    reader_guilds: input.readers.guilds,
    reader_members: input.readers.members,
    rate_per_s: input.rate,
    // Wall clock of the first dispatch, to line a run's slow seconds up with outside logs.
    started_at: new Date(performance.timeOrigin + (sent[0]?.at ?? 0)).toISOString(),
    interactions: sent.length,
    // The warm-up's interactions before the first round, whether this bot served them (not with
    // --new-bot-after-warm-up: then they warmed only this process), and which of this bot's rounds this is.
    warm_up_interactions: input.warmed.warmUp,
    bot_served_warm_up: input.warmed.botWarmedUp,
    bot_round: input.warmed.botRound,
    ...summary,
    unanswered_within_3s: unanswered,
    deferred: sent.filter(isDeferral).length,
    apologies: texts.filter((t) => t.includes(APOLOGY.slice(0, 30))).length,
    autocomplete_empty: finals.filter((events) => events.some((e) => e.type === 8 && (e.data.choices ?? []).length === 0)).length,
    baseline_select_median_ms: round(baseline),
    ratio: round(ratio),
    // The same SELECT one every 1/rate s before the load, and the p50 against it: a bare round trip at the
    // interactions' own spacing (see bareSelects). Reported beside the ratio; `met.ratio` stays on the back-to-back one.
    baseline_select_paced_median_ms: round(pacedBaseline),
    ratio_paced: round(summary.median_ms / pacedBaseline),
    baseline_select_under_load_median_ms: round(percentile([...input.underLoad].sort((a, b) => a - b), 0.5)),
    by_kind: byKind,
    over_target_by_second: overTargetBySecond(sent),
    send_lag_p99_ms: round(percentile([...sent.map((s) => s.lag)].sort((a, b) => a - b), 0.99)),
    bot_cpu_ms_per_interaction: round(input.cpu.botMs / sent.length),
    bench_cpu_ms_per_interaction: round(input.cpu.benchMs / sent.length),
    stand_in_handling_median_ms: round(
      percentile(answered.map((s) => s.handledAt! - s.firstAt!).sort((a, b) => a - b), 0.5),
    ),
    // This process's own collections during the run (it hosts the stand-in): an answer arriving during one is
    // noted after it, so they are part of the latencies above.
    bench_gc_pause_ms: { total: round(input.benchGc.totalMs), max: round(input.benchGc.maxMs) },
    bench_heap_used_mb: round(process.memoryUsage().heapUsed / 1024 / 1024),
    bot_node_flags: productionNodeFlags(process.env.BENCH_BOT_NODE_ARGS).join(' '),
    bot_warnings: input.bot.warnings,
    bot_errors: input.bot.errors,
    bot_rate_limited_warnings: input.bot.rateLimited,
    ...(input.bot.lastProblems.length > 0 ? { bot_problems: input.bot.lastProblems } : {}),
    targets: { p99_ms: TARGET_P99_MS, ratio: TARGET_RATIO, unanswered: 0 },
    met: { p99: summary.p99_ms <= TARGET_P99_MS, ratio: ratio <= TARGET_RATIO, all_answered: unanswered === 0 },
    machine: { cpus: cpus().length, loadavg_1m_before: round(input.loadBefore), loadavg_1m_after: round(loadavg()[0]!), node: process.version },
  };
}

/**
 * Where in the run the slow answers were: for each second of it, how many first answers took longer than the
 * p99 target (or never came). A stall shows as a few crowded seconds, a steady overload as many.
 */
function overTargetBySecond(sent: readonly Sent[]): number[] {
  const start = sent[0]?.at ?? 0;
  const seconds: number[] = [];
  for (const s of sent) {
    const second = Math.floor((s.at - start) / 1000);
    while (seconds.length <= second) seconds.push(0);
    if (s.firstAt === undefined || s.firstAt - s.at > TARGET_P99_MS) seconds[second]! += 1;
  }
  return seconds;
}

/** This process's garbage-collection pauses, to report those that fell inside a run. */
class GcPauses {
  private readonly pauses: { start: number; duration: number }[] = [];
  private readonly observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) this.pauses.push({ start: entry.startTime, duration: entry.duration });
  });

  constructor() {
    this.observer.observe({ entryTypes: ['gc'] });
  }

  between(from: number, to: number): { totalMs: number; maxMs: number } {
    const inside = this.pauses.filter((p) => p.start >= from && p.start <= to).map((p) => p.duration);
    return { totalMs: inside.reduce((a, b) => a + b, 0), maxMs: Math.max(0, ...inside) };
  }

  stop(): void {
    this.observer.disconnect();
  }
}

/** A line in BENCH_BOT_LOG (the bot's, or the bench's own), on the bench's clock. */
function markBotLog(text: string): void {
  if (process.env.BENCH_BOT_LOG) appendFileSync(process.env.BENCH_BOT_LOG, `${performance.now().toFixed(0)} ${text}\n`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
