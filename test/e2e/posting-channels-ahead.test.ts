import { Events, type Client } from 'discord.js';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDiscordClient } from '../../src/discord/client.js';
import type { InteractionAwareRest } from '../../src/discord/interaction-rest.js';
import type { PacerTicket } from '../../src/discord/global-pacer.js';
import { followPostingChannels, type PostingChannelRow, type PostingChannelsAhead } from '../../src/discord/posting-channels-ahead.js';
import { keepPostingChannels } from '../../src/discord/posting-channels.js';
import { startDiscordStandIn, type DiscordStandIn, type StandInGuild } from '../support/discord-stand-in/index.js';

// The channels of schedules written where the bot did not see it (SQL, another process), read ahead of their posts
// by the real discord.js client against the stand-in.
describe('channels of schedules written elsewhere, read ahead', () => {
  let discord: DiscordStandIn;
  let client: Client;
  let served: StandInGuild;
  let other: StandInGuild;
  let outage: StandInGuild;
  /** Channel ids by name: the bot posts in `lessons` from the start; `news`, `quiz` and `gone` are named later. */
  const ids = new Map<string, string>();
  const following: PostingChannelsAhead[] = [];

  beforeAll(async () => {
    discord = await startDiscordStandIn();
    served = discord.addGuild({ name: 'served', channels: [{ name: 'lessons' }, { name: 'news' }, { name: 'quiz' }, { name: 'gone' }, { name: 'flaky' }, { name: 'held' }, { name: 'half' }, { name: 'minute' }, { name: 'posting' }] });
    other = discord.addGuild({ name: 'not this process’s', channels: [{ name: 'elsewhere' }] });
    outage = discord.addGuild({ name: 'in an outage', channels: [{ name: 'dark' }] });
    for (const channel of [...served.channels, ...other.channels, ...outage.channels]) ids.set(channel.name, channel.id);
    client = createDiscordClient({ apiUrl: discord.apiUrl, logger: pino({ level: 'silent' }) });
    keepPostingChannels(client, [ids.get('lessons')!]);
    const ready = new Promise((resolve) => client.once(Events.ClientReady, resolve));
    await client.login(discord.token);
    await ready;
    // A server discord.js does not hold (another shard's): its channels are not this process's to read.
    client.guilds.cache.delete(other.id);
    // A server Discord reports unavailable (an outage): its GUILD_CREATE brings its channels when it is back.
    Object.assign(client.guilds.cache.get(outage.id)!, { available: false });
  });
  afterEach(() => {
    for (const follower of following.splice(0)) follower.stop();
  });
  afterAll(async () => {
    await client?.destroy();
    await discord?.close();
  });

  const channelGets = (channelId: string) => discord.requests.filter((r) => r.method === 'GET' && r.path === `/channels/${channelId}`).length;
  const row = (guild: StandInGuild, name: string): PostingChannelRow => ({ guildId: guild.id, channelId: ids.get(name)! });

  /** Half a minute before the next one, whatever the real time: no test's read is held for a coming minute unless it says. */
  const midMinute = () => 30_000;

  /** A follower of `rows`, started (as main.ts starts it once connected); what it logs goes to `lines` when given. */
  function follow(
    rows: () => readonly PostingChannelRow[],
    minIntervalMs = 0,
    lines?: Record<string, unknown>[],
    options: { start?: boolean; now?: () => number; postsUnderWay?: () => boolean } = {},
  ) {
    const reads: number[] = [];
    const logger = lines
      ? pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) })
      : pino({ level: 'silent' });
    const follower = followPostingChannels({
      client,
      postingChannels: async () => {
        reads.push(Date.now());
        return rows();
      },
      logger,
      minIntervalMs,
      now: options.now ?? midMinute,
      ...(options.postsUnderWay ? { postsUnderWay: options.postsUnderWay } : {}),
    });
    following.push(follower);
    if (options.start ?? true) follower.start();
    return { follower, reads };
  }

  it('reads a channel named since the start once, keeps it, and asks nothing for the channels it holds or for other or unavailable servers’', async () => {
    const { follower } = follow(() => [row(served, 'lessons'), row(other, 'elsewhere'), row(outage, 'dark'), row(served, 'news')]);
    expect(client.channels.cache.has(ids.get('news')!)).toBe(false);
    follower.changed();
    await expect.poll(() => client.channels.cache.has(ids.get('news')!)).toBe(true);
    expect(channelGets(ids.get('news')!)).toBe(1);
    expect(channelGets(ids.get('lessons')!)).toBe(0);
    expect(channelGets(ids.get('elsewhere')!)).toBe(0);
    expect(channelGets(ids.get('dark')!)).toBe(0);
    // Another notice: the list is read again, and nothing is asked of Discord.
    follower.changed();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(channelGets(ids.get('news')!)).toBe(1);
  });

  it('asks once for a channel Discord no longer has, and not again at the next notices', async () => {
    discord.removeChannel(served.id, ids.get('gone')!);
    const { follower, reads } = follow(() => [row(served, 'gone')]);
    follower.changed();
    await expect.poll(() => channelGets(ids.get('gone')!)).toBe(1);
    follower.changed();
    await expect.poll(() => reads.length).toBe(2);
    follower.changed();
    await expect.poll(() => reads.length).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(channelGets(ids.get('gone')!)).toBe(1);
    expect(client.channels.cache.has(ids.get('gone')!)).toBe(false);
  });

  it('asks again at a later notice for a channel Discord could not answer for (a 5xx)', async () => {
    const flaky = ids.get('flaky')!;
    // Discord down for that channel: every attempt fails (discord.js tries a 5xx again a few times itself).
    discord.failNext({ method: 'GET', path: `/channels/${flaky}` }, { status: 503 }, 100);
    const lines: Record<string, unknown>[] = [];
    const { follower } = follow(() => [row(served, 'flaky')], 0, lines);
    const readAhead = () => lines.filter((line) => line.msg === 'channels of schedules written elsewhere read ahead of their posts');
    follower.changed();
    await expect.poll(() => readAhead().length, { timeout: 15_000 }).toBe(1);
    expect(readAhead()[0]).toMatchObject({ read: 0, notRead: 1 });
    expect(client.channels.cache.has(flaky)).toBe(false);
    // Discord answers again: the next notice reads it.
    discord.clearRecords();
    follower.changed();
    await expect.poll(() => client.channels.cache.has(flaky), { timeout: 10_000 }).toBe(true);
    expect(readAhead()[1]).toMatchObject({ read: 1, notRead: 0 });
  }, 30_000);

  it('reads the list at most once an interval however many notices come (every post writes its schedule)', async () => {
    const { follower, reads } = follow(() => [row(served, 'quiz')], 300);
    for (let notice = 0; notice < 50; notice += 1) follower.changed();
    await expect.poll(() => client.channels.cache.has(ids.get('quiz')!)).toBe(true);
    for (let notice = 0; notice < 50; notice += 1) follower.changed();
    await expect.poll(() => reads.length, { timeout: 2_000 }).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 500));
    // The first notice's read, then one for all the notices that came while it ran or within its interval.
    expect(reads.length).toBe(2);
    expect(reads[1]! - reads[0]!).toBeGreaterThanOrEqual(290);
    expect(channelGets(ids.get('quiz')!)).toBe(1);
  });

  it('reads nothing before it is started; started, reads once if a notice came meanwhile, and nothing if none did', async () => {
    const quiet = follow(() => [row(served, 'lessons')], 0, undefined, { start: false });
    const noticed = follow(() => [row(served, 'lessons')], 0, undefined, { start: false });
    noticed.follower.changed();
    noticed.follower.changed();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect([quiet.reads.length, noticed.reads.length]).toEqual([0, 0]);
    quiet.follower.start();
    noticed.follower.start();
    await expect.poll(() => noticed.reads.length).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect([quiet.reads.length, noticed.reads.length]).toEqual([0, 1]);
  });

  it('after stop, a notice reads nothing', async () => {
    const { follower, reads } = follow(() => [row(served, 'lessons')]);
    follower.stop();
    follower.changed();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(reads).toEqual([]);
  });

  it('holds its reads while requests of the bot wait for their place in the global limit (a fan-out’s posts), and reads once none waits', async () => {
    const pacer = (client.rest as InteractionAwareRest).pacer;
    // The window full of places taken (admitted, not written) and a post waiting behind them, as in a fan-out.
    const taken: PacerTicket[] = [];
    for (let place = 0; place < pacer.limit; place += 1) taken.push(await pacer.acquire());
    const post = pacer.acquire();
    expect(pacer.waiting).toBe(1);
    const { follower, reads } = follow(() => [row(served, 'held')]);
    follower.changed();
    await expect.poll(() => reads.length).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 400));
    // A place comes free: the waiting post takes it. (A read asked meanwhile would have gone first: reads go ahead.)
    taken.shift()!.settled();
    const first = await Promise.race([post.then(() => 'the post'), new Promise((resolve) => setTimeout(() => resolve('nothing yet'), 500))]);
    expect(first).toBe('the post');
    expect(channelGets(ids.get('held')!)).toBe(0);
    // Nothing waits any more: the channel is read as soon as a place is free.
    for (const ticket of taken) ticket.settled();
    (await post).settled();
    await expect.poll(() => client.channels.cache.has(ids.get('held')!)).toBe(true);
    expect(channelGets(ids.get('held')!)).toBe(1);
  });

  it('holds its reads while over half the window’s places are taken though none waits (a fan-out between its posts), and reads once they are free', async () => {
    const pacer = (client.rest as InteractionAwareRest).pacer;
    const taken: PacerTicket[] = [];
    for (let place = 0; place < pacer.limit / 2; place += 1) taken.push(await pacer.acquire());
    expect(pacer.waiting).toBe(0);
    const { follower, reads } = follow(() => [row(served, 'half')]);
    follower.changed();
    await expect.poll(() => reads.length).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(channelGets(ids.get('half')!)).toBe(0);
    for (const ticket of taken) ticket.settled();
    await expect.poll(() => client.channels.cache.has(ids.get('half')!)).toBe(true);
    expect(channelGets(ids.get('half')!)).toBe(1);
  });

  it('holds its reads in the second before a minute and the two seconds after it begins (when posts fall due and start), and reads after', async () => {
    let now = 59_200;
    const { follower, reads } = follow(() => [row(served, 'minute')], 0, undefined, { now: () => now });
    follower.changed();
    await expect.poll(() => reads.length).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(channelGets(ids.get('minute')!)).toBe(0);
    // The minute's first posts are admitted without waiting and under half the window: a read would take one's place.
    now = 60_050;
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(channelGets(ids.get('minute')!)).toBe(0);
    now = 62_100;
    await expect.poll(() => client.channels.cache.has(ids.get('minute')!)).toBe(true);
    expect(channelGets(ids.get('minute')!)).toBe(1);
  });

  it('holds its reads while this process’s posts are under way, the global limit free or not, and reads once they are done', async () => {
    let posting = true;
    const { follower, reads } = follow(() => [row(served, 'posting')], 0, undefined, { postsUnderWay: () => posting });
    follower.changed();
    await expect.poll(() => reads.length).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(channelGets(ids.get('posting')!)).toBe(0);
    posting = false;
    await expect.poll(() => client.channels.cache.has(ids.get('posting')!)).toBe(true);
    expect(channelGets(ids.get('posting')!)).toBe(1);
  });
});
