import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { upsertLesson } from '../../src/db/lessons.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { saveSchedule } from '../../src/db/schedules.js';
import { createAlerts } from '../../src/delivery/alerts.js';
import { LessonPoster } from '../../src/delivery/poster.js';
import { createMetrics } from '../../src/metrics.js';
import { makeLesson } from '../support/lessons.js';
import { RecordingChannels } from '../support/recording-channels.js';

/*
 * `newsdesk_lesson_posts_total` counts every daily post attempt by outcome. A post that never got as far as its
 * send (the database failing its lesson's lookup or its claim) was counted under no outcome at all: an operator
 * alerting on `outcome="failed"` saw nothing while posts failed.
 */
describe('the posts metric', () => {
  it('counts a post whose claim the database failed as failed, as well as a post sent', async () => {
    const database = await openDatabase({ dataDir: 'memory://' });
    const logger = pino({ level: 'silent' });
    const channels = new RecordingChannels();
    const metrics = createMetrics();
    const now = new Date('2026-12-07T09:00:00Z');
    await migrateToLatest(database.db);
    const lesson = makeLesson({ date: '2025-01-01', title: 'First lesson' });
    await upsertLesson(database.db, lesson);
    const schedule = await saveSchedule(
      database.db,
      { guildId: '100000000000000001', channelId: '200000000000000001', postTime: '09:00', timeZone: 'UTC', roleId: null, createThread: false },
      new Date('2026-12-01T00:00:00Z'),
    );
    const poster = new LessonPoster({ db: database.db, channels, logger, now: () => now, alerts: createAlerts({ db: database.db, channels, logger }), processId: 'metrics-test', leaseMs: 60_000, metrics });
    const counted = async (outcome: string) =>
      (await metrics.registry.getSingleMetric('newsdesk_lesson_posts_total')?.get())?.values.find((value) => value.labels.outcome === outcome)?.value ?? 0;

    expect((await poster.post(schedule, '2026-12-07', 0)).status).toBe('sent');
    expect(await counted('sent')).toBe(1);

    await database.close();
    await expect(poster.post(schedule, '2026-12-08', 0, lesson.id)).rejects.toThrow();
    expect(await counted('failed')).toBe(1);
  }, 60_000);
});
