import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { upsertLesson } from '../../src/db/lessons.js';
import { saveSchedule } from '../../src/db/schedules.js';
import { DeliveryScheduler } from '../../src/delivery/scheduler.js';
import { testDatabaseTargets, useTestDatabase } from '../support/databases.js';
import { makeLesson } from '../support/lessons.js';
import { createServiceHarness } from '../support/services.js';

const guildIds = Array.from({ length: 6 }, (_, index) => `10000000000000000${index + 1}`);
const channelOf = (guildId: string) => `2${guildId.slice(1)}`;

async function until(condition: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!condition() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 10));
  return condition();
}

/*
 * A tick's posts went out 8 at a time: 8 posts whose requests hung (discord.js waits 15 s for each of four tries)
 * held every other server's post of the minute for a minute. A post slower than `slowPostMs` now lets the next start.
 */
describe.each(testDatabaseTargets())('slow daily posts, on $kind', (target) => {
  const database = useTestDatabase(target);

  it('posts that hang do not hold up the other servers’ posts of the same minute, and still post once released', async () => {
    const db = database().db;
    await upsertLesson(db, makeLesson({ date: '2025-01-01', title: 'The lesson' }));
    for (const guildId of guildIds) {
      await saveSchedule(db, { guildId, channelId: channelOf(guildId), postTime: '09:00', timeZone: 'UTC', roleId: null, createThread: false }, new Date('2026-01-01T00:00:00Z'));
    }
    const harness = createServiceHarness(db, '2026-05-02T09:00:00Z');
    // The first two servers (due servers are read in id order) fill both places and hang.
    const releases = guildIds.slice(0, 2).map((guildId) => harness.channels.holdChannel(channelOf(guildId)));
    const scheduler = new DeliveryScheduler({
      db,
      poster: harness.poster,
      logger: pino({ level: 'silent' }),
      now: () => new Date('2026-05-02T09:00:00Z'),
      cronExpression: '0 0 1 1 *',
      leaseMs: 60_000,
      servesGuild: () => true,
      concurrency: 2,
      slowPostMs: 100,
    });
    try {
      await scheduler.tick();
      const others = guildIds.slice(2).map(channelOf);
      expect(await until(() => others.every((channelId) => harness.channels.sentTo(channelId).length === 1), 10_000)).toBe(true);
      expect(harness.channels.sentTo(channelOf(guildIds[0]!))).toEqual([]);

      for (const release of releases) release();
      expect(await until(() => harness.poster.postsUnderWay === 0, 10_000)).toBe(true);
      for (const guildId of guildIds) expect(harness.channels.sentTo(channelOf(guildId))).toHaveLength(1);
    } finally {
      for (const release of releases) release();
      await scheduler.stop();
    }
  });
});
