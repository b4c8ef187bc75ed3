import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { updateGuildSettings } from '../../src/db/guild-settings.js';
import { upsertLesson } from '../../src/db/lessons.js';
import { saveSchedule } from '../../src/db/schedules.js';
import { DeliveryScheduler } from '../../src/delivery/scheduler.js';
import { testDatabaseTargets, useTestDatabase } from '../support/databases.js';
import { makeLesson } from '../support/lessons.js';
import { createServiceHarness } from '../support/services.js';

const DRY = '100000000000000001';
const HEALTHY = '100000000000000002';
const channelOf = (guildId: string) => `2${guildId.slice(1)}`;
const ALERTS = '200000000000000009';

/*
 * A server that has posted every lesson stays due all day. It was looked up again every minute (the day's lesson,
 * the alert's claim, a log line): a thousand such servers, ordered before a healthy one, put its post 3 s after
 * the minute, every minute, and filled the page of cards built ahead. Now it is passed over until something that
 * could give it a lesson changes (the library, its plans, its schedule).
 */
describe.each(testDatabaseTargets())('servers with no lesson left, on $kind', (target) => {
  const database = useTestDatabase(target);

  /** A daily post at 09:00 UTC, set long before; and the lesson it posted on May 1. */
  async function dailyAt9(guildId: string, postedOnMay1?: string) {
    const db = database().db;
    await saveSchedule(db, { guildId, channelId: channelOf(guildId), postTime: '09:00', timeZone: 'UTC', roleId: null, createThread: false }, new Date('2026-01-01T00:00:00Z'));
    if (postedOnMay1 === undefined) return;
    await sql`insert into deliveries (guild_id, local_date, sequence, lesson_id, channel_id, status, nonce, claimed_by, claimed_at, sent_at, message_id)
      values (${guildId}, '2026-05-01', 0, ${postedOnMay1}, ${channelOf(guildId)}, 'sent', 'nonce-1', 'earlier', now(), now(), '900')`.execute(db);
  }

  /** The scheduler over the services' poster, and a tick at a moment that waits for the tick's posts. */
  function timer(logger = pino({ level: 'silent' })) {
    const db = database().db;
    let now = new Date('2026-05-02T09:00:00Z');
    const harness = createServiceHarness(db, now.toISOString());
    const scheduler = new DeliveryScheduler({ db, poster: harness.poster, logger, now: () => now, cronExpression: '0 0 1 1 *', leaseMs: 60_000, servesGuild: () => true });
    const tickAt = async (iso: string) => {
      now = new Date(iso);
      harness.setNow(iso);
      await scheduler.tick();
      while (harness.poster.postsUnderWay > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    };
    return { ...harness, scheduler, tickAt };
  }

  it('are looked up once, passed over on the next ticks, and posted to once an import gives them a lesson', async () => {
    const lesson = makeLesson({ date: '2025-01-01', title: 'The only lesson' });
    await upsertLesson(database().db, lesson);
    // DRY posted the only lesson yesterday.
    await dailyAt9(DRY, lesson.id);
    await dailyAt9(HEALTHY);
    const lines: { msg: string; guildId?: string; guildIds?: string[] }[] = [];
    const logger = pino({ level: 'debug' }, new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(...chunk.toString().trim().split('\n').map((l) => JSON.parse(l) as never)), done()) }));
    const { poster, channels, services, scheduler, tickAt } = timer(logger);
    try {
      await tickAt('2026-05-02T09:00:00Z');
      expect(channels.sentTo(channelOf(HEALTHY))).toHaveLength(1);
      expect(channels.sentTo(channelOf(DRY))).toEqual([]);
      expect(poster.hasNoLessonLeft(DRY, '2026-05-02')).toBe(true);

      await tickAt('2026-05-02T09:01:00Z');
      await tickAt('2026-05-02T09:02:00Z');
      const passedOver = lines.filter((line) => line.msg === 'servers with no lesson left passed over' && line.guildIds?.includes(DRY));
      expect(passedOver).toHaveLength(2);

      // An import (here through the service, as /lesson import does) gives it one: the next tick posts it.
      await services.lessons.importParsed([makeLesson({ date: '2025-02-01', title: 'A new lesson' })]);
      expect(poster.hasNoLessonLeft(DRY, '2026-05-02')).toBe(false);
      await tickAt('2026-05-02T09:03:00Z');
      expect(channels.sentTo(channelOf(DRY))).toHaveLength(1);
      expect(JSON.stringify(channels.sentTo(channelOf(DRY))[0]!.options.embeds)).toContain('A new lesson');
    } finally {
      await scheduler.stop();
    }
  });

  it('are looked up again on a later day: a lesson pinned to that day (planned long before) is posted then', async () => {
    const db = database().db;
    const posted = makeLesson({ date: '2025-01-01', title: 'Posted before' });
    const pinned = makeLesson({ date: '2025-01-02', title: 'Kept for May 4' });
    for (const lesson of [posted, pinned]) await upsertLesson(db, lesson);
    await dailyAt9(DRY, posted.id);
    await sql`insert into lesson_plans (guild_id, local_date, lesson_id, planned_by) values (${DRY}, '2026-05-04', ${pinned.id}, 'mod')`.execute(db);
    await updateGuildSettings(db, DRY, { alertsChannelId: ALERTS });
    const { poster, channels, scheduler, tickAt } = timer();
    try {
      // May 2 and 3: the pinned lesson is kept for its day, so nothing is left; moderators are told it is pinned later,
      // not that every lesson has been posted.
      await tickAt('2026-05-02T09:00:00Z');
      expect(poster.hasNoLessonLeft(DRY, '2026-05-02')).toBe(true);
      expect(channels.sentTo(ALERTS).map((sent) => sent.options.content)).toEqual([
        '📭 There is no lesson to post today: every lesson in the library has been posted in this server or is pinned to a later day (the next, 2026-05-04). Import new ones with `/lesson import`, or pin one to today with `/schedule plan`.',
      ]);
      await tickAt('2026-05-03T09:00:00Z');
      expect(channels.sentTo(channelOf(DRY))).toEqual([]);
      await tickAt('2026-05-04T09:00:00Z');
      expect(channels.sentTo(channelOf(DRY))).toHaveLength(1);
      expect(JSON.stringify(channels.sentTo(channelOf(DRY))[0]!.options.embeds)).toContain('Kept for May 4');
    } finally {
      await scheduler.stop();
    }
  });

  it('are tried again after their plans or schedule change (a lesson pinned to the day)', async () => {
    const lesson = makeLesson({ date: '2025-01-01', title: 'Posted before' });
    await upsertLesson(database().db, lesson);
    await dailyAt9(DRY, lesson.id);
    const { poster, services } = createServiceHarness(database().db, '2026-05-02T09:00:00Z');
    const schedule = await services.delivery.requireSchedule(DRY);
    expect((await poster.post(schedule, '2026-05-02', 0)).status).toBe('no-lesson');
    expect(poster.hasNoLessonLeft(DRY, '2026-05-02')).toBe(true);
    await services.delivery.plan(DRY, { date: '2026-05-02', lesson: lesson.id, plannedBy: 'mod' });
    expect(poster.hasNoLessonLeft(DRY, '2026-05-02')).toBe(false);
  });
});
