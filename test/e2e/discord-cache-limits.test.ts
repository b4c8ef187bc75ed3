import { ChannelType, Events, PermissionFlagsBits, type Client, type Guild, type TextChannel } from 'discord.js';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscordClient } from '../../src/discord/client.js';
import { startDiscordStandIn, type DiscordStandIn } from '../support/discord-stand-in/index.js';

// What the real discord.js client keeps of two servers the stand-in sends: what the bot needs, and nothing else.
describe('discord.js caches of the bot, with the real client', () => {
  let discord: DiscordStandIn;
  let client: Client;
  let first: Guild;
  let second: Guild;

  beforeAll(async () => {
    discord = await startDiscordStandIn();
    const a = discord.addGuild({
      name: 'A',
      botPermissions: ['ViewChannel', 'SendMessages', 'EmbedLinks'],
      roles: [{ name: 'learners' }],
      channels: [{ name: 'lessons' }, { name: 'chat' }, { name: 'news' }],
    });
    const b = discord.addGuild({ name: 'B', botPermissions: ['ViewChannel', 'SendMessages'], channels: [{ name: 'general' }] });
    client = createDiscordClient({ apiUrl: discord.apiUrl, logger: pino({ level: 'silent' }) });
    const ready = new Promise((resolve) => client.once(Events.ClientReady, resolve));
    await client.login(discord.token);
    await ready;
    first = client.guilds.cache.get(a.id)!;
    second = client.guilds.cache.get(b.id)!;
  });
  afterAll(async () => {
    await client?.destroy();
    await discord?.close();
  });

  const textChannels = (guild: Guild) => [...guild.channels.cache.values()].filter((c): c is TextChannel => c.type === ChannelType.GuildText);

  it('keeps every server, its channels and roles, and its own member, so permissions can be checked before posting', () => {
    expect(first.name).toBe('A');
    expect(textChannels(first).map((c) => c.name).sort()).toEqual(['chat', 'lessons', 'news']);
    expect(first.roles.cache.map((role) => role.name)).toContain('learners');
    const me = first.members.me;
    expect(me?.id).toBe(client.user?.id);
    const lessons = textChannels(first).find((c) => c.name === 'lessons')!;
    expect(lessons.permissionsFor(me!)?.has(PermissionFlagsBits.SendMessages)).toBe(true);
    expect(lessons.permissionsFor(me!)?.has(PermissionFlagsBits.ManageMessages)).toBe(false);
  });

  it('keeps none of the messages it sends', async () => {
    const channel = textChannels(second)[0]!;
    const sent = await channel.send({ content: 'hello' });
    expect(sent.content).toBe('hello');
    expect(channel.messages.cache.size).toBe(0);
    expect(channel.messages.cache.get(sent.id)).toBeUndefined();
  });

  it('gives every manager limited to nothing one shared empty collection, which stays empty', () => {
    const [lessons, chat] = textChannels(first);
    const general = textChannels(second)[0]!;
    // Messages and threads of every channel; emojis, stickers, voice states and sounds of every server: one object.
    const shared = lessons!.messages.cache;
    expect(chat!.messages.cache).toBe(shared);
    expect(general.messages.cache).toBe(shared);
    expect(lessons!.threads.cache).toBe(shared);
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
