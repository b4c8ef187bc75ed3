import type { Client } from 'discord.js';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { dailyDelivery } from '../../src/db/deliveries.js';
import { updateGuildSettings } from '../../src/db/guild-settings.js';
import { upsertLesson } from '../../src/db/lessons.js';
import { findSchedule, saveSchedule } from '../../src/db/schedules.js';
import { createAlerts } from '../../src/delivery/alerts.js';
import { LessonPoster } from '../../src/delivery/poster.js';
import { discordChannels } from '../../src/discord/channels.js';
import { useConnectedClient } from '../support/connected-client.js';
import { testDatabaseTargets, useTestDatabase } from '../support/databases.js';
import { textChannel, type DiscordStandIn } from '../support/discord-stand-in/index.js';
import { makeLesson } from '../support/lessons.js';

// A daily post whose send may have reached Discord (a 5xx after Discord took it: a proxy's 502 or 504) is tried again
// 30 s later with its nonce, so Discord returns the first message instead of posting a second. Until 2026-12-08 the
// retry took the schedule's channel and the day's lesson as they were at the retry: a `/schedule set` to another
// channel in between posted the lesson in both, and a lesson imported in between (the backlog's new head) was recorded
// against the message Discord returned, which showed the first lesson. The real discord.js client against the stand-in.
describe.each(testDatabaseTargets())('the retry of a post that may have reached Discord, on $kind', (target) => {
  const database = useTestDatabase(target);
  let discord: DiscordStandIn;
  let client: Client;

  useConnectedClient((stand, connected) => {
    discord = stand;
    client = connected;
  });

  /** A server whose 09:00 post Discord took but answered with a 502 on every try. */
  async function failedAfterTaken(name: string) {
    const db = database().db;
    const guild = discord.addGuild({ name, channels: [textChannel({ name: 'lessons' }), textChannel({ name: 'other' }), textChannel({ name: 'mods' })] });
    await expect.poll(() => client.guilds.cache.has(guild.id)).toBe(true);
    const [lessons, other, mods] = guild.channels.map((channel) => channel.id) as [string, string, string];
    const first = makeLesson({ title: 'The first lesson', date: '2025-06-02' });
    await upsertLesson(db, first);
    await upsertLesson(db, makeLesson({ title: 'A later lesson', date: '2025-06-03' }));
    await saveSchedule(
      db,
      { guildId: guild.id, channelId: lessons, postTime: '09:00', timeZone: 'UTC', roleId: null, createThread: false },
      new Date('2026-01-01T00:00:00Z'),
    );
    await updateGuildSettings(db, guild.id, { alertsChannelId: mods });
    const logger = pino({ level: 'silent' });
    const channels = discordChannels(client);
    let now = new Date('2026-05-02T09:00:05Z');
    const poster = new LessonPoster({ db, channels, logger, now: () => now, alerts: createAlerts({ db, channels, logger }), processId: 'test-process', leaseMs: 60_000 });

    // Discord stores the message; the answer of each of discord.js's tries is a 502 (the first stored it, the others
    // found its nonce).
    discord.failNext({ method: 'POST', path: `/channels/${lessons}/messages` }, { status: 502, handled: true }, 4);
    const failed = await poster.post((await findSchedule(db, guild.id))!, '2026-05-02', 0);
    expect(failed).toMatchObject({ status: 'failed', retryAt: new Date('2026-05-02T09:00:35Z') });
    const [shown] = discord.channelMessages(lessons);
    expect(discord.channelMessages(lessons)).toHaveLength(1);
    expect(shown!.embeds[0]?.title).toBe(first.title);
    now = new Date('2026-05-02T09:00:40Z');
    return { db, guild, lessons, other, mods, first, poster, shown: shown! };
  }

  it('moved to another channel in between: the retry resends to the first channel with the same nonce, so the lesson is shown once', async () => {
    const { db, guild, lessons, other, first, poster, shown } = await failedAfterTaken('Moved');
    // A moderator moves the schedule before the retry (`/schedule set`, which also clears the backoff).
    await saveSchedule(
      db,
      { guildId: guild.id, channelId: other, postTime: '09:00', timeZone: 'UTC', roleId: null, createThread: false },
      new Date('2026-05-02T09:00:20Z'),
    );
    expect(await poster.post((await findSchedule(db, guild.id))!, '2026-05-02', 0)).toMatchObject({ status: 'sent', messageId: shown.id, lessonId: first.id });
    expect(discord.channelMessages(other)).toEqual([]);
    expect(discord.channelMessages(lessons)).toHaveLength(1);
    expect(await dailyDelivery(db, guild.id, '2026-05-02')).toMatchObject({ status: 'sent', channelId: lessons, messageId: shown.id, lessonId: first.id });
  });

  it('another lesson chosen for the day in between (an older one imported): the retry resends the lesson shown, and records that one', async () => {
    const { db, guild, lessons, first, poster, shown } = await failedAfterTaken('Rechosen');
    await upsertLesson(db, makeLesson({ title: 'An older lesson imported', date: '2025-06-01' }));
    expect(await poster.post((await findSchedule(db, guild.id))!, '2026-05-02', 0)).toMatchObject({ status: 'sent', messageId: shown.id, lessonId: first.id });
    expect(discord.channelMessages(lessons)).toHaveLength(1);
    expect(await dailyDelivery(db, guild.id, '2026-05-02')).toMatchObject({ status: 'sent', messageId: shown.id, lessonId: first.id });
  });

  it('refused on its retry in its first channel (the channel deleted): the next retry goes where the schedule says now', async () => {
    const { db, guild, lessons, other, poster } = await failedAfterTaken('Deleted');
    await saveSchedule(
      db,
      { guildId: guild.id, channelId: other, postTime: '09:00', timeZone: 'UTC', roleId: null, createThread: false },
      new Date('2026-05-02T09:00:20Z'),
    );
    discord.removeChannel(guild.id, lessons);
    expect(await poster.post((await findSchedule(db, guild.id))!, '2026-05-02', 0)).toMatchObject({ status: 'failed', reason: expect.stringMatching(/no longer exists/u) });
    expect(await poster.post((await findSchedule(db, guild.id))!, '2026-05-02', 0)).toMatchObject({ status: 'sent' });
    expect(discord.channelMessages(other)).toHaveLength(1);
    expect(await dailyDelivery(db, guild.id, '2026-05-02')).toMatchObject({ status: 'sent', channelId: other });
  });
});
