import { sql, type Kysely } from 'kysely';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { claimDelivery, dailyDelivery } from '../../src/db/deliveries.js';
import { upsertLesson } from '../../src/db/lessons.js';
import { findSchedule, saveSchedule, setPaused } from '../../src/db/schedules.js';
import type { Schedule } from '../../src/db/schedules.js';
import type { DB } from '../../src/db/schema.js';
import { DeliveryScheduler } from '../../src/delivery/scheduler.js';
import type { VocabularyComputer } from '../../src/vocabulary/computer.js';
import { testDatabaseTargets, useTestDatabase } from '../support/databases.js';
import { makeLesson } from '../support/lessons.js';
import { createServiceHarness } from '../support/services.js';

const GUILD = '100000000000000001';
const OTHER = '100000000000000002';
const CHANNEL = '200000000000000001';
const OTHER_CHANNEL = '200000000000000002';
const DAY = '2026-05-02';
const BEFORE = '2026-05-02T08:59:50Z';
const AT = '2026-05-02T09:00:00.200Z';

/** A daily post at 09:00 UTC (or as `overrides` say), set long before the day. */
function saveDailySchedule(db: Kysely<DB>, guildId: string, channelId: string, overrides: { postTime?: string; roleId?: string } = {}) {
  const input = { guildId, channelId, postTime: overrides.postTime ?? '09:00', timeZone: 'UTC', roleId: overrides.roleId ?? null, createThread: false };
  return saveSchedule(db, input, new Date('2026-01-01T00:00:00Z'));
}

/**
 * Cards built before their minute (LessonPoster.prepare, DeliveryScheduler.prepareAhead): what is posted at the
 * minute is what would have been built then, and whatever changes the day's lesson or the card in between wins.
 */
