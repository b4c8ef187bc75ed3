import type { APIEmbed } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { claimDelivery, dailyDelivery } from '../../src/db/deliveries.js';
import { updateGuildSettings } from '../../src/db/guild-settings.js';
import { upsertLesson } from '../../src/db/lessons.js';
import { dueSchedules, findSchedule, recordPostFailure, saveSchedule } from '../../src/db/schedules.js';
import { lessonForDay } from '../../src/delivery/lesson-choice.js';
import { planLesson } from '../../src/db/lesson-plans.js';
import { nextPostLine, renderPlanned, renderPreview, renderUnplanned, renderUpcoming, retriedElsewhere, scheduleEmbed } from '../../src/delivery/schedule-view.js';
import { NO_SCHEDULE } from '../../src/delivery/service.js';
import { renderHelp } from '../../src/discord/help-view.js';
import { PostFailure } from '../../src/discord/channels.js';
import { UserError } from '../../src/user-error.js';
import { testDatabaseTargets, useTestDatabase } from '../support/databases.js';
import { makeLesson } from '../support/lessons.js';
import { createServiceHarness } from '../support/services.js';

const GUILD = '100000000000000001';
const CHANNEL = '200000000000000001';
const ALERTS = '200000000000000009';

describe.each(testDatabaseTargets())('delivery service on $kind', (target) => {
  const database = useTestDatabase(target);

  /** Three lessons, oldest article first (the queue's order), and a schedule at 09:00 UTC set long ago. */
  async function setUp(options: { roleId?: string | null; createThread?: boolean; scheduleSetAt?: string } = {}) {
    const db = database().db;
    const lessons = [
      makeLesson({ date: '2025-01-01', title: 'First lesson' }),
      makeLesson({ date: '2025-01-02', title: 'Second lesson' }),
      makeLesson({ date: '2025-01-03', title: 'Third lesson' }),
    ];
    for (const lesson of lessons) await upsertLesson(db, lesson);
    await saveSchedule(
      db,
      { guildId: GUILD, channelId: CHANNEL, postTime: '09:00', timeZone: 'UTC', roleId: options.roleId ?? null, createThread: options.createThread ?? false },
      new Date(options.scheduleSetAt ?? '2026-01-01T00:00:00Z'),
    );
    const harness = createServiceHarness(db, '2026-05-02T12:00:00Z');
    return { db, lessons, ...harness, delivery: harness.services.delivery };
  }

  /**
   * 20:00 UTC on 1 May is 05:00 on 2 May in Tokyo: the moderator posts Tokyo's 2026-05-02 now, then moves the schedule
   * to UTC (21:00), where it is still 1 May. 2026-05-02 is posted, so the next post is 2026-05-03's.
   */
  async function movedWestAfterPost() {
    const set = await setUp();
    const { db, poster, setNow } = set;
    setNow('2026-05-01T20:00:00Z');
    await saveSchedule(db, { guildId: GUILD, channelId: CHANNEL, postTime: '09:00', timeZone: 'Asia/Tokyo', roleId: null, createThread: false }, new Date('2026-01-01T00:00:00Z'));
    expect((await poster.post((await findSchedule(db, GUILD))!, '2026-05-02', 0)).status).toBe('sent');
    await saveSchedule(db, { guildId: GUILD, channelId: CHANNEL, postTime: '21:00', timeZone: 'UTC', roleId: null, createThread: false }, new Date('2026-05-01T20:00:00Z'));
    return set;
  }

  const userError = async (promise: Promise<unknown>) => {
    const error = await promise.then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    return (error as UserError).message;
  };

  describe('the daily choice', () => {
    it('is the head of the queue, then a pinned lesson on its day, then the one already posted', async () => {
      const { db, lessons, delivery, poster } = await setUp();
      const [first, , third] = lessons;
      expect((await lessonForDay(db, GUILD, '2026-05-02')).lessonId).toBe(first!.id);
      await delivery.plan(GUILD, { date: '2026-05-02', lesson: third!.id, plannedBy: 'mod' });
      expect(await lessonForDay(db, GUILD, '2026-05-02')).toEqual({ localDate: '2026-05-02', lessonId: third!.id, source: 'planned' });
      const schedule = (await findSchedule(db, GUILD))!;
      await poster.post(schedule, '2026-05-02', 0);
      // Unpinning after the post does not change what today got.
      await delivery.unplan(GUILD, '2026-05-02');
      expect(await lessonForDay(db, GUILD, '2026-05-02')).toEqual({ localDate: '2026-05-02', lessonId: third!.id, source: 'delivered' });
      // The next day the queue goes on from the first lesson, which was never posted.
      expect((await lessonForDay(db, GUILD, '2026-05-03')).lessonId).toBe(first!.id);
    });

    it('a failed post gives its day back to the plan or the queue', async () => {
      const { db, lessons, poster, channels } = await setUp();
      channels.breakChannel(CHANNEL);
      const result = await poster.post((await findSchedule(db, GUILD))!, '2026-05-02', 0);
      expect(result.status).toBe('failed');
      expect(await lessonForDay(db, GUILD, '2026-05-02')).toEqual({ localDate: '2026-05-02', lessonId: lessons[0]!.id, source: 'queue' });
    });

    it('a failed post that may have reached Discord keeps its lesson for its retry: preview, upcoming, /lesson today and plan say so', async () => {
      const { db, lessons, poster, channels, delivery, services } = await setUp();
      const [first, second] = lessons;
      // The send goes unanswered: the post may be in the channel, and its retry resends it as it was.
      channels.failSends(CHANNEL, new Error('socket hang up'));
      expect((await poster.post((await findSchedule(db, GUILD))!, '2026-05-02', 0)).status).toBe('failed');
      expect(await dailyDelivery(db, GUILD, '2026-05-02')).toMatchObject({ status: 'failed', maybeSent: true, lessonId: first!.id });
      // Meanwhile an older lesson is imported: the queue's head is now another lesson than the one the retry resends.
      const older = makeLesson({ date: '2024-12-01', title: 'Older lesson' });
      await services.lessons.importParsed([older]);
      expect(await lessonForDay(db, GUILD, '2026-05-02')).toEqual({ localDate: '2026-05-02', lessonId: first!.id, source: 'delivered' });
      expect((await delivery.preview(GUILD, undefined)).stored.lesson.title).toBe('First lesson');
      expect((await delivery.upcoming(GUILD, 3)).days.map((day) => day.title)).toEqual(['First lesson', 'Older lesson', 'Second lesson']);
      expect((await services.lessons.todaysCard(GUILD)).stored.lesson.title).toBe('First lesson');
      expect(await userError(delivery.plan(GUILD, { date: '2026-05-02', lesson: second!.id, plannedBy: 'mod' }))).toBe(
        'Today’s post (2026-05-02) is being retried with **First lesson**: its first try may have reached the channel, so that lesson is sent again as it was. Pin this one to a later day.',
      );
      // The retry resends that lesson.
      channels.mendChannel(CHANNEL);
      expect((await poster.post((await findSchedule(db, GUILD))!, '2026-05-02', 0)).status).toBe('sent');
      expect(JSON.stringify(channels.sentTo(CHANNEL).at(-1)!.options.embeds)).toContain('First lesson');
    });

    it('upcoming reads a day whose post may have reached Discord and is being retried as that, not as posted', async () => {
      const { db, poster, channels, delivery } = await setUp();
      channels.failSends(CHANNEL, new Error('socket hang up'));
      expect((await poster.post((await findSchedule(db, GUILD))!, '2026-05-02', 0)).status).toBe('failed');
      const shown = async () => {
        const { zone, days, state } = await delivery.upcoming(GUILD, 2);
        return { days, lines: (renderUpcoming(zone, days, state).embeds?.[0] as APIEmbed).description?.split('\n') };
      };
      expect(await shown()).toEqual({
        days: [
          { localDate: '2026-05-02', title: 'First lesson', source: 'retried' },
          { localDate: '2026-05-03', title: 'Second lesson', source: 'queue' },
        ],
        lines: ['`2026-05-02` Sat · First lesson _(⚠️ being retried: may already be in the channel)_', '`2026-05-03` Sun · Second lesson _(queue)_'],
      });
      // The retry goes out: now it is posted.
      channels.mendChannel(CHANNEL);
      expect((await poster.post((await findSchedule(db, GUILD))!, '2026-05-02', 0)).status).toBe('sent');
      expect((await shown()).lines?.[0]).toBe('`2026-05-02` Sat · First lesson _(posted)_');
    });

    it('upcoming reads a day whose post is only claimed (under way, or left by a crashed process) as posting now, not as posted', async () => {
      const { db, lessons, delivery } = await setUp();
      await claimDelivery(db, {
        guildId: GUILD,
        localDate: '2026-05-02',
        sequence: 0,
        lessonId: lessons[0]!.id,
        channelId: CHANNEL,
        claimedBy: 'crashed',
        now: new Date('2026-05-02T09:00:00Z'),
        staleClaimMs: 60_000,
      });
      const { zone, days, state } = await delivery.upcoming(GUILD, 2);
      expect(days[0]).toEqual({ localDate: '2026-05-02', title: 'First lesson', source: 'posting' });
      expect((renderUpcoming(zone, days, state).embeds?.[0] as APIEmbed).description?.split('\n')).toEqual([
        '`2026-05-02` Sat · First lesson _(⏳ posting now)_',
        '`2026-05-03` Sun · Second lesson _(queue)_',
      ]);
    });

    it('plan of the lesson a day’s retried post resends, onto that day, says it is already that day’s post and changes nothing', async () => {
      const { db, lessons, poster, channels, delivery } = await setUp();
      const first = lessons[0]!;
      channels.failSends(CHANNEL, new Error('socket hang up'));
      expect((await poster.post((await findSchedule(db, GUILD))!, '2026-05-02', 0)).status).toBe('failed');
      expect(await userError(delivery.plan(GUILD, { date: 'today', lesson: first.id, plannedBy: 'mod' }))).toBe(
        '**First lesson** is already today’s post (2026-05-02), being retried: its first try may have reached the channel, so it is sent again as it was. Nothing changed.',
      );
      expect(await db.selectFrom('lesson_plans').select('local_date').where('guild_id', '=', GUILD).execute()).toEqual([]);
    });

    it('unplan of a day whose post failed but may have reached Discord says its retry keeps the lesson, not that the queue gives the day another', async () => {
      const { db, lessons, poster, channels, delivery } = await setUp();
      await delivery.plan(GUILD, { date: '2026-05-02', lesson: lessons[2]!.id, plannedBy: 'mod' });
      channels.failSends(CHANNEL, new Error('socket hang up'));
      expect((await poster.post((await findSchedule(db, GUILD))!, '2026-05-02', 0)).status).toBe('failed');
      const unpinned = await delivery.unplan(GUILD, '2026-05-02');
      const { day, removed, posted, ...unposted } = unpinned;
      expect(renderUnplanned(day, removed, posted, GUILD, unposted).content).toBe(
        '🗑️ 2026-05-02 (Saturday) has no pinned lesson any more, but its post is being retried with the lesson it had (its first try may have reached the channel): that changes nothing.',
      );
      channels.mendChannel(CHANNEL);
      expect((await poster.post((await findSchedule(db, GUILD))!, '2026-05-02', 0)).status).toBe('sent');
      expect(JSON.stringify(channels.sentTo(CHANNEL).at(-1)!.options.embeds)).toContain('Third lesson');
    });

    it('upcoming lists posted, pinned and queued days with titles, and says when the queue runs out', async () => {
      const { lessons, delivery } = await setUp();
      await delivery.plan(GUILD, { date: '2026-05-03', lesson: lessons[2]!.id, plannedBy: 'mod' });
      const { zone, days } = await delivery.upcoming(GUILD, 4);
      expect(zone).toBe('UTC');
      expect(days).toEqual([
        { localDate: '2026-05-02', title: 'First lesson', source: 'queue' },
        { localDate: '2026-05-03', title: 'Third lesson', source: 'planned' },
        { localDate: '2026-05-04', title: 'Second lesson', source: 'queue' },
        { localDate: '2026-05-05', title: null, source: null },
      ]);
    });
  });

  describe('plans', () => {
    it('pins by id or by a title that matches one lesson, on a day of the server’s calendar', async () => {
      const { lessons, delivery } = await setUp();
      expect((await delivery.plan(GUILD, { date: '2026-05-10', lesson: lessons[1]!.id, plannedBy: 'mod' })).stored.lesson.title).toBe('Second lesson');
      expect((await delivery.plan(GUILD, { date: ' 2026-05-11 ', lesson: 'third', plannedBy: 'mod' })).day).toBe('2026-05-11');
      expect(await userError(delivery.plan(GUILD, { date: '2026-05-12', lesson: 'lesson', plannedBy: 'mod' }))).toMatch(/More than one lesson/u);
    });

    it('refuses a past day, a malformed date, and today once today’s lesson went out', async () => {
      const { db, lessons, delivery, poster } = await setUp();
      expect(await userError(delivery.plan(GUILD, { date: '2026-05-01', lesson: lessons[0]!.id, plannedBy: 'mod' }))).toBe(
        '2026-05-01 is in the past (today is 2026-05-02 in UTC).',
      );
      expect(await userError(delivery.plan(GUILD, { date: '2026-5-1', lesson: lessons[0]!.id, plannedBy: 'mod' }))).toMatch(/is not a date/u);
      await poster.post((await findSchedule(db, GUILD))!, '2026-05-02', 0);
      expect(await userError(delivery.plan(GUILD, { date: '2026-05-02', lesson: lessons[1]!.id, plannedBy: 'mod' }))).toMatch(
        /already been posted/u,
      );
    });

    it('unplan says whether anything was pinned', async () => {
      const { lessons, delivery } = await setUp();
      await delivery.plan(GUILD, { date: '2026-05-04', lesson: lessons[1]!.id, plannedBy: 'mod' });
      expect(await delivery.unplan(GUILD, '2026-05-04')).toEqual({ day: '2026-05-04', removed: true });
      expect(await delivery.unplan(GUILD, '2026-05-04')).toEqual({ day: '2026-05-04', removed: false });
    });

    it('pinning a lesson pinned to another day not yet posted moves it, and the reply says from which day; one pinned over another lesson says which it replaced', async () => {
      const { db, lessons, delivery } = await setUp();
      const [, second, third] = lessons;
      await delivery.plan(GUILD, { date: '2026-05-05', lesson: second!.id, plannedBy: 'mod' });
      const moved = await delivery.plan(GUILD, { date: '2026-05-07', lesson: second!.id, plannedBy: 'mod' });
      expect(moved.movedFrom).toEqual(['2026-05-05']);
      expect(renderPlanned(moved.day, moved.stored, moved.nextPostDay, moved).content).toBe(
        '📌 **Second lesson** is pinned to 2026-05-07 (Thursday), moved from 2026-05-05 (Tuesday).',
      );
      // Until 2026-12-07 it stayed pinned to both days too, and was posted on both.
      expect((await lessonForDay(db, GUILD, '2026-05-05')).source).toBe('queue');
      expect((await delivery.upcoming(GUILD, 7)).days.filter((day) => day.title === 'Second lesson').map((day) => day.localDate)).toEqual(['2026-05-07']);
      // Pinned again to the same day: nothing moves, nothing is replaced.
      const again = await delivery.plan(GUILD, { date: '2026-05-07', lesson: second!.id, plannedBy: 'mod' });
      expect(renderPlanned(again.day, again.stored, again.nextPostDay, again).content).toBe('📌 **Second lesson** is pinned to 2026-05-07 (Thursday).');
      // Another lesson pinned over it: the reply names the lesson it replaced, which goes back to the queue.
      const replacing = await delivery.plan(GUILD, { date: '2026-05-07', lesson: third!.id, plannedBy: 'mod' });
      expect(renderPlanned(replacing.day, replacing.stored, replacing.nextPostDay, replacing).content).toBe(
        '📌 **Third lesson** is pinned to 2026-05-07 (Thursday), in place of **Second lesson** (back in the queue).',
      );
      expect((await lessonForDay(db, GUILD, '2026-05-07')).lessonId).toBe(third!.id);
    });

    it('two moderators pinning one lesson to two days at once leave it pinned to one of them', async () => {
      const { db, lessons } = await setUp();
      const lesson = lessons[1]!;
      const plan = (localDate: string) => ({ guildId: GUILD, localDate, lessonId: lesson.id, plannedBy: 'mod', fromDate: '2026-05-02' });
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let firstPinned!: () => void;
      const pinnedFirst = new Promise<void>((resolve) => (firstPinned = resolve));
      // The first pin is written and not yet committed when the second moderator's pin runs.
      const firstPin = db.transaction().execute(async (trx) => {
        await planLesson(trx, plan('2026-05-05'));
        firstPinned();
        await released;
      });
      await pinnedFirst;
      const secondPin = db.transaction().execute((trx) => planLesson(trx, plan('2026-05-07')));
      // Long enough for the second to commit, were it not waiting for the first (on PGlite it waits for the connection).
      await new Promise((resolve) => setTimeout(resolve, 300));
      release();
      await Promise.all([firstPin, secondPin]);
      const pins = await db.selectFrom('lesson_plans').select('local_date').where('guild_id', '=', GUILD).where('lesson_id', '=', lesson.id).execute();
      expect(pins.map((pin) => pin.local_date)).toEqual(['2026-05-07']);
    });

    it('a lesson already posted in the server may be pinned again, as a repeat the reply names; its pin on the day it was posted stays', async () => {
      const { db, lessons, delivery, poster } = await setUp();
      const third = lessons[2]!;
      await delivery.plan(GUILD, { date: 'today', lesson: third.id, plannedBy: 'mod' });
      expect((await poster.post((await findSchedule(db, GUILD))!, '2026-05-02', 0)).status).toBe('sent');
      const repeat = await delivery.plan(GUILD, { date: '2026-05-06', lesson: third.id, plannedBy: 'mod' });
      expect(repeat.movedFrom).toEqual([]);
      expect(renderPlanned(repeat.day, repeat.stored, repeat.nextPostDay, repeat).content).toBe(
        '📌 **Third lesson** is pinned to 2026-05-06 (Wednesday).\n🔁 It was already posted here on 2026-05-02 (Saturday): that day it is posted again.',
      );
      expect(await lessonForDay(db, GUILD, '2026-05-02')).toEqual({ localDate: '2026-05-02', lessonId: third.id, source: 'delivered' });
      expect(await lessonForDay(db, GUILD, '2026-05-06')).toEqual({ localDate: '2026-05-06', lessonId: third.id, source: 'planned' });
    });

    it('a lesson whose post of today is being retried (its send may have reached Discord) is not pinned to another day: the reply says why, and its pin stays', async () => {
      const { db, lessons, delivery, poster, channels } = await setUp();
      const [first, , third] = lessons;
      await delivery.plan(GUILD, { date: 'today', lesson: third!.id, plannedBy: 'mod' });
      channels.failSends(CHANNEL, new Error('socket hang up'));
      expect((await poster.post((await findSchedule(db, GUILD))!, '2026-05-02', 0)).status).toBe('failed');
      // Until 2026-12-08 its pin moved to 2026-05-04, while the retry still posted it on 2026-05-02: posted on both days.
      expect(await userError(delivery.plan(GUILD, { date: '2026-05-04', lesson: third!.id, plannedBy: 'mod' }))).toBe(
        'Today’s post (2026-05-02) is being retried with **Third lesson**: its first try may have reached the channel, so that lesson goes out that day. ' +
          'Pinned to 2026-05-04 as well, it would go out twice: pin another lesson, or pin this one again once that post has gone out (as a repeat).',
      );
      const pins = await db.selectFrom('lesson_plans').select(['local_date', 'lesson_id']).where('guild_id', '=', GUILD).execute();
      expect(pins).toEqual([{ local_date: '2026-05-02', lesson_id: third!.id }]);
      // A lesson the queue gave the day is refused the same way (a day whose post failed before it could reach Discord gives its lesson back).
      expect(await userError(delivery.plan(GUILD, { date: '2026-05-03', lesson: third!.id, plannedBy: 'mod' }))).toContain('would go out twice');
      // Once the retry went out, pinning it again is a repeat, and the day it went out keeps its pin.
      channels.mendChannel(CHANNEL);
      expect((await poster.post((await findSchedule(db, GUILD))!, '2026-05-02', 0)).status).toBe('sent');
      const repeat = await delivery.plan(GUILD, { date: '2026-05-04', lesson: third!.id, plannedBy: 'mod' });
      expect(repeat).toMatchObject({ movedFrom: [], postedOn: '2026-05-02' });
      expect((await delivery.plan(GUILD, { date: '2026-05-03', lesson: first!.id, plannedBy: 'mod' })).movedFrom).toEqual([]);
    });

    it('a lesson from the queue whose post is being retried is not pinned to another day either; one whose post failed before reaching Discord is', async () => {
      const { db, lessons, delivery, poster, channels } = await setUp();
      const first = lessons[0]!;
      channels.failSends(CHANNEL, new Error('socket hang up'));
      expect((await poster.post((await findSchedule(db, GUILD))!, '2026-05-02', 0)).status).toBe('failed');
      expect(await userError(delivery.plan(GUILD, { date: '2026-05-03', lesson: first.id, plannedBy: 'mod' }))).toMatch(/^Today’s post \(2026-05-02\) is being retried with \*\*First lesson\*\*: /u);
      expect((await delivery.upcoming(GUILD, 2)).days.map((day) => day.title)).toEqual(['First lesson', 'Second lesson']);
      // Refused by the channel (nothing reached it): the day gives its lesson back, which may be pinned elsewhere.
      channels.mendChannel(CHANNEL);
      channels.breakChannel(CHANNEL);
      expect((await poster.post((await findSchedule(db, GUILD))!, '2026-05-02', 0)).status).toBe('failed');
      expect(await dailyDelivery(db, GUILD, '2026-05-02')).toMatchObject({ status: 'failed', maybeSent: false });
      expect((await delivery.plan(GUILD, { date: '2026-05-03', lesson: first.id, plannedBy: 'mod' })).day).toBe('2026-05-03');
    });

    it('a pin on a day whose post is being retried stays when its lesson is pinned elsewhere at that moment (the pin is that post’s record)', async () => {
      const { db, lessons, delivery, poster, channels } = await setUp();
      const third = lessons[2]!;
      await delivery.plan(GUILD, { date: 'today', lesson: third.id, plannedBy: 'mod' });
      channels.failSends(CHANNEL, new Error('socket hang up'));
      expect((await poster.post((await findSchedule(db, GUILD))!, '2026-05-02', 0)).status).toBe('failed');
      // As a pin made between plan's check and its transaction (the post failing meanwhile) runs.
      const changes = await db
        .transaction()
        .execute((trx) => planLesson(trx, { guildId: GUILD, localDate: '2026-05-04', lessonId: third.id, plannedBy: 'mod', fromDate: '2026-05-02' }));
      expect(changes.movedFrom).toEqual([]);
      const pins = await db.selectFrom('lesson_plans').select('local_date').where('guild_id', '=', GUILD).where('lesson_id', '=', third.id).orderBy('local_date').execute();
      expect(pins.map((pin) => pin.local_date)).toEqual(['2026-05-02', '2026-05-04']);
    });

    it('unplan of a day whose post went out says so, not that the day gets the queue’s next lesson', async () => {
      const { db, lessons, delivery, poster } = await setUp();
      await delivery.plan(GUILD, { date: 'today', lesson: lessons[2]!.id, plannedBy: 'mod' });
      expect((await poster.post((await findSchedule(db, GUILD))!, '2026-05-02', 0)).status).toBe('sent');
      const messageId = (await dailyDelivery(db, GUILD, '2026-05-02'))!.messageId!;
      const link = `https://discord.com/channels/${GUILD}/${CHANNEL}/${messageId}`;
      const unpinned = await delivery.unplan(GUILD, 'today');
      expect(unpinned).toMatchObject({ day: '2026-05-02', removed: true });
      expect(renderUnplanned(unpinned.day, unpinned.removed, unpinned.posted, GUILD).content).toBe(
        `🗑️ 2026-05-02 (Saturday) has no pinned lesson any more, but its post already went out (${link}): that changes nothing.`,
      );
      const nothing = await delivery.unplan(GUILD, 'today');
      expect(renderUnplanned(nothing.day, nothing.removed, nothing.posted, GUILD).content).toBe(`Nothing was pinned to 2026-05-02 (Saturday), and its post already went out (${link}).`);
      // A day still to come gets the queue's next lesson, as before.
      await delivery.plan(GUILD, { date: '2026-05-04', lesson: lessons[1]!.id, plannedBy: 'mod' });
      const later = await delivery.unplan(GUILD, '2026-05-04');
      expect(renderUnplanned(later.day, later.removed, later.posted, GUILD).content).toBe('🗑️ 2026-05-04 (Monday) has no pinned lesson any more; it gets the next lesson in the queue.');
    });

    it('unplan of a day the queue has no lesson left for says so, not that it gets the queue’s next lesson', async () => {
      const { db, lessons, delivery, poster } = await setUp();
      const third = lessons[2]!;
      expect((await poster.post((await findSchedule(db, GUILD))!, '2026-05-02', 0)).status).toBe('sent');
      // Third pinned to 2026-05-05: unpinned, it goes back to the queue, which gives it to 2026-05-04 (Second to 2026-05-03).
      await delivery.plan(GUILD, { date: '2026-05-05', lesson: third.id, plannedBy: 'mod' });
      const unpinned = await delivery.unplan(GUILD, '2026-05-05');
      expect(unpinned).toEqual({ day: '2026-05-05', removed: true, noLessonLeft: true });
      const { day, removed, posted, ...unposted } = unpinned;
      expect(renderUnplanned(day, removed, posted, GUILD, unposted).content).toBe(
        '🗑️ 2026-05-05 (Tuesday) has no pinned lesson any more, and the queue has no lesson left for it: import more with `/lesson import`, or pin one with `/schedule plan`.',
      );
      expect((await delivery.upcoming(GUILD, 4)).days.map((shown) => shown.title)).toEqual(['First lesson', 'Second lesson', 'Third lesson', null]);
      // A day the queue reaches still gets its next lesson.
      await delivery.plan(GUILD, { date: '2026-05-04', lesson: third.id, plannedBy: 'mod' });
      expect(await delivery.unplan(GUILD, '2026-05-04')).toEqual({ day: '2026-05-04', removed: true });
    });

    it('unplan of a past day that never posted says the day has passed with nothing posted, not that it gets the queue’s next lesson', async () => {
      const { lessons, delivery, setNow } = await setUp();
      await delivery.plan(GUILD, { date: '2026-05-04', lesson: lessons[1]!.id, plannedBy: 'mod' });
      // No post went out on 2026-05-04 (the bot was down, say); two days later a moderator tidies its pin away.
      setNow('2026-05-06T12:00:00Z');
      const unpinned = await delivery.unplan(GUILD, '2026-05-04');
      expect(unpinned).toEqual({ day: '2026-05-04', removed: true, passed: true });
      const { day, removed, posted, ...unposted } = unpinned;
      expect(renderUnplanned(day, removed, posted, GUILD, unposted).content).toBe('🗑️ 2026-05-04 (Monday) has no pinned lesson any more. That day has passed, and nothing was posted on it.');
      const nothing = await delivery.unplan(GUILD, '2026-05-04');
      expect(renderUnplanned(nothing.day, nothing.removed, nothing.posted, GUILD, nothing).content).toBe('Nothing was pinned to 2026-05-04 (Monday).');
    });

    it('unplan of today: before the post time it gets the queue’s next lesson; set after the post time, no daily post goes out that day', async () => {
      // 09:00 UTC, set long ago: at 08:00 today's post is still to go out, and after 09:00 (not out yet) it goes out at once.
      const early = await setUp();
      for (const now of ['2026-05-02T08:00:00Z', '2026-05-02T12:00:00Z']) {
        early.setNow(now);
        await early.delivery.plan(GUILD, { date: 'today', lesson: early.lessons[2]!.id, plannedBy: 'mod' });
        const unpinned = await early.delivery.unplan(GUILD, 'today');
        expect(unpinned).toEqual({ day: '2026-05-02', removed: true });
        expect(renderUnplanned(unpinned.day, unpinned.removed, unpinned.posted, GUILD, unpinned).content).toBe(
          '🗑️ 2026-05-02 (Saturday) has no pinned lesson any more; it gets the next lesson in the queue.',
        );
      }
      // Changed to 10:00 at 11:00, after it: the first post is tomorrow's (as plan says when pinning to today).
      const { db, lessons, delivery } = early;
      await saveSchedule(db, { guildId: GUILD, channelId: CHANNEL, postTime: '10:00', timeZone: 'UTC', roleId: null, createThread: false }, new Date('2026-05-02T11:00:00Z'));
      await delivery.plan(GUILD, { date: 'today', lesson: lessons[2]!.id, plannedBy: 'mod' });
      const unpinned = await delivery.unplan(GUILD, 'today');
      expect(unpinned).toEqual({ day: '2026-05-02', removed: true, nextPostDay: '2026-05-03' });
      expect(renderUnplanned(unpinned.day, unpinned.removed, unpinned.posted, GUILD, unpinned).content).toBe(
        '🗑️ 2026-05-02 (Saturday) has no pinned lesson any more. No daily post goes out that day (its time had passed when the schedule was set or changed; the next is on 2026-05-03 (Sunday)).',
      );
      // Tomorrow, the first day posted, gets the queue's next lesson.
      await delivery.plan(GUILD, { date: 'tomorrow', lesson: lessons[2]!.id, plannedBy: 'mod' });
      expect(await delivery.unplan(GUILD, 'tomorrow')).toEqual({ day: '2026-05-03', removed: true });
    });

    it('days are the server’s: before a schedule exists they are UTC days', async () => {
      const { db, lessons, delivery, setNow } = await setUp();
      await saveSchedule(db, { guildId: GUILD, channelId: CHANNEL, postTime: '09:00', timeZone: 'Pacific/Kiritimati', roleId: null, createThread: false }, new Date('2026-01-01T00:00:00Z'));
      setNow('2026-05-02T11:00:00Z'); // 01:00 on May 3 in Kiritimati (UTC+14)
      expect(await userError(delivery.plan(GUILD, { date: '2026-05-02', lesson: lessons[0]!.id, plannedBy: 'mod' }))).toMatch(/is in the past/u);
      expect(await userError(delivery.plan('999', { date: '2026-05-01', lesson: lessons[0]!.id, plannedBy: 'mod' }))).toMatch(/in UTC/u);
    });
  });

  describe('post now', () => {
    it('posts today’s lesson as today’s post; again only with force, repeating the same lesson', async () => {
      const { db, lessons, delivery, channels } = await setUp();
      const schedule = await delivery.requireSchedule(GUILD);
      const first = await delivery.postNow(schedule, false);
      expect(channels.sentTo(CHANNEL)).toHaveLength(1);
      expect(first).toEqual({ channelId: CHANNEL, messageId: channels.sent[0]!.messageId });
      expect((await dailyDelivery(db, GUILD, '2026-05-02'))?.lessonId).toBe(lessons[0]!.id);

      const link = `https://discord.com/channels/${GUILD}/${CHANNEL}/${first.messageId}`;
      expect(await userError(delivery.postNow(schedule, false))).toBe(
        `Today’s lesson (2026-05-02) was already posted: ${link}. Use \`force:true\` to post it again.`,
      );
      expect(channels.sentTo(CHANNEL)).toHaveLength(1);

      await delivery.postNow(schedule, true);
      const sends = channels.sentTo(CHANNEL);
      expect(sends).toHaveLength(2);
      // The same card again, under its own nonce (a new delivery, sequence 1).
      expect(sends[1]!.options.embeds).toEqual(sends[0]!.options.embeds);
      expect(sends[1]!.options.nonce).not.toBe(sends[0]!.options.nonce);
    });

    it('with nothing left to post says so, and alerts the moderators once', async () => {
      const { db, delivery, channels } = await setUp();
      await updateGuildSettings(db, GUILD, { alertsChannelId: ALERTS });
      const schedule = await delivery.requireSchedule(GUILD);
      await database().db.deleteFrom('lessons').execute();
      expect(await userError(delivery.postNow(schedule, false))).toMatch(/no lesson left to post/u);
      expect(await userError(delivery.postNow(schedule, false))).toMatch(/no lesson left to post/u);
      expect(channels.sentTo(ALERTS)).toHaveLength(1);
      expect(String(channels.sentTo(ALERTS)[0]!.options.content)).toMatch(/no lesson left/u);
      expect(channels.sentTo(ALERTS)[0]!.options.allowedMentions).toEqual({ parse: [] });
    });

    it('a broken channel is a clear error and nothing counts as posted; a failed post now is no try of the daily post', async () => {
      const { db, delivery, channels, setNow } = await setUp();
      await updateGuildSettings(db, GUILD, { alertsChannelId: ALERTS });
      channels.breakChannel(CHANNEL, new PostFailure('missing permission: Send Messages'));
      setNow('2026-05-02T08:40:00Z');
      const schedule = await delivery.requireSchedule(GUILD);
      for (let attempt = 0; attempt < 4; attempt += 1) {
        expect(await userError(delivery.postNow(schedule, false))).toBe('I could not post: missing permission: Send Messages.');
      }
      expect((await dailyDelivery(db, GUILD, '2026-05-02'))?.status).toBe('failed');
      // The daily post is not backed off (four of these held a 09:00 post until 09:23), and nobody is told "I will
      // try again": the moderator was answered.
      expect(await findSchedule(db, GUILD)).toMatchObject({ failureCount: 0, retryAt: null });
      expect(channels.sentTo(ALERTS)).toEqual([]);
      channels.mendChannel(CHANNEL);
      const due = await dueSchedules(db, new Date('2026-05-02T09:00:00Z'), { staleClaimMs: 60_000, limit: 10 });
      expect(due.map((item) => item.schedule.guildId)).toEqual([GUILD]);
    });

    it('needs a schedule', async () => {
      const { delivery } = await setUp();
      expect(await userError(delivery.requireSchedule('999'))).toBe(NO_SCHEDULE);
    });
  });

  describe('settings', () => {
    it('checks time and zone before anything is saved; a schedule set now starts at its next post time', async () => {
      const { delivery } = await setUp();
      expect(delivery.postingTime('7:30', 'asia/tokyo')).toEqual({ postTime: '07:30', timeZone: 'Asia/Tokyo' });
      expect(() => delivery.postingTime('25:00', 'UTC')).toThrow(UserError);
      expect(() => delivery.postingTime('07:30', 'UTC+5')).toThrow('"UTC+5" is not a time zone I know.');
      // Abbreviations: one clock is its zone (EST follows New York's summer time), several are refused with the choices.
      expect(delivery.postingTime('07:30', 'EST')).toEqual({ postTime: '07:30', timeZone: 'America/New_York' });
      expect(() => delivery.postingTime('07:30', 'bst')).toThrow('BST is the abbreviation of more than one clock: pick the zone you mean, such as Europe/London or Asia/Dhaka.');
      const { schedule, next } = await delivery.setSchedule({ guildId: '555', channelId: CHANNEL, when: { postTime: '11:00', timeZone: 'UTC' }, roleId: null, createThread: false });
      expect(schedule.paused).toBe(false);
      expect(next.toISOString()).toBe('2026-05-03T11:00:00.000Z'); // 11:00 today already passed at 12:00
    });

    it('set replaces the schedule and says which ping or thread a moderator left out was dropped', async () => {
      const { delivery } = await setUp();
      const set = (roleId: string | null, createThread: boolean) =>
        delivery.setSchedule({ guildId: '556', channelId: CHANNEL, when: { postTime: '11:00', timeZone: 'UTC' }, roleId, createThread });
      expect((await set('300', true)).dropped).toEqual({ roleId: null, thread: false });
      // Only the time changed in the moderator's mind: the ping and the thread were left out, and go.
      const changed = await set(null, false);
      expect(changed.dropped).toEqual({ roleId: '300', thread: true });
      expect(changed.schedule).toMatchObject({ roleId: null, createThread: false });
      // Nothing left to drop; another role is a change, not a drop.
      expect((await set(null, false)).dropped).toEqual({ roleId: null, thread: false });
      await set('300', false);
      expect((await set('301', false)).dropped).toEqual({ roleId: null, thread: false });
    });

    it('pause and resume; the moderator role is remembered', async () => {
      const { delivery } = await setUp();
      await delivery.pause(GUILD);
      expect((await delivery.status(GUILD)).schedule.paused).toBe(true);
      // Today's 09:00 post has not gone out yet: it is due now, at the timer's next tick (it was shown as 09:00, "3
      // hours ago").
      expect((await delivery.resume(GUILD)).next.toISOString()).toBe('2026-05-02T12:00:00.000Z');
      expect(await userError(delivery.pause('999'))).toBe(NO_SCHEDULE);
      expect(await delivery.moderatorRoleId(GUILD)).toBeNull();
      await delivery.setModeratorRole(GUILD, '300');
      expect(await delivery.moderatorRoleId(GUILD)).toBe('300');
    });

    it('set and resume with no lesson left for the next post say so, as show does, not "Next post" at its time', async () => {
      const { db, delivery, poster, services } = await setUp();
      const schedule = (await findSchedule(db, GUILD))!;
      for (const day of ['2026-04-29', '2026-04-30', '2026-05-01']) expect((await poster.post(schedule, day, 0)).status).toBe('sent');
      const set = () => delivery.setSchedule({ guildId: GUILD, channelId: CHANNEL, when: { postTime: '11:00', timeZone: 'UTC' }, roleId: null, createThread: false });
      // 11:00 today already passed at 12:00: the next post is tomorrow's, and nothing is left to post on it.
      const { next, noLessonOn } = await set();
      expect(noLessonOn).toBe('2026-05-03');
      expect(nextPostLine(next, noLessonOn)).toBe('📭 No lesson left to post on 2026-05-03: import more with `/lesson import`, or pin one with `/schedule plan`.');
      expect((await delivery.status(GUILD)).noLessonOn).toBe('2026-05-03');
      await delivery.pause(GUILD);
      expect((await set()).noLessonOn).toBeUndefined(); // paused: the reply says nothing is posted until resumed
      expect(await delivery.resume(GUILD)).toEqual({ next: new Date('2026-05-03T11:00:00Z'), noLessonOn: '2026-05-03' });
      // A lesson imported: both name the next post again.
      await services.lessons.importParsed([makeLesson({ date: '2025-02-01', title: 'A new lesson' })]);
      const named = await set();
      expect(named.noLessonOn).toBeUndefined();
      expect(nextPostLine(named.next, named.noLessonOn)).toBe('Next post: <t:1777806000:F> (<t:1777806000:R>).');
      await delivery.pause(GUILD);
      expect(await delivery.resume(GUILD)).toEqual({ next: new Date('2026-05-03T11:00:00Z') });
    });

    it('/help with no lesson left for the next post says none is scheduled yet, as show does, not when the next one goes out', async () => {
      const { db, delivery, poster, services } = await setUp();
      const schedule = (await findSchedule(db, GUILD))!;
      for (const day of ['2026-05-01', '2026-05-02', '2026-05-03']) expect((await poster.post(schedule, day, 0)).status).toBe('sent');
      const help = async (moderator: boolean) => (renderHelp([], new Map(), { moderator }, await delivery.dailyPost(GUILD)).embeds?.[0] as APIEmbed).description;
      // Today's post went out; tomorrow's (2026-05-03) was posted ahead, so the next post is 2026-05-04's, with nothing left.
      expect(await delivery.dailyPost(GUILD)).toMatchObject({ noLessonOn: '2026-05-04' });
      expect(await help(false)).toMatch(/\n\n📅 In this server the lesson is posted in <#200000000000000001> at \*\*09:00\*\* \(UTC\) every day, but no lesson is scheduled yet for the next one \(2026-05-04\)\.$/u);
      expect(await help(true)).toMatch(/for the next one \(2026-05-04\)\. Import more with `\/lesson import`, or pin one with `\/schedule plan`\.$/u);
      // A lesson imported: the next one is named again.
      await services.lessons.importParsed([makeLesson({ date: '2025-02-01', title: 'A new lesson' })]);
      expect(await help(false)).toMatch(/every day; the next one <t:\d+:R>\.$/u);
    });

    it('set to another channel while today’s post is being retried says the retry goes to its first channel', async () => {
      const { db, delivery, poster, channels } = await setUp();
      const OTHER = '200000000000000002';
      channels.failSends(CHANNEL, new Error('socket hang up'));
      expect((await poster.post((await findSchedule(db, GUILD))!, '2026-05-02', 0)).status).toBe('failed');
      const set = (channelId: string) => delivery.setSchedule({ guildId: GUILD, channelId, when: { postTime: '09:00', timeZone: 'UTC' }, roleId: null, createThread: false });
      const moved = await set(OTHER);
      expect(moved.retried).toEqual({ day: '2026-05-02', channelId: CHANNEL });
      expect(retriedElsewhere(moved.retried!, OTHER)).toBe(
        `⚠️ The post of 2026-05-02 (Saturday) is being retried in <#${CHANNEL}> with the lesson it had (its first try may have reached that channel), so it goes there: <#${OTHER}> gets the posts from the next day on.`,
      );
      // It does: the retry resends to the first channel.
      channels.mendChannel(CHANNEL);
      expect((await poster.post((await findSchedule(db, GUILD))!, '2026-05-02', 0)).status).toBe('sent');
      expect(channels.sentTo(OTHER)).toEqual([]);
      expect(channels.sentTo(CHANNEL)).toHaveLength(1);
      // Nothing to say once it went out, or set to the channel it is retried in.
      expect((await set(CHANNEL)).retried).toBeUndefined();
    });

    it('set to its own channel while today’s post is being retried says nothing of it', async () => {
      const { db, delivery, poster, channels } = await setUp();
      channels.failSends(CHANNEL, new Error('socket hang up'));
      expect((await poster.post((await findSchedule(db, GUILD))!, '2026-05-02', 0)).status).toBe('failed');
      expect((await delivery.setSchedule({ guildId: GUILD, channelId: CHANNEL, when: { postTime: '09:00', timeZone: 'UTC' }, roleId: null, createThread: false })).retried).toBeUndefined();
    });

    it('a post backing off after a failure is next at its retry, and one whose retry passed now', async () => {
      const { db, delivery, setNow } = await setUp();
      await recordPostFailure(db, GUILD, { at: new Date('2026-05-02T11:50:00Z'), reason: 'missing permission', retryAt: new Date('2026-05-02T12:20:00Z'), failures: 3 });
      expect((await delivery.status(GUILD)).next.toISOString()).toBe('2026-05-02T12:20:00.000Z');
      setNow('2026-05-02T12:25:30Z');
      expect((await delivery.status(GUILD)).next.toISOString()).toBe('2026-05-02T12:25:30.000Z');
    });

    it('/schedule show of a server with no lesson left says so, before its time and after the timer found none, not "Healthy" with its next post "now"', async () => {
      const { db, delivery, poster, services, setNow } = await setUp();
      const schedule = (await findSchedule(db, GUILD))!;
      for (const day of ['2026-04-29', '2026-04-30', '2026-05-01']) expect((await poster.post(schedule, day, 0)).status).toBe('sent');
      const shown = async () => {
        const { schedule: now, next, lastSent, noLessonOn } = await delivery.status(GUILD);
        const embed = scheduleEmbed(now, next, lastSent, noLessonOn);
        return { noLessonOn, color: embed.color, fields: Object.fromEntries((embed.fields ?? []).map((field) => [field.name, field.value])) };
      };
      const nothingLeft = {
        noLessonOn: '2026-05-02',
        color: 0xe67e22,
        fields: expect.objectContaining({
          'Next post': 'None: there is no lesson left to post (see Health)',
          Health: '📭 No lesson left to post on 2026-05-02: import more with `/lesson import`, or pin one with `/schedule plan`.',
        }),
      };
      // Before its time: the day's choice finds none.
      setNow('2026-05-02T08:00:00Z');
      expect(await shown()).toEqual(nothingLeft);
      // After it, with no alerts channel: the timer found none (remembered), and the post is overdue every minute.
      setNow('2026-05-02T09:00:00Z');
      expect((await poster.post(schedule, '2026-05-02', 0)).status).toBe('no-lesson');
      setNow('2026-05-02T09:05:00Z');
      expect(await shown()).toEqual(nothingLeft);
      // An import gives it one: it goes out at the next tick.
      await services.lessons.importParsed([makeLesson({ date: '2025-02-01', title: 'A new lesson' })]);
      const after = await shown();
      expect(after.noLessonOn).toBeUndefined();
      expect(after.fields['Next post']).toMatch(/^2026-05-02 09:05 \(UTC\)\n/u);
      expect(after.fields['Health']).toBe('✅ Healthy');
    });

    it('preview shows the next post’s lesson, or a pinned later day’s, with the role to ping', async () => {
      const { lessons, delivery } = await setUp({ roleId: '400' });
      const next = await delivery.preview(GUILD, undefined);
      expect(next.day).toBe('2026-05-02'); // today's post is still to go out (overdue, caught up)
      expect(next.stored.lesson.id).toBe(lessons[0]!.id);
      expect(next.roleId).toBe('400');
      // Today takes the first lesson, so tomorrow gets the second.
      expect((await delivery.preview(GUILD, '2026-05-03')).stored.lesson.id).toBe(lessons[1]!.id);
      await delivery.plan(GUILD, { date: '2026-05-06', lesson: lessons[0]!.id, plannedBy: 'mod' });
      expect((await delivery.preview(GUILD, '2026-05-06')).stored.lesson.id).toBe(lessons[0]!.id);
      expect(await userError(delivery.preview(GUILD, '2027-06-01'))).toBe('Preview looks at most a year ahead.');
    });

    it('preview of a day gone by shows the lesson its post took, and says when none went out (not today’s lesson as if it would)', async () => {
      const { db, lessons, delivery, poster, setNow } = await setUp();
      await poster.post((await findSchedule(db, GUILD))!, '2026-05-02', 0);
      setNow('2026-05-04T12:00:00Z');
      expect((await delivery.preview(GUILD, '2026-05-02')).stored.lesson.id).toBe(lessons[0]!.id);
      // 2026-05-03 had no post (the bot was down): nothing to show, where it showed the queue's head, the second lesson.
      expect(await userError(delivery.preview(GUILD, '2026-05-03'))).toBe('2026-05-03 is in the past (today is 2026-05-04 in UTC), and nothing was posted that day.');
      expect(await userError(delivery.preview(GUILD, '2026-04-01'))).toMatch(/^2026-04-01 is in the past/u);
    });

    it('a schedule set after today’s post time: today has no post, and upcoming, preview and the next post start the queue tomorrow', async () => {
      // 09:00 UTC, set at 11:00 on 2026-05-02: the first post is on 2026-05-03 (now is 12:00).
      const { db, lessons, delivery } = await setUp({ scheduleSetAt: '2026-05-02T11:00:00Z' });
      expect((await delivery.status(GUILD)).next.toISOString()).toBe('2026-05-03T09:00:00.000Z');
      expect((await delivery.upcoming(GUILD, 3)).days).toEqual([
        { localDate: '2026-05-02', title: null, source: 'no-post' },
        { localDate: '2026-05-03', title: 'First lesson', source: 'queue' },
        { localDate: '2026-05-04', title: 'Second lesson', source: 'queue' },
      ]);
      const next = await delivery.preview(GUILD, undefined);
      expect(next.day).toBe('2026-05-03');
      expect(next.stored.lesson.id).toBe(lessons[0]!.id);
      expect((await delivery.preview(GUILD, '2026-05-04')).stored.lesson.id).toBe(lessons[1]!.id);
      expect(await userError(delivery.preview(GUILD, '2026-05-02'))).toMatch(/^Nothing is posted on 2026-05-02 .*the next post is on 2026-05-03\.$/u);
      const shown = (renderUpcoming('UTC', (await delivery.upcoming(GUILD, 2)).days).embeds?.[0] as APIEmbed | undefined)?.description ?? '';
      expect(shown.split('\n')).toEqual(['`2026-05-02` Sat · no post today (its time had passed when the schedule was set or changed)', '`2026-05-03` Sun · First lesson _(queue)_']);
      // What the post of 2026-05-03 will take: the lesson preview showed.
      expect((await lessonForDay(db, GUILD, '2026-05-03')).lessonId).toBe(lessons[0]!.id);
      // A lesson pinned to today is pinned (post-now posts it), and the moderator is told no daily post takes it.
      const pinned = await delivery.plan(GUILD, { date: 'today', lesson: lessons[2]!.id, plannedBy: 'mod' });
      expect(pinned.nextPostDay).toBe('2026-05-03');
      expect(renderPlanned(pinned.day, pinned.stored, pinned.nextPostDay).content).toBe(
        '📌 **Third lesson** is pinned to 2026-05-02 (Saturday).\n⚠️ No daily post goes out that day (its time had passed when the schedule was set or changed; the next is on 2026-05-03 (Sunday)): `/schedule post-now` posts it now.',
      );
      expect((await delivery.plan(GUILD, { date: 'tomorrow', lesson: lessons[1]!.id, plannedBy: 'mod' })).nextPostDay).toBeUndefined();
    });

    it('a lesson pinned to a day without a post goes back to the queue: upcoming and preview show it on the day that will post it', async () => {
      // 09:00 UTC, set at 11:00 on 2026-05-02: today has no post, so the first lesson pinned to it is not posted today.
      const { db, lessons, delivery } = await setUp({ scheduleSetAt: '2026-05-02T11:00:00Z' });
      await delivery.plan(GUILD, { date: 'today', lesson: lessons[0]!.id, plannedBy: 'mod' });
      // Tomorrow's post takes it, the queue's head (until 2026-12-07 upcoming and preview left it out, showing the second).
      expect((await lessonForDay(db, GUILD, '2026-05-03')).lessonId).toBe(lessons[0]!.id);
      expect((await delivery.upcoming(GUILD, 3)).days).toEqual([
        { localDate: '2026-05-02', title: null, source: 'no-post' },
        { localDate: '2026-05-03', title: 'First lesson', source: 'queue' },
        { localDate: '2026-05-04', title: 'Second lesson', source: 'queue' },
      ]);
      expect((await delivery.preview(GUILD, undefined)).stored.lesson.id).toBe(lessons[0]!.id);
      expect((await delivery.preview(GUILD, '2026-05-04')).stored.lesson.id).toBe(lessons[1]!.id);
    });

    it('upcoming shows every day asked for, 25 of news headlines too: their titles are clipped shorter to fit', async () => {
      const { db, delivery } = await setUp();
      // An export's title is its article's first sentence (up to 256 characters): ~180 here.
      const headline = (n: number) =>
        `Lesson ${n}: the defense chiefs of Japan and the United States have agreed to strengthen cooperation in cyberspace, at a meeting in Singapore on Saturday attended by officials.`;
      for (let n = 4; n <= 25; n++) await upsertLesson(db, makeLesson({ date: `2025-02-${String(n).padStart(2, '0')}`, title: headline(n) }));
      const { zone, days, state } = await delivery.upcoming(GUILD, 25);
      const embed = renderUpcoming(zone, days, state).embeds?.[0] as APIEmbed | undefined;
      const lines = (embed?.description ?? '').split('\n');
      expect(embed?.title).toBe('Next 25 days (UTC)');
      // Until 2026-12-07 the list stopped after the 21st day with "…".
      expect(lines).toHaveLength(25);
      expect(lines.at(-1)).toMatch(/^`2026-05-26` Tue · Lesson 25: the defense chiefs .*… _\(queue\)_$/u);
      expect(lines.slice(0, 3)).toEqual(['`2026-05-02` Sat · First lesson _(queue)_', '`2026-05-03` Sun · Second lesson _(queue)_', '`2026-05-04` Mon · Third lesson _(queue)_']);
      expect(embed?.description?.length).toBeLessThanOrEqual(4096);
    });

    it('upcoming and preview of a paused schedule, or of a server with none, say that nothing posts as shown', async () => {
      const { delivery } = await setUp();
      const upcomingText = async (guildId: string) => {
        const { zone, days, state } = await delivery.upcoming(guildId, 2);
        return { state, lines: ((renderUpcoming(zone, days, state).embeds?.[0] as APIEmbed | undefined)?.description ?? '').split('\n') };
      };
      expect(await upcomingText(GUILD)).toEqual({ state: 'set', lines: ['`2026-05-02` Sat · First lesson _(queue)_', '`2026-05-03` Sun · Second lesson _(queue)_'] });
      await delivery.pause(GUILD);
      const paused = await upcomingText(GUILD);
      expect(paused.state).toBe('paused');
      expect(paused.lines[0]).toMatch(/^⏸️ Paused: nothing is posted until `\/schedule resume`/u);
      expect(paused.lines.slice(2)).toEqual(['`2026-05-02` Sat · First lesson _(queue)_', '`2026-05-03` Sun · Second lesson _(queue)_']);
      const preview = await delivery.preview(GUILD, undefined);
      expect(renderPreview(preview.day, preview.stored, preview.readers, { roleId: null, guildId: GUILD }, preview.state).content).toMatch(
        /^\*\*Preview for 2026-05-02 \(Saturday\)\*\* \(only you see this\):\n⏸️ Paused: /u,
      );
      await delivery.resume(GUILD);
      expect((await upcomingText(GUILD)).state).toBe('set');
      // Another server, with no schedule: the order lessons would go out in, said to be that.
      const unscheduled = await upcomingText('200000000000000099');
      expect(unscheduled.state).toBe('none');
      expect(unscheduled.lines[0]).toMatch(/^No daily post is set yet \(`\/schedule set`\)/u);
    });

    it('a schedule moved west after its post: the day posted in the old zone is shown posted, upcoming and preview give the next post the lesson it will take, and that day takes no pin', async () => {
      const { db, lessons, delivery } = await movedWestAfterPost();
      expect((await delivery.status(GUILD)).next.toISOString()).toBe('2026-05-03T21:00:00.000Z');
      expect((await delivery.upcoming(GUILD, 3)).days).toEqual([
        { localDate: '2026-05-01', title: null, source: 'no-post' },
        { localDate: '2026-05-02', title: 'First lesson', source: 'delivered' },
        { localDate: '2026-05-03', title: 'Second lesson', source: 'queue' },
      ]);
      const next = await delivery.preview(GUILD, undefined);
      expect(next.day).toBe('2026-05-03');
      // The lesson 2026-05-03's post will take (it showed the third, as if 2026-05-02 were still to post the second).
      expect(next.stored.lesson.id).toBe((await lessonForDay(db, GUILD, '2026-05-03')).lessonId);
      expect(next.stored.lesson.id).toBe(lessons[1]!.id);
      // Today's line says why there is no post: not a post time that had passed (21:00 had not).
      const shown = (renderUpcoming('UTC', (await delivery.upcoming(GUILD, 2)).days).embeds?.[0] as APIEmbed | undefined)?.description ?? '';
      expect(shown.split('\n')).toEqual([
        "`2026-05-01` Fri · no post today (the next day's lesson went out before the schedule's time zone changed)",
        '`2026-05-02` Sat · First lesson _(posted)_',
      ]);
      // Nor is a lesson pinned to that day taken, to be posted never.
      expect(await userError(delivery.plan(GUILD, { date: '2026-05-02', lesson: lessons[2]!.id, plannedBy: 'mod' }))).toBe(
        'The lesson of 2026-05-02 has already been posted (before the schedule’s time zone changed): pin this one to a later day.',
      );
      expect((await delivery.plan(GUILD, { date: '2026-05-03', lesson: lessons[2]!.id, plannedBy: 'mod' })).day).toBe('2026-05-03');
    });

    it('a schedule moved west after its post: /lesson today that day is the lesson that went out, not the next post\'s', async () => {
      const { lessons, services, setNow } = await movedWestAfterPost();
      // Still 1 May in UTC, where nothing posts: the lesson of Tokyo's 2 May, posted at 20:00, is the day's.
      expect((await services.lessons.todaysCard(GUILD)).stored.lesson.id).toBe(lessons[0]!.id);
      expect((await services.lessons.today(GUILD)).lesson.id).toBe(lessons[0]!.id);
      // 2 May in UTC: its post is that one. 3 May before 21:00: the queue's next, which 3 May's post will take.
      setNow('2026-05-02T12:00:00Z');
      expect((await services.lessons.today(GUILD)).lesson.id).toBe(lessons[0]!.id);
      setNow('2026-05-03T12:00:00Z');
      expect((await services.lessons.today(GUILD)).lesson.id).toBe(lessons[1]!.id);
    });

    it('a schedule moved west after its post: preview and plan of the day before it without a post say why, not that its time had passed', async () => {
      // As above: Tokyo's 2026-05-02 posted at 20:00 UTC on 1 May, then the schedule moved to UTC at 21:00 (not yet passed).
      const { lessons, delivery } = await movedWestAfterPost();
      expect(await userError(delivery.preview(GUILD, '2026-05-01'))).toBe(
        "Nothing is posted on 2026-05-01 (a later day's lesson went out before the schedule's time zone changed): the next post is on 2026-05-03.",
      );
      const pinned = await delivery.plan(GUILD, { date: '2026-05-01', lesson: lessons[2]!.id, plannedBy: 'mod' });
      expect(pinned.nextPostDay).toBe('2026-05-03');
      expect(renderPlanned(pinned.day, pinned.stored, pinned.nextPostDay).content).toBe(
        "📌 **Third lesson** is pinned to 2026-05-01 (Friday).\n⚠️ No daily post goes out that day (a later day's lesson went out before the schedule's time zone changed; the next is on 2026-05-03 (Sunday)): `/schedule post-now` posts it now.",
      );
    });
  });

  describe('a post time the clock skips past midnight', () => {
    // America/Nuuk, Saturday 2026-03-28: 22:59 −02:00 is followed by Sunday 00:00 −01:00 (01:00Z); 23:30 never shows.
    it('a lesson pinned to that day goes out at the first minute after the gap, as that day’s post, and the next day keeps its own', async () => {
      const { db, lessons, delivery, poster, setNow } = await setUp();
      await saveSchedule(db, { guildId: GUILD, channelId: CHANNEL, postTime: '23:30', timeZone: 'America/Nuuk', roleId: null, createThread: false }, new Date('2026-01-01T00:00:00Z'));
      setNow('2026-03-28T12:00:00Z'); // Saturday 10:00
      const pinned = await delivery.plan(GUILD, { date: '2026-03-28', lesson: lessons[2]!.id, plannedBy: 'mod' });
      expect(pinned.nextPostDay).toBeUndefined();
      const status = await delivery.status(GUILD);
      expect(status.next.toISOString()).toBe('2026-03-29T01:00:00.000Z');
      expect(status.noLessonOn).toBeUndefined();
      expect((await delivery.upcoming(GUILD, 2)).days).toEqual([
        { localDate: '2026-03-28', title: 'Third lesson', source: 'planned' },
        { localDate: '2026-03-29', title: 'First lesson', source: 'queue' },
      ]);
      // Nothing due on Saturday evening; at Sunday 00:00 Saturday's post is, once.
      expect(await dueSchedules(db, new Date('2026-03-29T00:59:00Z'), { staleClaimMs: 60_000, limit: 10 })).toEqual([]);
      setNow('2026-03-29T01:00:00Z');
      const due = await dueSchedules(db, new Date('2026-03-29T01:00:00Z'), { staleClaimMs: 60_000, limit: 10 });
      expect(due.map((item) => item.localDate)).toEqual(['2026-03-28']);
      expect((await poster.post(due[0]!.schedule, '2026-03-28', 0)).status).toBe('sent');
      expect(await lessonForDay(db, GUILD, '2026-03-28')).toEqual({ localDate: '2026-03-28', lessonId: lessons[2]!.id, source: 'delivered' });
      expect(await dueSchedules(db, new Date('2026-03-29T20:00:00Z'), { staleClaimMs: 60_000, limit: 10 })).toEqual([]);
      expect((await delivery.status(GUILD)).next.toISOString()).toBe('2026-03-30T00:30:00.000Z');
      const sunday = await dueSchedules(db, new Date('2026-03-30T00:30:00Z'), { staleClaimMs: 60_000, limit: 10 });
      expect(sunday.map((item) => item.localDate)).toEqual(['2026-03-29']);
    });
  });
});
