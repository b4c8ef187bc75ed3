import { sql, type KyselyPlugin, type PluginTransformQueryArgs, type PluginTransformResultArgs, type QueryResult, type RootOperationNode, type UnknownRow } from 'kysely';
import { describe, expect, it } from 'vitest';
import { findLesson, upsertLesson } from '../../src/db/lessons.js';
import { recordOpening, recordReading } from '../../src/db/reading.js';
import type { TestDatabase } from '../support/databases.js';
import { testDatabaseTargets, useTestDatabase } from '../support/databases.js';
import { makeLesson } from '../support/lessons.js';
import { until } from '../support/ports.js';

/*
 * Mark as read is a transaction of several statements (claim, finish, event). When the member had only
 * opened one part, the lesson's words move in it: if the finish took the lesson's totals and the event then
 * took the rank-count rows, an opening of the same lesson by another member (counts first, then the lesson's
 * totals, in one statement) could hold the count row Mark as read waits for while waiting for the totals
 * Mark as read holds: a deadlock, which PostgreSQL breaks by aborting one of them. Here Mark as read is held
 * between its statements (a Kysely plugin waits after each of them), an opening that needs the same count
 * row runs into it, and then Mark as read goes on: both must succeed, and the counts must agree.
 * PostgreSQL only: PGlite has one connection, on which writers never overlap.
 */

const GUILD = '410000000000000001';
const MARKER = '420000000000000001';
const OPENER = '420000000000000002';

/** Holds a transaction after the statement that `pauseAfter` picks, until `release` is called. */
function holdAfter(pauseAfter: (node: RootOperationNode) => boolean) {
  const picked = new WeakSet<object>();
  let reached!: () => void;
  let release!: () => void;
  const reachedPromise = new Promise<void>((resolve) => (reached = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const plugin: KyselyPlugin = {
    transformQuery(args: PluginTransformQueryArgs) {
      if (pauseAfter(args.node)) picked.add(args.queryId);
      return args.node;
    },
    async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
      if (picked.has(args.queryId)) {
        reached();
        await released;
      }
      return args.result;
    },
  };
  return { plugin, reached: reachedPromise, release };
}

/** Resolves once some backend of this database waits for a lock (the opening, blocked by Mark as read). */
async function untilSomeoneWaitsForALock(database: TestDatabase): Promise<void> {
  const waiting = await until(
    async () =>
      (await sql<{ n: number }>`
        select count(*)::int as n from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock'`.execute(database.db)).rows[0]?.n ?? 0,
    (n) => n > 0,
    10_000,
  );
  if (waiting === 0) throw new Error('the opening never waited for Mark as read');
}

const postgres = testDatabaseTargets().filter((target) => target.kind === 'postgres');

describe.runIf(postgres.length > 0)('Mark as read beside an opening of the same lesson (PostgreSQL)', () => {
  const db = useTestDatabase(postgres[0] ?? testDatabaseTargets()[0]!);

  it.each([
    { opened: true, holdAfter: 'UpdateQueryNode' },
    { opened: false, holdAfter: 'InsertQueryNode' },
  ] as const)(
    'Mark as read (dialogue opened before: $opened) and another member opening it both succeed, the counts agreeing',
    async ({ opened, holdAfter: pausedStatement }) => {
      const database = db();
      const lesson = makeLesson({ title: 'Lock order' });
      await upsertLesson(database.db, lesson);
      const stored = (await findLesson(database.db, lesson.id))!;
      const at = new Date('2026-06-15T12:00:00Z');
      const reading = { lessonId: stored.lesson.id, guildId: GUILD };
      // Opened: the marker is at (1 lesson, dialogue words), and marking adds the article's words in the
      // finishing update. Not opened: the claim does all the work.
      if (opened) await recordOpening(database.db, { ...reading, userId: MARKER, kind: 'dialogue', at });

      const hold = holdAfter((node) => node.kind === pausedStatement);
      const marking = database.db
        .transaction()
        .execute((trx) => recordReading(trx.withPlugin(hold.plugin), { ...reading, userId: MARKER, kind: 'finished', at: new Date(at.getTime() + 60_000) }));
      await hold.reached;
      // Another member's first opening of the dialogue: (0) → (1 lesson, dialogue words), the count row the
      // marker leaves when it had opened the dialogue, and the lesson's totals the marker holds.
      const opening = recordOpening(database.db, { ...reading, userId: OPENER, kind: 'dialogue', at: new Date(at.getTime() + 90_000) });
      const settled = Promise.allSettled([marking, opening]);
      await untilSomeoneWaitsForALock(database);
      hold.release();
      const [marked, openedNow] = await settled;

      expect(marked.status === 'rejected' ? String(marked.reason) : marked.value).toEqual({ firstRead: !opened, firstFinish: true });
      expect(openedNow.status === 'rejected' ? String(openedNow.reason) : openedNow.value).toEqual({ firstRead: true, firstFinish: false });
      const counts = await sql<{ lessons_read: number; words_read: string; members: number }>`
        select lessons_read, words_read, members from leaderboard_word_counts
        where guild_id = ${GUILD} and days = 0 and members > 0 order by words_read`.execute(database.db);
      expect(counts.rows.map((row) => [row.lessons_read, Number(row.words_read), row.members])).toEqual([
        [1, stored.dialogueWords, 1],
        [1, stored.dialogueWords + stored.articleWords, 1],
      ]);
      const totals = await sql<{ read_count: number }>`select read_count from lesson_read_totals where lesson_id = ${stored.lesson.id}`.execute(database.db);
      expect(totals.rows[0]?.read_count).toBe(2);
      const marker = await sql<{ finished: boolean; parts: boolean }>`
        select finished_at is not null as finished, dialogue_read_at is not null and article_read_at is not null as parts
        from lesson_readers where guild_id = ${GUILD} and user_id = ${MARKER}`.execute(database.db);
      expect(marker.rows).toEqual([{ finished: true, parts: true }]);
    },
    30_000,
  );
});
