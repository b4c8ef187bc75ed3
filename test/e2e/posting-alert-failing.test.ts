import type { Client } from 'discord.js';
import { sql } from 'kysely';
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
import { deny, textChannel, type DiscordStandIn } from '../support/discord-stand-in/index.js';
import { makeLesson } from '../support/lessons.js';

// A post's alert (a thread refused, the card dropped) is told after the post went out. Until 2026-12-08 the database
// failing inside it failed the post: recorded as failed, not as sent, and retried. The real discord.js client against
// the stand-in; the database really fails (a trigger refuses the alert's row).
describe.each(testDatabaseTargets())('a post whose alert meets a failing database, on $kind', (target) => {
  const database = useTestDatabase(target);
  let discord: DiscordStandIn;
  let client: Client;

  useConnectedClient((stand, connected) => {
    discord = stand;
    client = connected;
  });

  it('is recorded as sent with its message; the failure is logged and the alert is told the next time', async () => {
    const db = database().db;
    const guild = discord.addGuild({
      name: 'Alert fails',
      channels: [textChannel({ name: 'lessons', permissionOverwrites: [deny('@bot', ['CreatePublicThreads'])] }), textChannel({ name: 'mods' })],
    });
    await expect.poll(() => client.guilds.cache.has(guild.id)).toBe(true);
    const [lessons, mods] = guild.channels.map((channel) => channel.id) as [string, string];
    for (const date of ['2025-06-01', '2025-06-02']) await upsertLesson(db, makeLesson({ date }));
    await saveSchedule(
      db,
      { guildId: guild.id, channelId: lessons, postTime: '09:00', timeZone: 'UTC', roleId: null, createThread: true },
      new Date('2026-01-01T00:00:00Z'),
    );
    await updateGuildSettings(db, guild.id, { alertsChannelId: mods });
    const logged: { msg?: string; kind?: string }[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void logged.push(JSON.parse(line) as { msg?: string }) });
    const channels = discordChannels(client);
    let now = new Date('2026-05-02T09:00:05Z');
    const poster = new LessonPoster({ db, channels, logger, now: () => now, alerts: createAlerts({ db, channels, logger }), processId: 'test-process', leaseMs: 60_000 });

    await sql`create function h_refuse_alert() returns trigger language plpgsql as $$ begin raise exception 'the database failed'; end $$`.execute(db);
    await sql`create trigger h_refuse_alert before insert on alerts_sent for each row execute function h_refuse_alert()`.execute(db);
    try {
      const result = await poster.post((await findSchedule(db, guild.id))!, '2026-05-02', 0);
      const [post] = discord.channelMessages(lessons);
      expect(discord.channelMessages(lessons)).toHaveLength(1);
      expect(result).toMatchObject({ status: 'sent', messageId: post!.id });
      expect(await dailyDelivery(db, guild.id, '2026-05-02')).toMatchObject({ status: 'sent', messageId: post!.id, threadId: null });
      expect((await findSchedule(db, guild.id))).toMatchObject({ failureCount: 0, retryAt: null });
      expect(logged).toContainEqual(expect.objectContaining({ msg: 'lesson posted, but its alert could not be told; it is told the next time', kind: 'thread-failed' }));
      expect(discord.channelMessages(mods)).toEqual([]);
    } finally {
      await sql`drop trigger h_refuse_alert on alerts_sent`.execute(db);
      await sql`drop function h_refuse_alert()`.execute(db);
    }

    // The next post's thread refused too: now the moderators are told.
    now = new Date('2026-05-03T09:00:05Z');
    expect(await poster.post((await findSchedule(db, guild.id))!, '2026-05-03', 0)).toMatchObject({ status: 'sent' });
    expect(discord.channelMessages(lessons)).toHaveLength(2);
    expect(discord.channelMessages(mods).map((message) => message.content)).toEqual([
      expect.stringContaining(`⚠️ I posted today’s lesson in <#${lessons}> but could not open a discussion thread on it.`),
    ]);
  });
});
