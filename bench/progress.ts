/**
 * Learner progress latencies (issue 10): `/progress`, `/leaderboard` (week, month, all) and
 * `/lesson catchup`, as the command handlers call them (the reading services, every query they run),
 * over one server with 50,000 members and 1,000,000 read events spread over a year (the keenest members
 * read a few times a day, most a few times a month).
 *
 *   npm run bench:progress [-- --events N] [--members N] [--runs N] [--db postgres|pglite] [--fresh] [--name DB]
 *
 * One JSON line per case and database: parameters, median / p95 / p99 in ms, and the median of a bare
 * SELECT by primary key measured in the same run (`baseline_select_median_ms`, `ratio`). PostgreSQL runs
 * when BENCH_DATABASE_URL or TEST_DATABASE_URL is set; its data set is kept between runs in a database
 * named after its size, or --name (--fresh rebuilds it). PGlite (in memory) gets a tenth of the events by default.
 *
 * The history is loaded in bulk (the per-row triggers that keep lesson_readers and member totals are
 * switched off for the load and the derived tables built with one statement each), because a million
 * trigger calls would take minutes; the tables read afterwards are exactly what the triggers produce.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { openDatabase, type Database } from '../src/db/database.js';
import { BATCH_TIMEOUTS } from '../src/db/timeouts.js';
import { migrateToLatest } from '../src/db/migrate.js';
import type { DB } from '../src/db/schema.js';
import { catchup } from '../src/reading/catchup.js';
import { leaderboard } from '../src/reading/leaderboard.js';
import { memberProgress } from '../src/reading/progress.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string' },
    members: { type: 'string', default: '50000' },
    lessons: { type: 'string', default: '1000' },
    runs: { type: 'string', default: '300' },
    db: { type: 'string' },
    fresh: { type: 'boolean', default: false },
    // The kept PostgreSQL database's name (default: named after the size), so benches of two checkouts
    // with different migrations do not share one.
    name: { type: 'string' },
  },
});

const GUILD = '700000000000000001';
const DAYS = 365;
const NOW = new Date('2026-12-01T12:00:00Z');
const members = Number(values.members);
const lessons = Number(values.lessons);
const runs = Number(values.runs);

interface Target {
  kind: 'postgres' | 'pglite';
  events: number;
  open(): Promise<{ database: Database; fresh: boolean; close(): Promise<void> }>;
}

const url = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
const targets: Target[] = [];
if (url && values.db !== 'pglite') {
  const events = Number(values.events ?? 1_000_000);
  targets.push({
    kind: 'postgres',
    events,
    async open() {
      const name = values.name ?? `newsdesk_bench_progress_${events}_${members}_${lessons}`;
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`--name: not a plain database name: ${name}`);
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      let fresh = false;
      try {
        if (values.fresh) await admin.query(`drop database if exists ${name} with (force)`);
        const exists = await admin.query('select 1 from pg_database where datname = $1', [name]);
        if (exists.rowCount === 0) {
          await admin.query(`create database ${name}`);
          fresh = true;
        }
      } finally {
        await admin.end();
      }
      const target = new URL(url);
      target.pathname = `/${name}`;
      const database = await openDatabase({ url: target.toString(), dataDir: 'unused', maxConnections: 2, timeouts: BATCH_TIMEOUTS });
      return { database, fresh, close: () => database.close() };
    },
  });
}
if (values.db !== 'postgres') {
  const events = Number(values.events ?? 100_000);
  targets.push({
    kind: 'pglite',
    events,
    async open() {
      const database = await openDatabase({ dataDir: 'memory://' });
      return { database, fresh: true, close: () => database.close() };
    },
  });
}
if (!url && values.db !== 'pglite') console.error('note: PostgreSQL skipped (set BENCH_DATABASE_URL or TEST_DATABASE_URL)');

const log = (message: string) => console.error(`[bench:progress] ${message}`);

/** A year of daily lessons and posts; members whose activity follows a steep curve (a few read a lot). */
async function load(db: Kysely<DB>, events: number): Promise<void> {
  const started = performance.now();
  await sql`
    insert into lessons (id, category, url, article_date, title, summary, article, dialogue, similar_readings,
      source_words, source_read_count, source_created_at, source_updated_at, article_words, dialogue_words, content_hash)
    select md5('lesson' || i)::uuid, 'nhk', 'https://example.com/' || i, date '2024-01-01' + i,
      'Lesson number ' || i, 'Summary ' || i, '["a"]', '[]', '[]', 300, 0, now(), now(),
      200 + (i * 37) % 300, 80 + (i * 17) % 120, md5('hash' || i)
    from generate_series(1, ${lessons}) as i`.execute(db);
  await sql`
    insert into deliveries (guild_id, local_date, lesson_id, channel_id, status, nonce, claimed_by, claimed_at, sent_at)
    select ${GUILD}, (${NOW.toISOString()}::timestamptz - (d || ' days')::interval)::date,
      md5('lesson' || (${lessons} - d))::uuid, '1', 'sent', 'n' || d, 'bench',
      ${NOW.toISOString()}::timestamptz - (d || ' days')::interval, ${NOW.toISOString()}::timestamptz - (d || ' days')::interval
    from generate_series(0, ${DAYS - 1}) as d`.execute(db);

  // Bulk load: triggers off, derived tables built once, below.
  await sql`alter table reading_events disable trigger user`.execute(db);
  await sql`alter table lesson_readers disable trigger user`.execute(db);
  await sql`
    insert into reading_events (lesson_id, guild_id, user_id, kind, occurred_at)
    select md5('lesson' || greatest(1, ${lessons} - d - (random() * 3)::int))::uuid, ${GUILD},
      (800000000000000000 + floor(${members} * power(random(), 1.5))::bigint)::text,
      (array['dialogue', 'article', 'finished'])[1 + floor(random() * 3)::int],
      ${NOW.toISOString()}::timestamptz - (d || ' days')::interval - (random() * interval '1 day')
    from (select floor(random() * ${DAYS})::int as d from generate_series(1, ${events})) as picks`.execute(db);
  await sql`
    insert into lesson_readers (lesson_id, guild_id, user_id, first_read_at, last_read_at, dialogue_read_at, article_read_at,
      finished_at, dialogue_last_at, article_last_at)
    select lesson_id, guild_id, user_id, min(occurred_at), max(occurred_at),
      min(occurred_at) filter (where kind = 'dialogue'), min(occurred_at) filter (where kind = 'article'),
      min(occurred_at) filter (where kind = 'finished'),
      max(occurred_at) filter (where kind = 'dialogue'), max(occurred_at) filter (where kind = 'article')
    from reading_events group by lesson_id, guild_id, user_id`.execute(db);
  await sql`
    insert into member_reading_totals (guild_id, user_id, lessons_read, words_read, last_read_at)
    select r.guild_id, r.user_id, count(*),
      sum(case when r.dialogue_read_at is not null then l.dialogue_words else 0 end
        + case when r.article_read_at is not null then l.article_words else 0 end),
      max(r.last_read_at)
    from lesson_readers r join lessons l on l.id = r.lesson_id group by r.guild_id, r.user_id`.execute(db);
  await sql`
    insert into lesson_read_totals (lesson_id, read_count, last_read_at)
    select lesson_id, count(*), max(last_read_at) from lesson_readers group by lesson_id`.execute(db);
  await sql`alter table reading_events enable trigger user`.execute(db);
  await sql`alter table lesson_readers enable trigger user`.execute(db);

  // Some members set a zone, a few hide.
  await sql`
    insert into member_settings (user_id, timezone, leaderboard_visible)
    select (800000000000000000 + i)::text,
      case when i % 3 = 0 then (array['Asia/Tokyo', 'America/New_York', 'Europe/Berlin', 'Pacific/Kiritimati'])[1 + i % 4] end,
      i % 20 <> 0
    from generate_series(0, ${members - 1}, 7) as i`.execute(db);
  await sql`insert into schedules (guild_id, channel_id, post_time, timezone) values (${GUILD}, '1', '07:00', 'Europe/London')`.execute(db);
  // What autovacuum does on a live database: statistics, and the visibility map index-only scans rely on.
  await sql`vacuum analyze`.execute(db);
  log(`loaded ${events} events in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}
const round = (ms: number) => Math.round(ms * 1000) / 1000;

async function time(action: (i: number) => Promise<unknown>, count: number): Promise<number[]> {
  for (let i = 0; i < Math.min(20, Math.ceil(count / 10)); i++) await action(i + 1_000_000);
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await action(i);
    samples.push(performance.now() - started);
  }
  return samples.sort((a, b) => a - b);
}

/** Callers: half drawn like the readers (active members use these commands most), half uniformly. */
function caller(i: number): string {
  const x = ((i * 2654435761) % 1_000_003) / 1_000_003;
  const index = i % 2 === 0 ? Math.floor(members * x ** 1.5) : Math.floor(members * x);
  return String(800000000000000000n + BigInt(index));
}

for (const target of targets) {
  const { database, fresh, close } = await target.open();
  try {
    const { db } = database;
    await migrateToLatest(db);
    const loaded = await sql<{ n: string }>`select count(*) as n from reading_events`.execute(db);
    if (fresh || Number(loaded.rows[0]?.n ?? 0) !== target.events) {
      if (!fresh) throw new Error('the kept bench database is incomplete: run with --fresh');
      log(`loading ${target.events} events for ${members} members on ${target.kind}`);
      await load(db, target.events);
    }
    // A kept database carries the dead rows of earlier runs (count tables and window totals are updated in
    // place all the time). A live server's autovacuum clears them within a minute; this development server
    // runs with autovacuum off, so each run starts from what autovacuum would leave.
    const vacuumed = performance.now();
    await sql`vacuum analyze`.execute(db);
    log(`vacuum analyze in ${((performance.now() - vacuumed) / 1000).toFixed(1)} s`);
    const deps = { db, now: () => NOW };
    // Leaderboards are asked for once a minute (the clock moves a minute per call), so each call also moves
    // its window and counts out what fell out of it.
    let minute = 0;
    const ticking = { db, now: () => new Date(NOW.getTime() + minute++ * 60_000) };
    const baselineIds = await sql<{ id: string }>`select id from lessons limit 100`.execute(db);
    const baseline = percentile(
      await time((i) => sql`select id, title from lessons where id = ${baselineIds.rows[i % baselineIds.rows.length]!.id}::uuid`.execute(db), runs),
      0.5,
    );
    const cases: [string, (i: number) => Promise<unknown>][] = [
      ['progress', (i) => memberProgress(deps, { guildId: GUILD, userId: caller(i), askedBy: caller(i) })],
      ['progress_other', (i) => memberProgress(deps, { guildId: GUILD, userId: caller(i), askedBy: caller(i + 1) })],
      ['leaderboard_week', (i) => leaderboard(ticking, { guildId: GUILD, callerId: caller(i), period: 'week' })],
      ['leaderboard_month', (i) => leaderboard(ticking, { guildId: GUILD, callerId: caller(i), period: 'month' })],
      ['leaderboard_all', (i) => leaderboard(deps, { guildId: GUILD, callerId: caller(i), period: 'all' })],
      ['catchup', (i) => catchup(deps, { guildId: GUILD, userId: caller(i), page: 1 + (i % 3) })],
    ];
    for (const [name, action] of cases) {
      const samples = await time(action, runs);
      const median = percentile(samples, 0.5);
      process.stdout.write(
        `${JSON.stringify({
          bench: `progress.${name}`,
          db: target.kind,
          events: target.events,
          members,
          lessons,
          runs,
          median_ms: round(median),
          p95_ms: round(percentile(samples, 0.95)),
          p99_ms: round(percentile(samples, 0.99)),
          baseline_select_median_ms: round(baseline),
          ratio: round(median / baseline),
        })}\n`,
      );
    }
  } finally {
    await close();
  }
}
