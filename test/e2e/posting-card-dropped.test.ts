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
import { deny, textChannel, type DiscordStandIn } from '../support/discord-stand-in/index.js';
import { makeLesson } from '../support/lessons.js';

// Discord posts a message whose author lacks Embed Links without its embeds, and answers as for any post. A daily post
// in a channel the bot did not read first (channelNotRead: nothing checked before the post) went out as its greeting
// and buttons without the card, was recorded as sent, and nobody was told, every day. The real discord.js client
// against the stand-in, which drops the embeds as Discord does.
describe.each(testDatabaseTargets())('a daily post Discord takes without its card (no Embed Links), on $kind', (target) => {
  const database = useTestDatabase(target);
  let discord: DiscordStandIn;
  let client: Client;

  useConnectedClient((stand, connected) => {
    discord = stand;
    client = connected;
  });

  it('is posted once, recorded, and the moderators are told once what is missing; a post with its card clears that', async () => {
    const db = database().db;
    const guild = discord.addGuild({
      name: 'No embeds',
      channels: [textChannel({ name: 'lessons', permissionOverwrites: [deny('@bot', ['EmbedLinks'])] }), textChannel({ name: 'mods' })],
    });
    await expect.poll(() => client.guilds.cache.has(guild.id)).toBe(true);
    const [lessons, mods] = guild.channels.map((channel) => channel.id) as [string, string];
    // Not a channel this process posts in: not kept from GUILD_CREATE, so the post goes out without reading it.
    expect(client.channels.cache.has(lessons)).toBe(false);
    for (const date of ['2025-06-01', '2025-06-02', '2025-06-03']) await upsertLesson(db, makeLesson({ date }));
    await saveSchedule(
      db,
      { guildId: guild.id, channelId: lessons, postTime: '09:00', timeZone: 'UTC', roleId: null, createThread: false },
      new Date('2026-01-01T00:00:00Z'),
    );
    await updateGuildSettings(db, guild.id, { alertsChannelId: mods });
    const logger = pino({ level: 'silent' });
    const channels = discordChannels(client);
    let now = new Date('2026-05-02T09:00:05Z');
    const poster = new LessonPoster({
      db,
      channels,
      logger,
      now: () => now,
      alerts: createAlerts({ db, channels, logger }),
      processId: 'test-process',
      leaseMs: 60_000,
    });

    for (const day of ['2026-05-02', '2026-05-03']) {
      now = new Date(`${day}T09:00:05Z`);
      expect(await poster.post((await findSchedule(db, guild.id))!, day, 0)).toMatchObject({ status: 'sent' });
    }
    const posts = discord.channelMessages(lessons);
    expect(posts).toHaveLength(2);
    expect(posts.map((post) => post.embeds)).toEqual([[], []]);
    expect((await dailyDelivery(db, guild.id, '2026-05-02'))?.messageId).toBe(posts[0]!.id);
    const told = discord.channelMessages(mods).map((message) => message.content);
    expect(told).toEqual([
      `⚠️ I posted today’s lesson in <#${lessons}>, but Discord left out its card (the summary and details): I am missing **Embed Links** there. Give it to me, or move the schedule with \`/schedule set\`.`,
    ]);

    // Embed Links given: the card is kept, and a later loss of it is told again.
    discord.setChannelOverwrites(lessons, []);
    now = new Date('2026-05-04T09:00:05Z');
    expect(await poster.post((await findSchedule(db, guild.id))!, '2026-05-04', 0)).toMatchObject({ status: 'sent' });
    expect(discord.channelMessages(lessons).at(-1)?.embeds).toHaveLength(1);
    expect(await db.selectFrom('alerts_sent').select('kind').where('guild_id', '=', guild.id).execute()).toEqual([]);
  });
});
