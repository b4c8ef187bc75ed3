import { ChannelType, Events, PermissionFlagsBits, type Client, type Guild, type Interaction, type TextChannel } from 'discord.js';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscordClient } from '../../src/discord/client.js';
import { keepModeratorRoles } from '../../src/discord/kept-roles.js';
import { requireModerator } from '../../src/discord/permissions.js';
import { fetchPostingChannel, keepPostingChannels } from '../../src/discord/posting-channels.js';
import { UserError } from '../../src/user-error.js';
import { deny, startDiscordStandIn, type DiscordStandIn, type MemberInit } from '../support/discord-stand-in/index.js';

// What the real discord.js client keeps of two servers the stand-in sends: what the bot needs, and nothing else.
describe('discord.js caches of the bot, with the real client', () => {
  let discord: DiscordStandIn;
  let client: Client;
  let first: Guild;
  let second: Guild;
  let quiet: Guild;
  /** Channel and role ids by name; the bot posts in `lessons` (server A), `general` (B) and `hush` (C). */
  const ids = new Map<string, string>();

  beforeAll(async () => {
    discord = await startDiscordStandIn();
    const a = discord.addGuild({
      name: 'A',
      botPermissions: ['ViewChannel', 'SendMessages', 'EmbedLinks'],
      roles: [{ name: 'learners' }, { name: 'moderators' }, { name: 'japanese', permissions: ['SendMessages'] }],
      channels: [{ name: 'lessons' }, { name: 'chat' }, { name: 'news' }],
    });
    const b = discord.addGuild({ name: 'B', botPermissions: ['ViewChannel', 'SendMessages'], channels: [{ name: 'general' }] });
    // @everyone may not speak here: the bot may once it is given a role that may.
    const c = discord.addGuild({ name: 'C', everyonePermissions: ['ViewChannel'], botPermissions: ['ViewChannel', 'EmbedLinks'], roles: [{ name: 'cheerleaders' }], channels: [{ name: 'hush' }] });
    for (const item of [...a.channels, ...b.channels, ...c.channels, ...a.roles, ...c.roles]) ids.set(item.name, item.id);
    client = createDiscordClient({ apiUrl: discord.apiUrl, logger: pino({ level: 'silent' }) });
    // As main.ts does before it connects: the channels of the servers' schedules, their moderator roles.
    keepPostingChannels(client, [ids.get('lessons')!, ids.get('general')!, ids.get('hush')!]);
    keepModeratorRoles(client, [ids.get('moderators')!]);
    const ready = new Promise((resolve) => client.once(Events.ClientReady, resolve));
    await client.login(discord.token);
    await ready;
    first = client.guilds.cache.get(a.id)!;
    second = client.guilds.cache.get(b.id)!;
    quiet = client.guilds.cache.get(c.id)!;
  });
  afterAll(async () => {
    await client?.destroy();
    await discord?.close();
  });

  const textChannels = (guild: Guild) => [...guild.channels.cache.values()].filter((c): c is TextChannel => c.type === ChannelType.GuildText);

  const channelGets = (channelId: string) => discord.requests.filter((r) => r.method === 'GET' && r.path === `/channels/${channelId}`).length;

  it('keeps every server, its own member, and of its channels only those it posts in, so posts are checked without a request', () => {
    expect(first.name).toBe('A');
    expect(textChannels(first).map((c) => c.name)).toEqual(['lessons']);
    expect(textChannels(second).map((c) => c.name)).toEqual(['general']);
    expect([...client.channels.cache.keys()].sort()).toEqual([ids.get('lessons'), ids.get('general'), ids.get('hush')].sort());
    const me = first.members.me;
    expect(me?.id).toBe(client.user?.id);
    const lessons = textChannels(first)[0]!;
    expect(lessons.permissionsFor(me!)?.has(PermissionFlagsBits.SendMessages)).toBe(true);
    expect(lessons.permissionsFor(me!)?.has(PermissionFlagsBits.ManageMessages)).toBe(false);
    expect(channelGets(lessons.id)).toBe(0);
  });

  it('keeps each server\'s @everyone, the roles the bot holds and the moderator role, and no other role', () => {
    const names = (guild: Guild) => guild.roles.cache.map((role) => (role.tags?.botId === client.user?.id ? 'the bot\'s' : role.name)).sort();
    expect(names(first)).toEqual(['@everyone', 'moderators', 'the bot\'s']);
    expect(names(second)).toEqual(['@everyone', 'the bot\'s']);
    expect(first.roles.everyone.name).toBe('@everyone');
    expect(first.members.me?.roles.cache.map((role) => role.name).sort()).toEqual(['@everyone', client.user?.username].sort());
  });

  it('keeps every role of a server whose GUILD_CREATE does not name the bot\'s roles: nothing to go by', async () => {
    const guildId = '990000000000000001';
    const learners = '990000000000000002';
    const apiRole = (id: string, name: string) => ({ id, name, color: 0, hoist: false, icon: null, unicode_emoji: null, position: 0, permissions: '0', managed: false, mentionable: false, flags: 0 });
    discord.dispatchRaw('GUILD_CREATE', {
      id: guildId,
      name: 'No member list',
      owner_id: '100000000000000002',
      roles: [apiRole(guildId, '@everyone'), apiRole(learners, 'learners')],
      channels: [],
      emojis: [],
      stickers: [],
      features: [],
      unavailable: false,
    });
    await expect.poll(() => client.guilds.cache.get(guildId)?.name).toBe('No member list');
    expect(client.guilds.cache.get(guildId)?.roles.cache.map((role) => role.name).sort()).toEqual(['@everyone', 'learners']);
  });

  it('a role given to the bot later is read once and counts in its permissions; a role it is not given is not kept', async () => {
    const hush = client.channels.cache.get(ids.get('hush')!) as TextChannel;
    const me = () => quiet.members.me!;
    expect(hush.permissionsFor(me())?.has(PermissionFlagsBits.SendMessages)).toBe(false);
    const speakers = discord.addRole(quiet.id, { name: 'speakers', permissions: ['SendMessages'] });
    const botRole = quiet.roles.cache.find((role) => role.tags?.botId === client.user?.id)!;
    const roleReads = () => discord.requests.filter((r) => r.method === 'GET' && r.path === `/guilds/${quiet.id}/roles`).length;
    expect(roleReads()).toBe(0);
    discord.setBotRoles(quiet.id, [botRole.id, speakers.id]);
    await expect.poll(() => hush.permissionsFor(me())?.has(PermissionFlagsBits.SendMessages)).toBe(true);
    expect(quiet.roles.cache.has(speakers.id)).toBe(true);
    expect(quiet.roles.cache.has(ids.get('cheerleaders')!)).toBe(false);
    expect(roleReads()).toBe(1);
    // Taken away again: the bot's member says so at once, without a read.
    discord.setBotRoles(quiet.id, [botRole.id]);
    await expect.poll(() => hush.permissionsFor(me())?.has(PermissionFlagsBits.SendMessages)).toBe(false);
    expect(roleReads()).toBe(1);
  });

  it('a moderator role named elsewhere since the start (SQL) is read once, and members holding it pass the moderator check', async () => {
    // A server of its own, joined now, with a role no one named to this process.
    const d = discord.addGuild({ name: 'D', roles: [{ name: 'teachers' }], channels: [{ name: 'desk' }] });
    await expect.poll(() => client.guilds.cache.has(d.id)).toBe(true);
    const school = client.guilds.cache.get(d.id)!;
    const teachers = d.roles.find((role) => role.name === 'teachers')!.id;
    expect(school.roles.cache.has(teachers)).toBe(false);
    const roleReads = () => discord.requests.filter((r) => r.method === 'GET' && r.path === `/guilds/${d.id}/roles`).length;
    const before = roleReads();
    /** A command from a member without Manage Server, as discord.js builds it. */
    const commandFrom = async (userId: string, member: MemberInit) => {
      const arrived = new Promise<Interaction>((resolve) => client.once(Events.InteractionCreate, resolve));
      discord.sendCommand({ guildId: d.id, name: 'schedule', subcommand: 'show', user: { id: userId, username: `member-${userId}` }, member: { permissions: ['ViewChannel', 'SendMessages'], ...member } });
      return arrived;
    };
    const teacher = await commandFrom('200000000000000701', { roles: [teachers] });
    const another = await commandFrom('200000000000000702', { roles: [teachers] });
    const plain = await commandFrom('200000000000000703', { roles: [] });
    // The database names the role (as the bot reads it for every check); the cache did not hold it.
    const named = async () => teachers;
    const [one, two] = await Promise.all([requireModerator(teacher, named), requireModerator(another, named)]);
    expect([one, two]).toEqual([d.id, d.id]);
    expect(school.roles.cache.has(teachers)).toBe(true);
    await expect(requireModerator(plain, named)).rejects.toThrow(UserError);
    expect(await requireModerator(teacher, named)).toBe(d.id);
    expect(roleReads() - before).toBe(1);
    // A role Discord no longer has: read once, refused, not read again at the next check.
    const deleted = async () => '990000000000000999';
    await expect(requireModerator(teacher, deleted)).rejects.toThrow(UserError);
    await expect(requireModerator(teacher, deleted)).rejects.toThrow(UserError);
    expect(roleReads() - before).toBe(2);
  });

  it('fetches a channel named later once, with its overwrites, and keeps it from then on', async () => {
    const news = ids.get('news')!;
    discord.setChannelOverwrites(news, [deny('@bot', ['SendMessages'])]);
    expect(client.channels.cache.has(news)).toBe(false);
    const fetched = (await fetchPostingChannel(client, news)) as TextChannel;
    expect(fetched.name).toBe('news');
    expect(fetched.permissionsFor(first.members.me!)?.has(PermissionFlagsBits.SendMessages)).toBe(false);
    expect(client.channels.cache.get(news)).toBe(fetched);
    expect(first.channels.cache.get(news)).toBe(fetched);
    expect(await fetchPostingChannel(client, news)).toBe(fetched);
    expect(channelGets(news)).toBe(1);
  });

  it('follows a kept channel\'s permission changes (CHANNEL_UPDATE), and does not start keeping one it does not post in', async () => {
    const lessons = client.channels.cache.get(ids.get('lessons')!) as TextChannel;
    const chat = ids.get('chat')!;
    const updated = new Promise((resolve) => client.once(Events.ChannelUpdate, resolve));
    discord.setChannelOverwrites(lessons.id, [deny('@bot', ['EmbedLinks'])]);
    await updated;
    expect(lessons.permissionsFor(first.members.me!)?.has(PermissionFlagsBits.EmbedLinks)).toBe(false);
    // CHANNEL_UPDATE of a channel it does not keep: discord.js builds it and drops it (the next update, of a kept
    // channel, arrives on the same socket after it).
    discord.setChannelOverwrites(chat, [deny('@everyone', ['SendMessages'])]);
    discord.setChannelOverwrites(lessons.id, []);
    await expect.poll(() => lessons.permissionsFor(first.members.me!)?.has(PermissionFlagsBits.EmbedLinks)).toBe(true);
    expect(client.channels.cache.has(chat)).toBe(false);
    expect(first.channels.cache.has(chat)).toBe(false);
  });

  it('keeps none of the messages it sends', async () => {
    const channel = client.channels.cache.get(ids.get('general')!) as TextChannel;
    const sent = await channel.send({ content: 'hello' });
    expect(sent.content).toBe('hello');
    expect(channel.messages.cache.size).toBe(0);
    expect(channel.messages.cache.get(sent.id)).toBeUndefined();
  });

  it('gives every manager limited to nothing one shared empty collection, which stays empty', () => {
    const lessons = client.channels.cache.get(ids.get('lessons')!) as TextChannel;
    const general = client.channels.cache.get(ids.get('general')!) as TextChannel;
    // Messages and threads of every channel; emojis, stickers, voice states and sounds of every server: one object.
    const shared = lessons.messages.cache;
    expect(general.messages.cache).toBe(shared);
    expect(lessons.threads.cache).toBe(shared);
    expect(first.emojis.cache).toBe(shared);
    expect(second.stickers.cache).toBe(shared);
    expect(second.voiceStates.cache).toBe(shared);
    // One that discord.js's typed settings do not list: the soundboard sounds GUILD_CREATE sends.
    expect(first.soundboardSounds.cache).toBe(shared);
    shared.set('1', {} as never);
    expect(shared.size).toBe(0);
  });

  it('does not share what it keeps: channels, roles and members are each server\'s own', () => {
    expect(first.channels.cache).not.toBe(second.channels.cache);
    expect(first.roles.cache).not.toBe(second.roles.cache);
    expect(first.members.cache).not.toBe(second.members.cache);
    expect(first.members.cache.size).toBe(1);
    expect(second.members.me?.id).toBe(client.user?.id);
  });
});
