import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { watchLibraryChanges, type ChangeFeed } from '../../src/db/change-feed.js';
import { openDatabase, type Database } from '../../src/db/database.js';
import { upsertLesson } from '../../src/db/lessons.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { planLesson } from '../../src/db/lesson-plans.js';
import { recordOpening } from '../../src/db/reading.js';
import { saveSchedule } from '../../src/db/schedules.js';
import { createAlerts } from '../../src/delivery/alerts.js';
import { LessonPoster } from '../../src/delivery/poster.js';
import { importLessons } from '../../src/lessons/import.js';
import { DEFAULT_LIBRARY_CACHE, LibraryCache } from '../../src/lessons/library-cache.js';
import type { Lesson } from '../../src/domain/lesson.js';
import { createServices, type Services } from '../../src/services.js';
import { createScratchPostgres } from '../support/databases.js';
import { makeLesson } from '../support/lessons.js';
import { RecordingChannels } from '../support/recording-channels.js';

const GUILD = '100000000000000001';
const NOW = new Date('2026-05-02T12:00:00Z');

/** Until `check` holds (a notice travels between connections), or fails after a generous bound. */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('condition not reached');
}

// PostgreSQL only: the caches serve only while LISTEN hears the change notices (on PGlite they are off, and
// every other services test runs without them). CI sets TEST_DATABASE_URL.
const url = process.env.TEST_DATABASE_URL;
describe.runIf(url)('the bot’s library cache on PostgreSQL, with another process writing', () => {
  let scratch: { url: string; drop(): Promise<void> };
  let bot: Database;
  let other: Database;
  let feed: ChangeFeed;
  let services: Services;
  /** Notices the bot's feed has handled. */
  let notices = 0;
  /** Writes with `write`, then waits until the bot has heard its notice. */
  async function announced(write: () => Promise<unknown>): Promise<void> {
    const before = notices;
    await write();
    await eventually(async () => notices > before);
  }

  beforeAll(async () => {
    scratch = await createScratchPostgres(url!);
    bot = await openDatabase({ url: scratch.url, dataDir: 'unused', maxConnections: 2 });
    await migrateToLatest(bot.db);
    // "Another process": the lessons CLI or another shard, on connections of its own.
    other = await openDatabase({ url: scratch.url, dataDir: 'unused', maxConnections: 1 });
    const heard: { cache?: LibraryCache } = {};
    feed = watchLibraryChanges(scratch.url, {
      onChange: (table) => {
        notices += 1;
        heard.cache?.changed(table);
      },
    });
    const cache = new LibraryCache(feed);
    heard.cache = cache;
    const logger = pino({ level: 'silent' });
    const channels = new RecordingChannels();
    const poster = new LessonPoster({
      db: bot.db, channels, logger, now: () => NOW, alerts: createAlerts({ db: bot.db, channels, logger }), processId: 'test', leaseMs: 60_000,
    });
    services = createServices({ db: bot.db, logger, now: () => NOW, importTimeZone: 'UTC', poster, cache });
    await eventually(async () => feed.live);
  });

  afterAll(async () => {
    await feed?.close();
    await services?.vocabulary.close();
    await bot?.close();
    await other?.close();
    await scratch?.drop();
  });

  it('serves a lesson from memory, and a re-import by another process replaces it', async () => {
    const lesson = makeLesson({ title: 'Ferries return to the bay' });
    await announced(() => upsertLesson(other.db, lesson));
    expect((await services.lessons.byId(lesson.id)).lesson.title).toBe('Ferries return to the bay');

    // A write that sends no notice (triggers off for that session): the bot keeps what it has, so it is cached.
    await other.db.connection().execute(async (connection) => {
      await sql`set session_replication_role = replica`.execute(connection);
      await sql`update lessons set title = 'Silently changed' where id = ${lesson.id}::uuid`.execute(connection);
      await sql`set session_replication_role = origin`.execute(connection);
    });
    expect((await services.lessons.byId(lesson.id)).lesson.title).toBe('Ferries return to the bay');

    // A re-import (with its notice) by another process: the next reads see it.
    await upsertLesson(other.db, { ...lesson, title: 'Ferries return to the bay, updated' });
    await eventually(async () => (await services.lessons.byId(lesson.id)).lesson.title === 'Ferries return to the bay, updated');
  });

  it('autocomplete answers follow an import by another process', async () => {
    expect((await services.lessons.choices('heron')).length).toBe(0);
    const lesson = makeLesson({ title: 'Herons nest by the river', date: '2025-06-01' });
    await upsertLesson(other.db, lesson);
    await eventually(async () => (await services.lessons.choices('heron')).some((choice) => choice.value === lesson.id));
  });

  it('a level computed by another process reaches the lesson at once; the suggestions stay in memory', async () => {
    const lesson = makeLesson({ title: 'Kingfishers dive for minnows', date: '2025-06-02' });
    await announced(() => upsertLesson(other.db, lesson));
    expect((await services.lessons.byId(lesson.id)).level).toBeUndefined();
    expect((await services.lessons.choices('kingfisher')).map((choice) => choice.value)).toEqual([lesson.id]);
    // Changed without a notice: the suggestions show the new title only if they are read again.
    await other.db.connection().execute(async (connection) => {
      await sql`set session_replication_role = replica`.execute(connection);
      await sql`update lessons set title = 'Kingfishers, renamed silently' where id = ${lesson.id}::uuid`.execute(connection);
      await sql`set session_replication_role = origin`.execute(connection);
    });

    // The catch-up job of another process (or shard) stores the lesson's vocabulary, with its notice.
    await announced(() =>
      sql`insert into lesson_vocabularies (lesson_id, content_hash, lexicon_version, level, outside_2k, outside_5k, counted_words)
        select id, content_hash, 'test', 'B1', 0.2, 0.1, article_words from lessons where id = ${lesson.id}::uuid`.execute(other.db),
    );
    expect((await services.lessons.byId(lesson.id)).level?.band).toBe('B1');
    const [choice] = await services.lessons.choices('kingfisher');
    expect(choice?.name).toContain('Kingfishers dive for minnows');
  });

  it('warmUp loads the newest lessons’ words before any member types: the first suggestion comes from memory', async () => {
    const renameSilently = (lessonId: string) =>
      other.db.connection().execute(async (connection) => {
        await sql`set session_replication_role = replica`.execute(connection);
        await sql`update lessons set title = title || ', renamed silently' where id = ${lessonId}::uuid`.execute(connection);
        await sql`set session_replication_role = origin`.execute(connection);
      });
    // Without it, the first suggestion after a change is the database's (the load it starts is not waited for).
    const osprey = makeLesson({ title: 'Ospreys circle the harbour', date: '2025-06-03' });
    await announced(() => upsertLesson(other.db, osprey));
    await renameSilently(osprey.id);
    expect((await services.lessons.choices('osprey'))[0]?.name).toContain('renamed silently');

    const egret = makeLesson({ title: 'Egrets wade in the shallows', date: '2025-06-04' });
    await announced(() => upsertLesson(other.db, egret));
    await services.lessons.warmUp();
    await renameSilently(egret.id);
    expect((await services.lessons.choices('egret'))[0]?.name).toContain('Egrets wade in the shallows');
    expect((await services.lessons.choices('egret'))[0]?.name).not.toContain('renamed silently');
  });

  it('untilLive says at once that the feed listens', async () => {
    expect(await feed.untilLive(1_000)).toBe(true);
  });

  it('untilLive gives up after its wait when the feed cannot listen, and at once once it is closed', async () => {
    const errors: Error[] = [];
    const unreachable = watchLibraryChanges('postgres://postgres@127.0.0.1:1/nowhere', { onChange: () => undefined, onError: (error) => errors.push(error) });
    const started = Date.now();
    expect(await unreachable.untilLive(300)).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    const waiting = unreachable.untilLive(60_000);
    await unreachable.close();
    expect(await waiting).toBe(false);
    expect(errors.length).toBeGreaterThan(0);
  });

  it('today’s lesson follows a lesson pinned to today by another process', async () => {
    const first = makeLesson({ title: 'First in the backlog', date: '2020-01-01' });
    const pinned = makeLesson({ title: 'Pinned for today', date: '2025-07-01' });
    await upsertLesson(other.db, first);
    await upsertLesson(other.db, pinned);
    await saveSchedule(other.db, { guildId: GUILD, channelId: '200000000000000001', postTime: '23:00', timeZone: 'UTC', roleId: null, createThread: false }, NOW);
    await eventually(async () => (await services.lessons.today(GUILD)).lesson.id === first.id);
    expect((await services.lessons.today(GUILD)).lesson.id).toBe(first.id);

    await planLesson(other.db, { guildId: GUILD, localDate: '2026-05-02', lessonId: pinned.id, plannedBy: '300000000000000001', fromDate: '2026-05-02' });
    await eventually(async () => (await services.lessons.today(GUILD)).lesson.id === pinned.id);
  });

  it('related readings come from memory with each member’s own read marks, and follow an import by another process', async () => {
    const heron = makeLesson({ title: 'Herons return to the marsh', date: '2025-06-01', similarReadings: ['Cranes winter on the lake'] });
    const crane = makeLesson({ title: 'Cranes winter on the lake', date: '2025-05-01', similarReadings: [] });
    await announced(() => importLessons(other.db, [heron, crane]));
    const reader = { guildId: GUILD, userId: '300000000000000007' };
    const stranger = { guildId: GUILD, userId: '300000000000000008' };
    const related = async (member: typeof reader) =>
      (await services.discovery.related(heron.id, member)).lessons
        // The titles the export names (other lessons of this file may follow, similar by content).
        .filter((lesson) => lesson.reason === 'similar-reading')
        .map((lesson) => [lesson.title, lesson.read] as const);
    expect(await related(reader)).toEqual([['Cranes winter on the lake', false]]);

    // The member reads it (no library change): the cached readings get the member's new mark, and another
    // member's marks stay theirs.
    await recordOpening(bot.db, { lessonId: crane.id, ...reader, kind: 'dialogue', at: NOW });
    expect(await related(reader)).toEqual([['Cranes winter on the lake', true]]);
    expect(await related(stranger)).toEqual([['Cranes winter on the lake', false]]);

    // Served from memory: the stored match taken away without a notice does not reach the bot…
    await other.db.connection().execute(async (connection) => {
      await sql`set session_replication_role = replica`.execute(connection);
      await sql`update similar_readings set matched_lesson_id = null where lesson_id = ${heron.id}::uuid`.execute(connection);
      await sql`set session_replication_role = origin`.execute(connection);
    });
    expect(await related(reader)).toEqual([['Cranes winter on the lake', true]]);

    // …and a re-import by another process (with its notice) is seen: the heron lesson now names another title.
    const egret = makeLesson({ title: 'Egrets nest in the reeds', date: '2025-04-01', similarReadings: [] });
    await importLessons(other.db, [{ ...heron, similarReadings: ['Egrets nest in the reeds'] }, egret]);
    await eventually(async () => (await related(stranger))[0]?.[0] === 'Egrets nest in the reeds');
    expect((await related(stranger))[0]).toEqual(['Egrets nest in the reeds', false]);
  });

  it('keeps lessons’ texts up to its characters: the least recently read go first, and a text over the bound is not kept', async () => {
    // A cache of its own, holding at most 30,000 characters of text; it serves while the shared feed is live.
    const small = new LibraryCache(feed, { ...DEFAULT_LIBRARY_CACHE, maxCharacters: 30_000 });
    const logger = pino({ level: 'silent' });
    const channels = new RecordingChannels();
    const poster = new LessonPoster({
      db: bot.db, channels, logger, now: () => NOW, alerts: createAlerts({ db: bot.db, channels, logger }), processId: 'test', leaseMs: 60_000,
    });
    const bounded = createServices({ db: bot.db, logger, now: () => NOW, importTimeZone: 'UTC', poster, cache: small });
    try {
      const paragraph = (letter: string) => `${letter}${'x'.repeat(999)}`;
      const [a, b, c, huge] = ['a', 'b', 'c', 'h'].map((letter, i) =>
        makeLesson({ title: `Texts kept ${letter}`, date: `2025-07-0${i + 1}`, article: Array.from({ length: i === 3 ? 31 : 12 }, () => paragraph(letter)) }),
      ) as [Lesson, Lesson, Lesson, Lesson];
      await announced(() => importLessons(other.db, [a, b, c, huge]));
      const firstParagraph = async (lesson: Lesson) => (await bounded.lessons.byIdWith(lesson.id, 'article')).lesson.article[0];
      for (const lesson of [a, b, c, huge]) expect(await firstParagraph(lesson)).toBe(paragraph(lesson.title.at(-1)!));

      // Changed without a notice: what the cache still holds is served as it was; what it let go is read anew.
      await other.db.connection().execute(async (connection) => {
        await sql`set session_replication_role = replica`.execute(connection);
        await sql`update lessons set article = '["changed"]'::jsonb where id = any(${[a.id, b.id, c.id, huge.id]}::uuid[])`.execute(connection);
        await sql`set session_replication_role = origin`.execute(connection);
      });
      // 12,000 characters each and their heads: b and c fit in 30,000, a (read first) went for c; the huge one
      // (31,000) was never kept and let none go.
      expect(await firstParagraph(c)).toBe(paragraph('c'));
      expect(await firstParagraph(b)).toBe(paragraph('b'));
      expect(await firstParagraph(huge)).toBe('changed');
      expect(await firstParagraph(a)).toBe('changed');
    } finally {
      await bounded.vocabulary.close();
    }
  });

  it('the feed is not live once closed, and the caches then read the database every time', async () => {
    const lesson = makeLesson({ title: 'Read through' });
    await upsertLesson(other.db, lesson);
    await feed.close();
    expect(feed.live).toBe(false);
    await other.db.connection().execute(async (connection) => {
      await sql`set session_replication_role = replica`.execute(connection);
      await sql`update lessons set title = 'Changed without a notice' where id = ${lesson.id}::uuid`.execute(connection);
      await sql`set session_replication_role = origin`.execute(connection);
    });
    expect((await services.lessons.byId(lesson.id)).lesson.title).toBe('Changed without a notice');
  });
});
