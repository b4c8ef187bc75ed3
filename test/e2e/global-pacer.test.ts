import { Routes, type Client } from 'discord.js';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, createDiscordClient } from '../../src/discord/client.js';
import { GLOBAL_PACER_WINDOW_MS, InteractionAwareRest } from '../../src/discord/interaction-rest.js';
import { startDiscordStandIn, type DiscordStandIn } from '../support/discord-stand-in/index.js';

const silent = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The bot's REST manager against a stand-in enforcing Discord's 50 requests/s on bot-token routes, with a burst
 * across the edge of discord.js's one-second window: one post opens the window, 99 more come just before it ends.
 * discord.js's own counter (now off: the pacer replaces it) let 49 go at the end of that window and 50 at the start
 * of the next, ~100 within milliseconds, which any reading of "50 per second" refuses (tried by hand with the pacer
 * taken out: 49 × 429 at the stand-in).
 */
describe('the global pacer: bot-token requests and Discord’s global limit (stand-in enforcing 50/s)', () => {
  let discord: DiscordStandIn | undefined;
  let client: Client | undefined;
  afterEach(async () => {
    await client?.destroy();
    await discord?.close();
  });

  /** The bot's REST manager, connected to a stand-in allowing `limitPerSecond` with one guild of `channelCount` channels. */
  async function botWithChannels(
    limitPerSecond: number,
    channelCount: number,
  ): Promise<{ standIn: DiscordStandIn; rest: InteractionAwareRest; channels: string[] }> {
    const standIn = await startDiscordStandIn({ globalRateLimitPerSecond: limitPerSecond });
    discord = standIn;
    const guild = standIn.addGuild({ channels: Array.from({ length: channelCount }, (_, n) => ({ name: `news-${n}` })) });
    client = createDiscordClient({ apiUrl: standIn.apiUrl, logger: silent });
    await connect(client, standIn.token, silent);
    // The start-up requests' windows are over.
    await sleep(GLOBAL_PACER_WINDOW_MS + 200);
    return { standIn, rest: client.rest as InteractionAwareRest, channels: guild.channels.map((channel) => channel.id) };
  }

  const post = (rest: InteractionAwareRest, channelId: string, n: number) =>
    rest.post(Routes.channelMessages(channelId), { body: { content: `post ${n}` } });

  it('a burst across discord.js’s window edge reaches Discord without a 429, every post once', async () => {
    const { standIn, rest, channels } = await botWithChannels(50, 100);
    expect(rest).toBeInstanceOf(InteractionAwareRest);

    const held: number[] = [];
    rest.on('rateLimited', (info) => {
      if (info.route === 'global pacer') held.push(info.timeToReset);
    });
    // One post opens discord.js's window (and the stand-in's)…
    await post(rest, channels[0]!, 0);
    // …and 99 come shortly before discord.js's window ends (one route each: only the global limit holds them).
    while (Date.now() < rest.globalReset - 15) await new Promise((resolve) => setImmediate(resolve));
    const burst = channels.slice(1).map((channelId, n) => post(rest, channelId, n + 1));
    await Promise.all(burst);

    const posts = standIn.requests.filter((r) => r.method === 'POST' && r.route === '/channels/:channelId/messages');
    expect(posts.filter((r) => r.status === 429)).toEqual([]);
    expect(standIn.globalRateLimited).toBe(0);
    for (const channelId of channels) expect(standIn.channelMessages(channelId)).toHaveLength(1);
    expect(rest.pacer.waiting).toBe(0);
    // The pacer held the second half of the burst (told as discord.js's own waits: debug log, rate-limit metrics).
    expect(held.length).toBeGreaterThan(0);
  }, 60_000);

  it('the pacer is the only global limiter: 150 posts at once are held by it, never by discord.js’s own window', async () => {
    const { standIn, rest, channels } = await botWithChannels(50, 150);

    const pacerWaits: number[] = [];
    const discordJsGlobalWaits: string[] = [];
    rest.on('rateLimited', (info) => {
      if (info.route === 'global pacer') pacerWaits.push(info.timeToReset);
      else if (info.global) discordJsGlobalWaits.push(info.route);
    });
    await Promise.all(channels.map((channelId, n) => post(rest, channelId, n)));

    // discord.js's fixed windows reopen 50 ms after each second (its `offset`): had they counted too, each round of
    // 50 would have waited for them as well as for the pacer.
    expect(discordJsGlobalWaits).toEqual([]);
    expect(pacerWaits.length).toBeGreaterThanOrEqual(100);
    expect(standIn.globalRateLimited).toBe(0);
    for (const channelId of channels) expect(standIn.channelMessages(channelId)).toHaveLength(1);
  }, 60_000);

  it('a channel read asked while 150 posts wait for the global limit goes in the next free place, not after them', async () => {
    const { standIn, rest, channels } = await botWithChannels(50, 150);
    const posts = channels.map((channelId, n) => post(rest, channelId, n));
    // The first 50 posts have the window; the other 100 wait at the pacer when the read is asked.
    while (rest.pacer.waiting < 100) await sleep(5);
    const read = rest.get(Routes.channel(channels[0]!));
    await Promise.all([...posts, read]);

    const order = standIn.requests.filter((r) => r.route === '/channels/:channelId/messages' || r.route === '/channels/:channelId');
    const readAt = order.findIndex((r) => r.method === 'GET' && r.route === '/channels/:channelId');
    // Behind every post it would be the 151st; ahead of the waiting ones it is in the second window's first places.
    expect(readAt).toBeGreaterThanOrEqual(50);
    expect(readAt).toBeLessThan(60);
    expect(standIn.globalRateLimited).toBe(0);
    for (const channelId of channels) expect(standIn.channelMessages(channelId)).toHaveLength(1);
  }, 60_000);

  it('a global 429 from Discord still holds every bot-token request for its retry-after, and each post lands once', async () => {
    // Discord lower than the pacer's 50: its 429s, not the pacer, hold the posts here.
    const { standIn, rest, channels } = await botWithChannels(10, 30);

    const discordJsGlobalWaits: number[] = [];
    rest.on('rateLimited', (info) => {
      if (info.global && info.route !== 'global pacer') discordJsGlobalWaits.push(info.timeToReset);
    });
    await Promise.all(channels.map((channelId, n) => post(rest, channelId, n)));

    expect(standIn.globalRateLimited).toBeGreaterThan(0);
    // discord.js waited out Discord's retry-after before sending again (its counter of 50/s is off, its 429 handling is not).
    expect(discordJsGlobalWaits.length).toBeGreaterThan(0);
    expect(Math.max(...discordJsGlobalWaits)).toBeGreaterThan(0);
    for (const channelId of channels) expect(standIn.channelMessages(channelId)).toHaveLength(1);
  }, 60_000);

  it('interaction answers do not pass the pacer: its window holds bot-token requests only', async () => {
    discord = await startDiscordStandIn({ globalRateLimitPerSecond: 50 });
    discord.addGuild();
    client = createDiscordClient({ apiUrl: discord.apiUrl, logger: silent });
    const rest = client.rest as InteractionAwareRest;
    client.on('interactionCreate', async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      await interaction.deferReply();
      await interaction.editReply({ content: 'done' });
      await interaction.followUp({ content: 'and more' });
    });
    await connect(client, discord.token, silent);
    await sleep(GLOBAL_PACER_WINDOW_MS + 200);
    expect(rest.pacer.inWindow).toBe(0);
    const answers = Array.from({ length: 20 }, () => discord!.sendCommand({ name: 'lesson', subcommand: 'today' }));
    await Promise.all(answers.map((answer) => answer.waitForFinal(30_000)));
    await sleep(200); // the follow-ups, after the edits
    const interactionRequests = discord.requests.filter((r) => r.route?.startsWith('/interactions/') || r.route?.startsWith('/webhooks/'));
    expect(interactionRequests.length).toBeGreaterThanOrEqual(60);
    expect(rest.pacer.inWindow).toBe(0);
  }, 60_000);
});
