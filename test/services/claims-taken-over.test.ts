import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { claimDelivery, dailyDelivery } from '../../src/db/deliveries.js';
import { upsertLesson } from '../../src/db/lessons.js';
import { saveSchedule } from '../../src/db/schedules.js';
import { DeliveryScheduler } from '../../src/delivery/scheduler.js';
import { testDatabaseTargets, useTestDatabase } from '../support/databases.js';
import { makeLesson } from '../support/lessons.js';
import { createServiceHarness } from '../support/services.js';

const LEFT = '100000000000000001';
const LIVE = '100000000000000002';
const UNCLAIMED = '100000000000000003';
const channelOf = (guildId: string) => `2${guildId.slice(1)}`;

/*
 * Under sharding a process posts for its own shards' servers. A claim left by a process that died was taken over
 * only by the process serving the server: the dead one, restarted after a wait that grows while it keeps dying
 * (5.5 s, 11 s, … up to 5 minutes), so its posts came later than the lease promises. Any process now takes it over.
 */
describe.each(testDatabaseTargets())('claims of a dead process, on $kind', (target) => {
  const database = useTestDatabase(target);

  it('a process takes over a claim left past its lease in a server it does not serve, once; a live claim and an unclaimed post of another shard it leaves', async () => {
    const db = database().db;
    const lesson = makeLesson({ date: '2025-01-01', title: 'The lesson' });
    await upsertLesson(db, lesson);
    for (const guildId of [LEFT, LIVE, UNCLAIMED]) {
      await saveSchedule(db, { guildId, channelId: channelOf(guildId), postTime: '09:00', timeZone: 'UTC', roleId: null, createThread: false }, new Date('2026-01-01T00:00:00Z'));
    }
    const claim = (guildId: string, at: string) =>
      claimDelivery(db, { guildId, localDate: '2026-05-02', sequence: 0, lessonId: lesson.id, channelId: channelOf(guildId), claimedBy: 'host/1234/dead', now: new Date(at), staleClaimMs: 60_000 });
    expect(await claim(LEFT, '2026-05-02T09:00:00Z')).toBeDefined();
    expect(await claim(LIVE, '2026-05-02T09:01:00Z')).toBeDefined();
    const leftNonce = (await dailyDelivery(db, LEFT, '2026-05-02'))?.nonce;

    const now = new Date('2026-05-02T09:01:30Z');
    const harness = createServiceHarness(db, now.toISOString());
    const scheduler = new DeliveryScheduler({
      db,
      poster: harness.poster,
      logger: pino({ level: 'silent' }),
      now: () => now,
      cronExpression: '0 0 1 1 *',
      leaseMs: 60_000,
      // None of these servers is on this process's shards.
      servesGuild: () => false,
    });
    try {
      await scheduler.tick();
      await scheduler.stop();
      expect(harness.channels.sentTo(channelOf(LEFT))).toHaveLength(1);
      expect(harness.channels.sentTo(channelOf(LEFT))[0]!.options.nonce).toBe(leftNonce);
      expect(await dailyDelivery(db, LEFT, '2026-05-02')).toMatchObject({ status: 'sent' });
      expect(harness.channels.sentTo(channelOf(LIVE))).toEqual([]);
      expect(harness.channels.sentTo(channelOf(UNCLAIMED))).toEqual([]);
    } finally {
      await scheduler.stop();
    }
  });
});