describe.each(testDatabaseTargets())('posts prepared ahead of their minute on $kind', (target) => {
  const database = useTestDatabase(target);

  async function setUp() {
    const db = database().db;
    const first = makeLesson({ date: '2025-06-01', title: 'First @everyone lesson' });
    const second = makeLesson({ date: '2025-06-02', title: 'Second lesson' });
    await upsertLesson(db, first);
    await upsertLesson(db, second);
    await saveDailySchedule(db, GUILD, CHANNEL);
    await saveDailySchedule(db, OTHER, OTHER_CHANNEL);
    const harness = createServiceHarness(db, BEFORE);
    const schedule = async (guildId = GUILD): Promise<Schedule> => (await findSchedule(db, guildId))!;
    return { db, first, second, schedule, ...harness };
  }

  it('a card built ahead is posted at the minute as the card built then would be, with only the claim left', async () => {
    const { db, first, schedule, poster, channels, setNow } = await setUp();
    expect(await poster.prepare(await schedule(), DAY)).toBe(true);
    setNow(AT);
    const ahead = await poster.post(await schedule(), DAY, 0);
    const atTheMinute = await poster.post(await schedule(OTHER), DAY, 0);
    expect(ahead).toMatchObject({ status: 'sent', lessonId: first.id, prepared: true });
    expect(atTheMinute).toMatchObject({ status: 'sent', lessonId: first.id, prepared: false });
    const [one, two] = [channels.sentTo(CHANNEL)[0]!.options, channels.sentTo(OTHER_CHANNEL)[0]!.options];
    expect({ ...one, nonce: undefined }).toEqual({ ...two, nonce: undefined });
    expect(one.nonce).not.toBe(two.nonce);
    expect((await dailyDelivery(db, GUILD, DAY))?.status).toBe('sent');
    expect(poster.preparedCount).toBe(0);
  });

  it('the schedule as it is at the minute decides the channel and the ping, not the one the card was built with', async () => {
    const { db, schedule, poster, channels, setNow } = await setUp();
    await poster.prepare(await schedule(), DAY);
    await saveDailySchedule(db, GUILD, OTHER_CHANNEL, { roleId: '300000000000000001' });
    setNow(AT);
    expect(await poster.post(await schedule(), DAY, 0)).toMatchObject({ status: 'sent', prepared: true });
    expect(channels.sentTo(CHANNEL)).toEqual([]);
    expect(channels.sentTo(OTHER_CHANNEL)[0]!.options).toMatchObject({
      content: '<@&300000000000000001> 📰 **Today’s lesson** is here!',
      allowedMentions: { parse: [], roles: ['300000000000000001'] },
    });
  });

  it('a lesson pinned to the day after the card was built is the one posted', async () => {
    const { second, schedule, poster, services, setNow } = await setUp();
    await poster.prepare(await schedule(), DAY);
    await services.delivery.plan(GUILD, { date: DAY, lesson: second.id, plannedBy: 'mod' });
    setNow(AT);
    expect(await poster.post(await schedule(), DAY, 0)).toMatchObject({ status: 'sent', lessonId: second.id, prepared: false });
  });

  it('an import after the card was built forgets it: the card shows the lesson as imported', async () => {
    const { first, schedule, poster, services, channels, setNow } = await setUp();
    await poster.prepare(await schedule(), DAY);
    await services.lessons.importParsed([{ ...first, title: 'First lesson, corrected' }]);
    setNow(AT);
    expect(await poster.post(await schedule(), DAY, 0)).toMatchObject({ status: 'sent', lessonId: first.id, prepared: false });
    expect(JSON.stringify(channels.sentTo(CHANNEL)[0]!.options.embeds)).toContain('First lesson, corrected');
  });

  it('a vocabulary stored after the card was built (the catch-up job, a member’s request) forgets it: the post shows the level', async () => {
    const { db, first, schedule } = await setUp();
    // The same services over the same database, computing vocabularies in this thread with a fixed result.
    const fixed: VocabularyComputer = {
      compute: (lesson) => ({
        entries: [{ word: 'ferry', lemma: 'ferry', pos: 'noun', definition: 'a boat', sentence: lesson.article[0] ?? '', source: 'article', frequency: 900, distractors: ['a', 'b', 'c'] }],
        level: { band: 'B2', outside2k: 0.2, outside5k: 0.09, words: 300 },
      }),
      close: () => undefined,
    };
    const withVocabulary = createServiceHarness(db, BEFORE, fixed);
    const card = await schedule();
    await withVocabulary.poster.prepare(card, DAY);
    expect(withVocabulary.poster.preparedCount).toBe(1);
    expect((await withVocabulary.services.vocabulary.refresh()).computed).toBeGreaterThan(0);
    expect(withVocabulary.poster.preparedCount).toBe(0);
    withVocabulary.setNow(AT);
    expect(await withVocabulary.poster.post(card, DAY, 0)).toMatchObject({ status: 'sent', lessonId: first.id, prepared: false });
    expect(JSON.stringify(withVocabulary.channels.sentTo(CHANNEL)[0]!.options.embeds)).toContain('B2');
  });

  it('a card whose building began before a change is not kept', async () => {
    const { schedule, poster } = await setUp();
    const building = poster.prepare(await schedule(), DAY);
    poster.forgetPrepared(OTHER);
    expect(await building).toBe(false);
    expect(poster.preparedCount).toBe(0);
  });

  it('a claim taken over from a crashed process posts that claim’s lesson, not the card’s', async () => {
    const { db, second, schedule, poster, setNow } = await setUp();
    await poster.prepare(await schedule(), DAY);
    // Another process claimed the day with the second lesson, then died before sending: its claim is stale at the minute.
    await claimDelivery(db, {
      guildId: GUILD,
      localDate: DAY,
      sequence: 0,
      lessonId: second.id,
      channelId: CHANNEL,
      claimedBy: 'dead-process',
      now: new Date('2026-05-02T08:58:00Z'),
      staleClaimMs: 60_000,
    });
    setNow(AT);
    expect(await poster.post(await schedule(), DAY, 0)).toMatchObject({ status: 'sent', lessonId: second.id, prepared: false });
  });

  it('a card is not used for another day, nor after two minutes', async () => {
    const { schedule, poster, setNow } = await setUp();
    await poster.prepare(await schedule(), DAY);
    setNow('2026-05-03T09:00:00Z');
    expect(await poster.post(await schedule(), '2026-05-03', 0)).toMatchObject({ status: 'sent', prepared: false });

    setNow('2026-05-03T08:56:00Z');
    await poster.prepare(await schedule(OTHER), '2026-05-03');
    setNow('2026-05-03T08:58:01Z');
    poster.forgetStalePrepared();
    expect(poster.preparedCount).toBe(0);
    setNow('2026-05-03T09:00:00Z');
    expect(await poster.post(await schedule(OTHER), '2026-05-03', 0)).toMatchObject({ status: 'sent', prepared: false });
  });

  describe('the scheduler', () => {
    function scheduler(
      harness: Awaited<ReturnType<typeof setUp>>,
      now: () => Date,
      servesGuild = (_: string) => true,
      logs?: string[],
      batchSize?: number,
    ) {
      return new DeliveryScheduler({
        db: harness.db,
        poster: harness.poster,
        logger: logs ? pino({ level: 'warn' }, { write: (line: string) => void logs.push(line) }) : pino({ level: 'silent' }),
        now,
        cronExpression: '* * * * *',
        leaseMs: 60_000,
        servesGuild,
        prepareAheadMs: 10_000,
        ...(batchSize === undefined ? {} : { batchSize }),
      });
    }

    it('posts every due server it serves in one tick, past pages of servers no process serves (the bot was removed from them)', async () => {
      const harness = await setUp();
      // Server ids sort before GUILD and OTHER: with pages of 2 they fill the first pages, and they stay due all day.
      const removed = ['100000000000000000', '099999999999999991', '099999999999999992', '099999999999999993', '099999999999999994'];
      for (const [i, guildId] of removed.entries()) await saveDailySchedule(harness.db, guildId, `20000000000000009${i}`);
      const served = new Set([GUILD, OTHER, '100000000000000005']);
      await saveDailySchedule(harness.db, '100000000000000005', '200000000000000005');
      let now = new Date(BEFORE);
      const delivery = scheduler(harness, () => now, (guildId) => served.has(guildId), undefined, 2);
      // Cards ahead for a page's worth of the servers it serves, none for the others.
      expect(await delivery.prepareAhead()).toBe(2);
      now = new Date(AT);
      await delivery.tick();
      await delivery.stop();
      for (const channel of [CHANNEL, OTHER_CHANNEL, '200000000000000005']) expect(harness.channels.sentTo(channel), channel).toHaveLength(1);
      for (const [i] of removed.entries()) expect(harness.channels.sentTo(`20000000000000009${i}`)).toEqual([]);
    });

    it('stopped for the process’s shutdown during a tick, begins no more posts: the rest are left unclaimed, and the next tick posts them, once', async () => {
      const harness = await setUp();
      const more = ['100000000000000011', '100000000000000012', '100000000000000013', '100000000000000014'];
      for (const [i, guildId] of more.entries()) await saveDailySchedule(harness.db, guildId, `20000000000000011${i + 1}`);
      const channels = [CHANNEL, OTHER_CHANNEL, ...more.map((_, i) => `20000000000000011${i + 1}`)];
      harness.channels.sendDelayMs = 150;
      const first = new DeliveryScheduler({
        db: harness.db,
        poster: harness.poster,
        logger: pino({ level: 'silent' }),
        now: () => new Date(AT),
        cronExpression: '* * * * *',
        leaseMs: 60_000,
        servesGuild: () => true,
        concurrency: 1,
      });
      await first.tick();
      await new Promise((resolve) => setTimeout(resolve, 100));
      await first.stop({ leaveUnstarted: true });
      // The post in flight finished; none after it was begun.
      expect(harness.channels.sent.length).toBe(1);
      // Another process (or this one restarted) posts the rest at its next tick, and nothing twice.
      harness.channels.sendDelayMs = 0;
      const next = scheduler(harness, () => new Date(AT));
      await next.tick();
      await next.stop();
      for (const channel of channels) expect(harness.channels.sentTo(channel), channel).toHaveLength(1);
    });

    it('publishes the posts of announcement channels once the minute’s posts are out, each once, never those of text channels', async () => {
      const harness = await setUp();
      const third = '100000000000000003';
      await saveDailySchedule(harness.db, third, '200000000000000003');
      harness.channels.makeAnnouncementChannel(CHANNEL);
      harness.channels.makeAnnouncementChannel('200000000000000003');
      const now = new Date(AT);
      const delivery = scheduler(harness, () => now);
      await delivery.tick();
      await delivery.stop();
      await vi.waitFor(() => expect(harness.channels.events.filter((e) => e.startsWith('published'))).toHaveLength(2));
      const [announced, announcedToo, text] = [CHANNEL, '200000000000000003', OTHER_CHANNEL].map((channel) => harness.channels.sentTo(channel)[0]?.messageId);
      // Every post first (one request each under the global limit), then the publications.
      expect(harness.channels.events.slice(0, 3).every((e) => e.startsWith('sent'))).toBe(true);
      expect(harness.channels.events.slice(3).sort()).toEqual([`published ${announced}`, `published ${announcedToo}`].sort());
      expect(harness.channels.events).not.toContain(`published ${text}`);
    });

    it('builds the cards of the servers due within the lead it serves, unpaused, and posts them at the minute', async () => {
      const harness = await setUp();
      const third = '100000000000000003';
      const later = '100000000000000004';
      await saveDailySchedule(harness.db, third, '200000000000000003');
      await saveDailySchedule(harness.db, later, '200000000000000004', { postTime: '09:05' });
      await setPaused(harness.db, third, true, new Date('2026-01-01T00:00:00Z'));
      let now = new Date(BEFORE);
      const delivery = scheduler(harness, () => now, (guildId) => guildId !== OTHER);
      expect(await delivery.prepareAhead()).toBe(1);
      expect(harness.poster.preparedCount).toBe(1);
      // Nothing is claimed ahead: the minute has not come.
      expect(await dailyDelivery(harness.db, GUILD, DAY)).toBeUndefined();

      now = new Date(AT);
      await delivery.tick();
      await delivery.stop();
      expect(harness.channels.sentTo(CHANNEL)).toHaveLength(1);
      expect(harness.poster.preparedCount).toBe(0);
    });

    it('a failing database ends the pass at its first failure, with one warning; the posts are built at their minute', async () => {
      const harness = await setUp();
      for (let i = 3; i <= 8; i++) await saveDailySchedule(harness.db, `10000000000000000${i}`, `20000000000000000${i}`);
      const logs: string[] = [];
      let now = new Date(BEFORE);
      const delivery = scheduler(harness, () => now, () => true, logs);
      const prepare = vi.spyOn(harness.poster, 'prepare');
      await sql`alter table lesson_plans rename to lesson_plans_away`.execute(harness.db);
      try {
        expect(await delivery.prepareAhead()).toBe(0);
      } finally {
        await sql`alter table lesson_plans_away rename to lesson_plans`.execute(harness.db);
      }
      // Eight servers due; the pass stopped after the first of the two at a time failed.
      expect(prepare.mock.calls.length).toBeLessThanOrEqual(2);
      expect(logs.map((line) => JSON.parse(line).msg)).toEqual(['preparing posts ahead stopped; the rest are built at their minute']);
      now = new Date(AT);
      await delivery.tick();
      await delivery.stop();
      expect(harness.channels.sent).toHaveLength(8);
    });

    it('a schedule written after the minute’s cards were built gets its card before the minute; ready cards are not built again', async () => {
      const harness = await setUp();
      const [third, fourth, fifth] = ['100000000000000003', '100000000000000004', '100000000000000005'];
      let now = new Date('2026-05-02T08:59:40Z');
      const delivery = scheduler(harness, () => now);
      const prepare = vi.spyOn(harness.poster, 'prepare');
      const settle = () => new Promise((resolve) => setTimeout(resolve, 500));
      // 20 s before the minute: the preparation has not come; it will see the schedule, so nothing now.
      await saveDailySchedule(harness.db, third, '200000000000000003');
      delivery.schedulesChanged();
      await settle();
      expect(prepare).not.toHaveBeenCalled();

      now = new Date(BEFORE);
      expect(await delivery.prepareAhead()).toBe(3);
      prepare.mockClear();
      // 5 s before: written after the preparation (a notice each, two at once): built in one more pass, alone.
      now = new Date('2026-05-02T08:59:55Z');
      await saveDailySchedule(harness.db, fourth, '200000000000000004');
      delivery.schedulesChanged();
      delivery.schedulesChanged();
      await expect.poll(() => harness.poster.preparedCount).toBe(4);
      expect(prepare.mock.calls.map(([schedule]) => schedule.guildId)).toEqual([fourth]);

      // 1.2 s before: too close for a pass (with its quarter second's wait), built at the minute.
      now = new Date('2026-05-02T08:59:58.800Z');
      await saveDailySchedule(harness.db, fifth, '200000000000000005');
      delivery.schedulesChanged();
      await settle();
      expect(harness.poster.preparedCount).toBe(4);

      now = new Date(AT);
      await delivery.tick();
      await delivery.stop();
      expect(harness.channels.sent).toHaveLength(5);
      expect(harness.poster.preparedCount).toBe(0);
    });

    it('started, it prepares before the coming minute by itself', async () => {
      const harness = await setUp();
      // 10.5 s before the minute: the preparation is due in half a second.
      const delivery = scheduler(harness, () => new Date('2026-05-02T08:59:49.500Z'));
      delivery.start();
      try {
        await expect.poll(() => harness.poster.preparedCount, { timeout: 5_000 }).toBe(2);
      } finally {
        await delivery.stop();
      }
      expect(harness.channels.sent).toEqual([]);
    });
  });
});
