import type { Client } from 'discord.js';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { updateGuildSettings } from '../../src/db/guild-settings.js';
import { upsertLesson } from '../../src/db/lessons.js';
import { dueSchedules, findSchedule, saveSchedule } from '../../src/db/schedules.js';
import type { DB } from '../../src/db/schema.js';
import { createAlerts } from '../../src/delivery/alerts.js';
import { LessonPoster } from '../../src/delivery/poster.js';
import { scheduleEmbed } from '../../src/delivery/schedule-view.js';
import { discordChannels, followChannelDeletes } from '../../src/discord/channels.js';
import { createServices } from '../../src/services.js';
import { useConnectedClient } from '../support/connected-client.js';
import { testDatabaseTargets, useTestDatabase } from '../support/databases.js';
import { deny, textChannel, type DiscordStandIn } from '../support/discord-stand-in/index.js';
import { makeLesson } from '../support/lessons.js';
import type { Kysely } from 'kysely';

// Refusals of a daily post, or of its alert, that every try meets again: the server's AutoMod blocking the card, the
// alerts channel or the posting channel deleted. The real discord.js client against the stand-in, which answers them
// as Discord does (400 with code 200000; 404 with code 10003).
describe.each(testDatabaseTargets())('a daily post or an alert refused the same way at every try, on $kind', (target) => {
  const database = useTestDatabase(target);
  let discord: DiscordStandIn;
  let client: Client;

  useConnectedClient((stand, connected) => {
    discord = stand;
    client = connected;
  });

  /** A server with a lessons and a moderators' channel, a daily post at 09:00 UTC and alerts in `mods`. */
  async function setUp(name: string) {
    const db = database().db;
    const guild = discord.addGuild({ name, channels: [textChannel({ name: 'lessons' }), textChannel({ name: 'mods' })] });
    await expect.poll(() => client.guilds.cache.has(guild.id)).toBe(true);
    const [lessons, mods] = guild.channels.map((channel) => channel.id) as [string, string];
    for (const date of ['2025-06-01', '2025-06-02']) await upsertLesson(db, makeLesson({ date }));
    await saveSchedule(db, { guildId: guild.id, channelId: lessons, postTime: '09:00', timeZone: 'UTC', roleId: null, createThread: false }, new Date('2026-01-01T00:00:00Z'));
    await updateGuildSettings(db, guild.id, { alertsChannelId: mods });
    const clock = { now: new Date('2026-05-02T09:00:05Z') };
    return { db, guildId: guild.id, lessons, mods, clock, ...bot(db, clock) };
  }

  /** The bot's poster and services over the real client, as a process builds them (a new one: a restarted process). */
  function bot(db: Kysely<DB>, clock: { now: Date }) {
    const logger = pino({ level: 'silent' });
    const channels = discordChannels(client);
    const now = () => clock.now;
    const poster = new LessonPoster({ db, channels, logger, now, alerts: createAlerts({ db, channels, logger, now }), processId: 'test-process', leaseMs: 60_000 });
    return { poster, services: createServices({ db, logger, now, importTimeZone: 'UTC', poster }) };
  }

  const postsTo = (channelId: string) => discord.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${channelId}/messages`).length;

  async function health(services: ReturnType<typeof bot>['services'], guildId: string): Promise<Record<string, string>> {
    const { schedule, next, lastSent, noLessonOn, alerts } = await services.delivery.status(guildId);
    return Object.fromEntries((scheduleEmbed(schedule, next, lastSent, noLessonOn, alerts).fields ?? []).map((field) => [field.name, field.value]));
  }

  it('a card AutoMod blocks (200000) is told to the moderators as that, shown in /schedule show, and backs off like any refusal', async () => {
    const { db, guildId, lessons, mods, clock, poster, services } = await setUp('AutoMod');
    // The greeting holds the word: blocked wherever the bot is not exempt (the moderators' channel is).
    discord.addAutoModRule(guildId, { keywords: ['lesson'], exemptChannels: [mods] });
    const first = await poster.post((await findSchedule(db, guildId))!, '2026-05-02', 0);
    expect(first).toMatchObject({ status: 'failed', reason: expect.stringMatching(/AutoMod blocked/u), retryAt: new Date('2026-05-02T09:05:05Z') });
    expect(postsTo(lessons)).toBe(1);
    const told = discord.channelMessages(mods).map((message) => message.content);
    expect(told).toHaveLength(1);
    // Until 2026-12-08 "Discord refused the post (400)", in /schedule show only, and no alert.
    expect(told[0]).toMatch(new RegExp(`^⚠️ I could not post today’s lesson in <#${lessons}>: this server’s AutoMod blocked it`, 'u'));
    expect(told[0]).toMatch(/exempt my role from that AutoMod rule/u);
    expect((await health(services, guildId))['Health']).toMatch(/^⚠️ Failing since <t:\d+:R>: this server’s AutoMod blocked it/u);
    // Not tried again at the next ticks: at its backoff, as a missing permission is (5 minutes, then 10).
    expect(await dueSchedules(db, new Date('2026-05-02T09:04:00Z'), { staleClaimMs: 60_000, limit: 10 })).toEqual([]);
    clock.now = new Date('2026-05-02T09:05:05Z');
    const [due] = await dueSchedules(db, clock.now, { staleClaimMs: 60_000, limit: 10 });
    expect(due?.schedule.guildId).toBe(guildId);
    expect(await poster.post(due!.schedule, due!.localDate, 0)).toMatchObject({ status: 'failed', retryAt: new Date('2026-05-02T09:15:05Z') });
    expect(postsTo(lessons)).toBe(2);
    // Told once.
    expect(discord.channelMessages(mods)).toHaveLength(1);
  });

  it('an alerts channel deleted (404, 10003) is not tried again, and /schedule show says so, until another is set', async () => {
    const { db, guildId, lessons, mods, clock, poster, services } = await setUp('Alerts deleted');
    expect((await health(services, guildId))['Alerts']).toBe(`<#${mods}>`);
    // Posts fail (50013) at every try, each telling the moderators; the alerts channel is deleted while the bot does
    // not keep it (nor hold it: no process connected, or one that never read it), so it learns of it from a 404.
    discord.denyChannel(lessons);
    discord.removeChannel(guildId, mods);
    expect(await poster.post((await findSchedule(db, guildId))!, '2026-05-02', 0)).toMatchObject({ status: 'failed' });
    expect(postsTo(mods)).toBe(1);
    expect(discord.requests.filter((r) => r.path === `/channels/${mods}/messages`).map((r) => r.status)).toEqual([404]);
    expect((await health(services, guildId))['Alerts']).toBe(
      `⚠️ <#${mods}> was deleted: I can’t tell moderators about problems until you choose another channel with \`/schedule alerts\`.`,
    );
    // Until 2026-12-08 every later alert tried it again (a 404 each, in every process).
    for (const at of ['2026-05-02T09:05:05Z', '2026-05-02T09:15:05Z']) {
      clock.now = new Date(at);
      const restarted = bot(db, clock);
      expect(await restarted.poster.post((await findSchedule(db, guildId))!, '2026-05-02', 0)).toMatchObject({ status: 'failed' });
    }
    expect(postsTo(mods)).toBe(1);
    // A new alerts channel is told the problem still standing, and is shown.
    const fresh = discord.addChannel(guildId, { name: 'mods-2' });
    await services.delivery.setAlertsChannel(guildId, fresh.id);
    expect((await health(services, guildId))['Alerts']).toBe(`<#${fresh.id}>`);
    clock.now = new Date('2026-05-02T09:35:05Z');
    expect(await poster.post((await findSchedule(db, guildId))!, '2026-05-02', 0)).toMatchObject({ status: 'failed' });
    expect(discord.channelMessages(fresh.id).map((message) => message.content)).toEqual([
      expect.stringMatching(new RegExp(`^⚠️ I could not post today’s lesson in <#${lessons}>: I am missing a permission`, 'u')),
    ]);
  });

  it('an alerts channel deleted while the bot is connected (CHANNEL_DELETE) is noticed at once, with no request to it', async () => {
    const { db, guildId, lessons, mods, poster, services } = await setUp('Alerts deleted live');
    const stop = followChannelDeletes(client, (deletedIn, channelId) => void services.delivery.channelDeleted(deletedIn, channelId));
    try {
      discord.removeChannel(guildId, mods);
      await expect.poll(async () => (await health(services, guildId))['Alerts']).toMatch(/^⚠️ <#\d+> was deleted/u);
      discord.denyChannel(lessons);
      expect(await poster.post((await findSchedule(db, guildId))!, '2026-05-02', 0)).toMatchObject({ status: 'failed' });
      expect(discord.requests.filter((r) => r.path.startsWith(`/channels/${mods}`))).toEqual([]);
    } finally {
      stop();
    }
  });

  it('a posting channel deleted fails the post as that, tells the moderators once, shows it, and backs off', async () => {
    const { db, guildId, lessons, mods, clock, poster, services } = await setUp('Posting channel deleted');
    discord.removeChannel(guildId, lessons);
    const first = await poster.post((await findSchedule(db, guildId))!, '2026-05-02', 0);
    expect(first).toMatchObject({ status: 'failed', reason: 'the channel no longer exists', retryAt: new Date('2026-05-02T09:05:05Z') });
    expect((await health(services, guildId))['Health']).toMatch(/^⚠️ Failing since <t:\d+:R>: the channel no longer exists\. Next try/u);
    expect(await dueSchedules(db, new Date('2026-05-02T09:04:00Z'), { staleClaimMs: 60_000, limit: 10 })).toEqual([]);
    // A restarted process, which never heard of the deletion, learns it from Discord's 404: one request a try.
    clock.now = new Date('2026-05-02T09:05:05Z');
    expect(await bot(db, clock).poster.post((await findSchedule(db, guildId))!, '2026-05-02', 0)).toMatchObject({
      status: 'failed',
      reason: 'the channel no longer exists',
      retryAt: new Date('2026-05-02T09:15:05Z'),
    });
    expect(postsTo(lessons)).toBeLessThanOrEqual(2);
    expect(discord.channelMessages(mods).map((message) => message.content)).toEqual([
      `⚠️ I could not post today’s lesson in <#${lessons}>: the channel no longer exists. I will try again <t:${Date.parse('2026-05-02T09:05:05Z') / 1000}:R>. Fix it, or move the schedule with \`/schedule set\`.`,
    ]);
  });
  it('a posting channel the bot cannot see (403, 50001 Missing Access) is told as that, not as a deleted channel', async () => {
    const { db, guildId, lessons, mods, clock, poster, services } = await setUp('Posting channel hidden');
    // Made private, the bot's role not added: Discord answers the bot's reads and posts there with 50001.
    discord.setChannelOverwrites(lessons, [deny(guildId, ['ViewChannel'], 'role')]);
    const hidden = 'I can’t see that channel: give my role **View Channel** there';
    const first = await poster.post((await findSchedule(db, guildId))!, '2026-05-02', 0);
    expect(first).toMatchObject({ status: 'failed', reason: hidden, retryAt: new Date('2026-05-02T09:05:05Z') });
    expect(discord.channelMessages(mods).map((message) => message.content)).toEqual([expect.stringContaining(`in <#${lessons}>: ${hidden}.`)]);
    expect((await health(services, guildId))['Health']).toMatch(/^⚠️ Failing since <t:\d+:R>: I can’t see that channel: give my role \*\*View Channel\*\* there\. Next try/u);
    // A restarted process, whose cache keeps the channel now, reads it (or posts in it) again: told the same way.
    clock.now = new Date('2026-05-02T09:05:05Z');
    expect(await bot(db, clock).poster.post((await findSchedule(db, guildId))!, '2026-05-02', 0)).toMatchObject({ status: 'failed', reason: hidden });
    // Read first (a process not holding the server yet): Discord's 403 to the read was told "the channel no longer exists".
    await expect(discordChannels(client).postable(lessons, {})).rejects.toThrow(hidden);
    expect(discord.requests.filter((r) => r.method === 'GET' && r.path === `/channels/${lessons}`).map((r) => r.status)).toEqual([403]);
  });
  it('a post refused for want of Send Messages (403, 50013) names that permission, not View Channel or Embed Links', async () => {
    const { db, guildId, lessons, mods, poster } = await setUp('Send Messages denied');
    // Discord answers 50001 for a channel the bot cannot see, and drops the embeds of one without Embed Links: a
    // message refused with 50013 in a text channel lacks Send Messages.
    discord.setChannelOverwrites(lessons, [deny('@bot', ['SendMessages'], 'member')]);
    const reason = 'I am missing a permission in that channel: give my role **Send Messages** there';
    expect(await poster.post((await findSchedule(db, guildId))!, '2026-05-02', 0)).toMatchObject({ status: 'failed', reason });
    expect(discord.requests.filter((r) => r.path === `/channels/${lessons}/messages`).map((r) => r.status)).toEqual([403]);
    expect(discord.channelMessages(mods).map((message) => message.content)).toEqual([expect.stringContaining(`in <#${lessons}>: ${reason}.`)]);
  });
});
