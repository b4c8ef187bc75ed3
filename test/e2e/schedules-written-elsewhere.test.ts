import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { upsertLesson } from '../../src/db/lessons.js';
import { saveSchedule } from '../../src/db/schedules.js';
import { createBotDatabase, startBotProcess, type BotDatabase, type BotProcess } from '../support/bot-process.js';
import { startDiscordStandIn, type DiscordStandIn, type StandInGuild } from '../support/discord-stand-in/index.js';
import { makeLesson } from '../support/lessons.js';
import { TICK_ENV } from '../support/schedule-scenarios.js';

const SERVERS = 5;

/*
 * Schedules written by SQL after the bot started (an operator, a tool, another process): the bot learns of them from
 * PostgreSQL's change notices and reads their channels then, not at the minute of their posts, where every read
 * would take one of the 50 requests a second the fan-out shares. PostgreSQL only: the embedded database is the
 * bot's alone, nothing else writes to it while the bot runs.
 */
describe.runIf(process.env.TEST_DATABASE_URL)('schedules written after the start, elsewhere', () => {
  let discord: DiscordStandIn;
  let database: BotDatabase;
  let bot: BotProcess;
  let guilds: StandInGuild[];

  beforeAll(async () => {
    discord = await startDiscordStandIn();
    guilds = Array.from({ length: SERVERS }, (_, index) => discord.addGuild({ name: `Later ${index}`, channels: [{ name: 'lessons' }, { name: 'chat' }] }));
    database = await createBotDatabase('postgres', { migrated: true });
    bot = await startBotProcess({ ...database.env, ...TICK_ENV, DISCORD_API_URL: discord.apiUrl });
  }, 120_000);

  afterAll(async () => {
    await bot?.stop();
    await discord?.close();
    await database?.dispose();
  });

  const channelGets = (channelId: string) => discord.requests.filter((r) => r.method === 'GET' && r.path === `/channels/${channelId}`).length;

  it('has each new schedule’s channel read once, soon after it is written, and its post then needs no read', async () => {
    const opened = await openDatabase({ url: database.env.DATABASE_URL, dataDir: 'unused' });
    const now = DateTime.utc();
    try {
      await upsertLesson(opened.db, makeLesson());
      // Due in two hours: nothing is posted meanwhile, so any read of these channels is a read ahead.
      for (const guild of guilds) {
        const input = { guildId: guild.id, channelId: guild.channels[0]!.id, postTime: now.plus({ hours: 2 }).toFormat('HH:mm'), timeZone: 'UTC', roleId: null, createThread: false };
        await saveSchedule(opened.db, input, now.toJSDate());
      }
      await expect.poll(() => guilds.map((guild) => channelGets(guild.channels[0]!.id)), { timeout: 15_000 }).toEqual(guilds.map(() => 1));
      expect(guilds.map((guild) => discord.channelMessages(guild.channels[0]!.id).length)).toEqual(guilds.map(() => 0));
      // Logged as read ahead (in one read of the list or more: the five writes are five notices).
      // (A round's line comes once its reads are answered: polled, since the stand-in records each read as it comes.)
      const readAhead = () => bot.logLines().filter((line) => line.msg === 'channels of schedules written elsewhere read ahead of their posts');
      await expect.poll(() => readAhead().reduce((sum, line) => sum + Number(line.read), 0)).toBe(SERVERS);
      // Channels the schedules do not name are still not read.
      expect(guilds.map((guild) => channelGets(guild.channels[1]!.id))).toEqual(guilds.map(() => 0));

      // Made due now (counting from yesterday): each post goes out with the channel as read ahead, no second read.
      for (const guild of guilds) {
        const input = { guildId: guild.id, channelId: guild.channels[0]!.id, postTime: now.toFormat('HH:mm'), timeZone: 'UTC', roleId: null, createThread: false };
        await saveSchedule(opened.db, input, now.minus({ days: 1 }).toJSDate());
      }
      await expect.poll(() => guilds.map((guild) => discord.channelMessages(guild.channels[0]!.id).length), { timeout: 30_000 }).toEqual(guilds.map(() => 1));
      expect(guilds.map((guild) => channelGets(guild.channels[0]!.id))).toEqual(guilds.map(() => 1));
    } finally {
      await opened.close();
    }
  }, 90_000);

  it('posts in a channel written moments before its minute without reading it first: a read that cannot be done holds nothing up', async () => {
    // Discord cannot show this server's channel (every read fails): neither the read ahead nor the post can read it.
    const late = discord.addGuild({ name: 'Written at the last minute', channels: [{ name: 'lessons' }] });
    const channelId = late.channels[0]!.id;
    discord.failNext({ method: 'GET', path: `/channels/${channelId}` }, { status: 503 }, 1_000);
    // Its GUILD_CREATE reaches the bot at once; a moment for the bot to take it in before the schedule exists.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const opened = await openDatabase({ url: database.env.DATABASE_URL, dataDir: 'unused' });
    try {
      await upsertLesson(opened.db, makeLesson());
      const now = DateTime.utc();
      // Due now (counting from yesterday), as a schedule written seconds before its minute is at the minute.
      const input = { guildId: late.id, channelId, postTime: now.toFormat('HH:mm'), timeZone: 'UTC', roleId: null, createThread: true };
      await saveSchedule(opened.db, input, now.minus({ days: 1 }).toJSDate());
      await expect.poll(() => discord.channelMessages(channelId).length, { timeout: 20_000 }).toBe(1);
      // Posted, its discussion thread opened, with no answered read of the channel.
      const threadOpened = () => discord.requests.some((r) => r.method === 'POST' && r.path.startsWith(`/channels/${channelId}/messages/`) && r.path.endsWith('/threads') && r.status < 300);
      await expect.poll(threadOpened).toBe(true);
      expect(bot.logLines().filter((line) => line.msg === 'could not open a discussion thread')).toEqual([]);
      expect(discord.requests.filter((r) => r.method === 'GET' && r.path === `/channels/${channelId}` && r.status === 200)).toEqual([]);
    } finally {
      await opened.close();
    }
  }, 60_000);
});
