/**
 * The query plans behind the progress benchmark: every statement `/progress`, `/leaderboard` (week, month,
 * all) and `/lesson catchup` send, run with EXPLAIN (ANALYZE, BUFFERS) on the database `npm run
 * bench:progress` built (run that first). Prints each statement's plan, then one line per statement with its
 * execution time and any sequential scan; exits 1 if a statement reads a table whole (index ranges and key
 * lookups only, issue 13's rule for a command's path).
 *
 *   TEST_DATABASE_URL=postgres://… node --import tsx bench/progress-plans.ts [--name DB] [--caller ID] [--quiet]
 */
import { parseArgs } from 'node:util';
import { CompiledQuery, createQueryId, sql, type KyselyPlugin, type RootOperationNode } from 'kysely';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { BATCH_TIMEOUTS } from '../src/db/timeouts.js';
import { catchup } from '../src/reading/catchup.js';
import { leaderboard, type LeaderboardPeriod } from '../src/reading/leaderboard.js';
import { memberProgress } from '../src/reading/progress.js';

const { values } = parseArgs({
  options: {
    name: { type: 'string', default: 'newsdesk_bench_progress_1000000_50000_1000' },
    // The caller's user id (default: a member near the bottom of the week's board, whose rank costs most).
    caller: { type: 'string' },
    quiet: { type: 'boolean', default: false },
  },
});

const url = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
if (!url) throw new Error('set BENCH_DATABASE_URL or TEST_DATABASE_URL');
if (!/^[a-z_][a-z0-9_]*$/u.test(values.name)) throw new Error(`--name: not a plain database name: ${values.name}`);
const target = new URL(url);
target.pathname = `/${values.name}`;

const GUILD = '700000000000000001';
const NOW = new Date('2026-12-01T12:00:00Z');
const other = String(800000000000000000n + 3n);

const database = await openDatabase({ url: target.toString(), dataDir: 'unused', maxConnections: 1, timeouts: BATCH_TIMEOUTS });
let failed = false;
try {
  const { db } = database;
  await migrateToLatest(db);
  const bottom = await sql<{ user_id: string }>`
    select user_id from lesson_readers
    where guild_id = ${GUILD} and last_read_at >= ${new Date(NOW.getTime() - 7 * 86_400_000)}
      and not exists (select 1 from member_settings s where s.user_id = lesson_readers.user_id and not s.leaderboard_visible)
    group by user_id order by count(*), user_id desc limit 1`.execute(db);
  const caller = values.caller ?? bottom.rows[0]?.user_id ?? other;
  console.log(`caller ${caller}`);
  let nodes: RootOperationNode[] = [];
  const recording = db.withPlugin({
    transformQuery(args) {
      nodes.push(args.node);
      return args.node;
    },
    async transformResult(args) {
      return args.result;
    },
  } satisfies KyselyPlugin);
  // The second call of each case comes half an hour after the first: a board then counts out half an
  // hour of reads between its window's boundary (moved by the first call, if it had to) and now.
  let clock = NOW;
  const deps = { db: recording, now: () => clock };
  const cases: [string, () => Promise<unknown>][] = [
    ['progress (self)', () => memberProgress(deps, { guildId: GUILD, userId: caller, askedBy: caller })],
    ['progress (other)', () => memberProgress(deps, { guildId: GUILD, userId: other, askedBy: caller })],
    ...(['week', 'month', 'all'] as LeaderboardPeriod[]).map(
      (period): [string, () => Promise<unknown>] => [`leaderboard ${period}`, () => leaderboard(deps, { guildId: GUILD, callerId: caller, period })],
    ),
    ['catchup', () => catchup(deps, { guildId: GUILD, userId: caller, page: 1 })],
  ];
  const summary: string[] = [];
  for (const [name, run] of cases) {
    // Once to settle (a window moved if it had to), then the statements of a second, ordinary call.
    clock = NOW;
    await run();
    nodes = [];
    clock = new Date(NOW.getTime() + 30 * 60_000);
    await run();
    const queries = nodes.map((node) => db.getExecutor().compileQuery(node, createQueryId()));
    nodes = [];
    for (const [i, query] of queries.entries()) {
      if (!/^\s*(select|with)/iu.test(query.sql)) {
        summary.push(`${name} #${i + 1}: ${query.sql.trim().split(/\s+/u)[0]} (not explained)`);
        continue;
      }
      const result = await db.executeQuery<{ 'QUERY PLAN': string }>(
        CompiledQuery.raw(`explain (analyze, buffers) ${query.sql}`, [...query.parameters]),
      );
      const plan = result.rows.map((row) => row['QUERY PLAN']);
      const seq = plan.filter((line) => /Seq Scan on (lessons|lesson_readers|reading_events|member_reading_totals|member_window_totals|member_settings)\b/u.test(line));
      if (seq.length > 0) failed = true;
      const time = plan.find((line) => line.startsWith('Execution Time'))?.replace('Execution Time: ', '') ?? '?';
      summary.push(`${name} #${i + 1}: ${time}${seq.length > 0 ? `, SEQUENTIAL: ${seq.map((line) => line.trim()).join('; ')}` : ''}`);
      if (!values.quiet) console.log(`\n=== ${name} #${i + 1}\n${query.sql.replace(/\n\s*\n/gu, '\n')}\n${plan.join('\n')}`);
    }
  }
  console.log(`\n${summary.join('\n')}`);
} finally {
  await database.close();
}
process.exitCode = failed ? 1 : 0;
