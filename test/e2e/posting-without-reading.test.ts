import { ChannelType, Events, type Client } from 'discord.js';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describePostFailure, discordChannels, type Channels } from '../../src/discord/channels.js';
import { createDiscordClient } from '../../src/discord/client.js';
import { keepPostingChannels } from '../../src/discord/posting-channels.js';
import { startDiscordStandIn, type DiscordStandIn, type StandInGuild } from '../support/discord-stand-in/index.js';

// A post in a channel this process holds no data for (its schedule written elsewhere, not read ahead yet: at a
// fan-out's minute) goes out without reading the channel first: one request, not two. The real discord.js client
// against the stand-in.
describe('posting in a channel the bot has not read', () => {
  let discord: DiscordStandIn;
  let client: Client;
  let channels: Channels;
  let served: StandInGuild;
  const ids = new Map<string, string>();

  beforeAll(async () => {
    discord = await startDiscordStandIn();
    const names = ['lessons', 'unread', 'threaded', 'deleted', 'denied', 'asked'];
    served = discord.addGuild({ name: 'served', channels: [...names.map((name) => ({ name })), { name: 'forum', type: ChannelType.GuildForum }] });
    for (const channel of served.channels) ids.set(channel.name, channel.id);
    client = createDiscordClient({ apiUrl: discord.apiUrl, logger: pino({ level: 'silent' }) });
    // Only the channel its schedules named at the start is kept from the server's GUILD_CREATE.
    keepPostingChannels(client, [ids.get('lessons')!]);
    const ready = new Promise((resolve) => client.once(Events.ClientReady, resolve));
    await client.login(discord.token);
    await ready;
    channels = discordChannels(client);
  });
  afterAll(async () => {
    await client?.destroy();
    await discord?.close();
  });

  const channelGets = (channelId: string) => discord.requests.filter((r) => r.method === 'GET' && r.path === `/channels/${channelId}`).length;
  const message = (content: string) => ({ content, allowedMentions: { parse: [] } });

  it('posts in it with one request, reads nothing, and keeps nothing of it', async () => {
    const unread = ids.get('unread')!;
    // Named as a channel posted in (the read ahead names every schedule's), and not read yet.
    keepPostingChannels(client, [unread]);
    expect(client.channels.cache.has(unread)).toBe(false);
    const channel = await channels.postable(unread, { guildId: served.id });
    const posted = await channel.send(message('today’s lesson'));
    expect(posted.id).toMatch(/^\d+$/u);
    expect(discord.channelMessages(unread).map((m) => m.content)).toEqual(['today’s lesson']);
    expect(discord.requests.filter((r) => r.path.startsWith(`/channels/${unread}`)).map((r) => `${r.method} ${r.route}`)).toEqual([
      'POST /channels/:channelId/messages',
    ]);
    expect(channelGets(unread)).toBe(0);
    // The read ahead reads it when no post waits (posting-channels-ahead.ts); this post keeps nothing, in no cache.
    expect(client.channels.cache.has(unread)).toBe(false);
    expect(client.guilds.cache.get(served.id)!.channels.cache.has(unread)).toBe(false);
  });

  it('opens the post’s discussion thread in it as well', async () => {
    const threaded = ids.get('threaded')!;
    const channel = await channels.postable(threaded, { guildId: served.id });
    const posted = await channel.send(message('a lesson to discuss'));
    const thread = await posted.startThread({ name: 'A lesson to discuss', autoArchiveDuration: 1440 });
    expect(thread.id).toMatch(/^\d+$/u);
    expect(discord.requests.some((r) => r.method === 'POST' && r.path === `/channels/${threaded}/messages/${posted.id}/threads`)).toBe(true);
    expect(channelGets(threaded)).toBe(0);
    // Taken as a text channel: nothing to publish to followers.
    expect(posted.crosspostable).toBe(false);
  });

  it('a channel deleted since is reported to moderators as no longer there, one request spent', async () => {
    const deleted = ids.get('deleted')!;
    discord.removeChannel(served.id, deleted);
    const channel = await channels.postable(deleted, { guildId: served.id });
    const failure = await channel.send(message('lost')).catch((error: unknown) => error);
    expect(describePostFailure(failure)).toEqual({ reason: 'the channel no longer exists', moderatorsCanFix: true });
    expect(discord.requests.filter((r) => r.path.startsWith(`/channels/${deleted}`)).length).toBe(1);
  });

  it('a channel the bot may not post in is reported as a missing permission', async () => {
    const denied = ids.get('denied')!;
    discord.denyChannel(denied);
    const channel = await channels.postable(denied, { guildId: served.id });
    const failure = await channel.send(message('refused')).catch((error: unknown) => error);
    expect(describePostFailure(failure)).toMatchObject({ moderatorsCanFix: true });
    expect(describePostFailure(failure).reason).toContain('missing a permission');
    expect(discord.channelMessages(denied)).toEqual([]);
  });

  it('a channel that takes no messages (a forum: only posts of its own) is reported as not a text channel', async () => {
    const forum = ids.get('forum')!;
    const channel = await channels.postable(forum, { guildId: served.id });
    const failure = await channel.send(message('not here')).catch((error: unknown) => error);
    expect(describePostFailure(failure)).toEqual({ reason: 'the channel is not a text channel I can post lessons in', moderatorsCanFix: true });
  });

  it('without its server (a caller that does not say, or a server this process does not hold) the channel is read first, as before', async () => {
    const asked = ids.get('asked')!;
    const channel = await channels.postable(asked, {});
    expect(channelGets(asked)).toBe(1);
    await channel.send(message('read first'));
    expect(discord.channelMessages(asked)).toHaveLength(1);
    // A server this process does not hold (another shard's): no channel is made up for it.
    const notHeld = discord.addGuild({ name: 'another shard’s', channels: [{ name: 'theirs' }] });
    await expect.poll(() => client.guilds.cache.has(notHeld.id)).toBe(true);
    client.guilds.cache.delete(notHeld.id);
    const theirs = notHeld.channels[0]!.id;
    await channels.postable(theirs, { guildId: notHeld.id }).catch(() => undefined);
    expect(channelGets(theirs)).toBe(1);
  });
});
