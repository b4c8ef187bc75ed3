import { setTimeout as sleep } from 'node:timers/promises';
import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  ChannelType,
  Client,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  MessageFlags,
  type Interaction,
  type TextChannel,
} from 'discord.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  deny,
  startDiscordStandIn,
  textChannel,
  type DiscordStandIn,
  type IdentifyRecord,
  type StandInGuild,
} from '../support/discord-stand-in/index.js';

/** A discord.js client logged in to the stand-in; resolves when `clientReady` fired. */
async function connectClient(
  discord: DiscordStandIn,
  onInteraction?: (i: Interaction) => Promise<void>,
  options: { unthrottledIdentify?: boolean } = {},
) {
  const client = new Client({
    intents: [GatewayIntentBits.Guilds],
    rest: { api: discord.apiUrl },
    // discord.js spaces IDENTIFYs 5 s apart (Discord's identify limit); tests of re-identifying skip that wait.
    ...(options.unthrottledIdentify ? { ws: { buildIdentifyThrottler: () => ({ waitForIdentify: async () => {} }) } } : {}),
  });
  const errors: unknown[] = [];
  if (onInteraction) {
    client.on(Events.InteractionCreate, (interaction) => {
      onInteraction(interaction).catch((error: unknown) => errors.push(error));
    });
  }
  const started = Date.now();
  const ready = new Promise<number>((resolve) => client.once(Events.ClientReady, () => resolve(Date.now() - started)));
  await client.login(discord.token);
  const readyAfterMs = await ready;
  return { client, errors, readyAfterMs };
}

/** Polls until `check` holds (for state that changes on the client's side). */
async function until(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

function nextPageRow() {
  return new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder().setCustomId('lesson:next').setLabel('Next').setStyle(ButtonStyle.Primary),
  );
}

/** What the bot under test saw from discord.js, for assertions. */
const observed: { responseMessageId?: string; followUpId?: string; fetchedContent?: string } = {};
/** What the stand-in refused of the bot's autocomplete answers. */
const refusedChoices: unknown[] = [];

/** The bot under test: one behaviour per subcommand. */
async function lessonBot(interaction: Interaction): Promise<void> {
  if (interaction.isAutocomplete()) {
    const focused = interaction.options.getFocused(true);
    if (focused.name === 'source') {
      await interaction.respond([{ name: 'A long address', value: `https://example.com/${'a'.repeat(81)}` }]).catch((error: unknown) => refusedChoices.push(error));
      return;
    }
    await interaction.respond([{ name: `Spanish (${focused.value})`, value: 'es' }]);
    return;
  }
  if (interaction.isButton() && interaction.customId === 'lesson:next') {
    await interaction.update({ content: 'Page 2', components: [] });
    return;
  }
  if (!interaction.isChatInputCommand() || interaction.commandName !== 'lesson') return;
  switch (interaction.options.getSubcommand()) {
    case 'today':
      await interaction.reply({
        content: `Lesson for ${interaction.user.username} (level ${interaction.options.getInteger('level') ?? 1})`,
        components: [nextPageRow()],
      });
      break;
    case 'private-today':
      await interaction.reply({ content: 'Your lesson', components: [nextPageRow()], flags: MessageFlags.Ephemeral });
      break;
    case 'slow':
      await interaction.deferReply();
      await sleep(30);
      await interaction.editReply('Ready after thinking');
      break;
    case 'more':
      await interaction.reply('first part');
      await interaction.followUp({ content: 'just for you', flags: MessageFlags.Ephemeral });
      break;
    case 'upload': {
      const file = interaction.options.getAttachment('file', true);
      const text = await (await fetch(file.url)).text();
      await interaction.reply(`${file.name}: ${text}`);
      break;
    }
    case 'with-response': {
      const response = await interaction.reply({ content: 'with response', withResponse: true });
      observed.responseMessageId = response.resource?.message?.id;
      break;
    }
    case 'file':
      await interaction.reply({ content: 'your sheet', files: [{ attachment: Buffer.from('a,b\n1,2'), name: 'sheet.csv' }] });
      break;
    case 'defer-then-follow-up': {
      await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      const message = await interaction.followUp('done via follow-up');
      observed.followUpId = message.id;
      break;
    }
    case 'fetch-and-delete': {
      await interaction.reply('short-lived');
      const fetched = await interaction.fetchReply();
      await interaction.deleteReply();
      observed.fetchedContent = fetched.content;
      break;
    }
    case 'admin':
      await interaction.reply({
        content: interaction.memberPermissions?.has('ManageGuild') ? 'admin' : 'not admin',
        flags: MessageFlags.Ephemeral,
      });
      break;
    default:
      await interaction.reply('?');
  }
}

describe('discord stand-in with the real discord.js client', () => {
  let discord: DiscordStandIn;
  let guild: StandInGuild;
  let client: Client;
  let handlerErrors: unknown[];
  let readyAfterMs: number;
  let lessons: string;
  let quiet: string;
  let hidden: string;
  /** What the stand-in had seen once the client was ready (later tests add to both). */
  let atReady: { requests: string[]; identifies: IdentifyRecord[] };

  beforeAll(async () => {
    discord = await startDiscordStandIn();
    guild = discord.addGuild({
      name: 'Language Club',
      channels: [
        textChannel({ name: 'lessons' }),
        textChannel({ name: 'quiet', permissionOverwrites: [deny('@everyone', ['SendMessages'])] }),
        textChannel({ name: 'hidden', permissionOverwrites: [deny('@everyone', ['ViewChannel'])] }),
      ],
    });
    [lessons, quiet, hidden] = guild.channels.map((c) => c.id) as [string, string, string];
    ({ client, errors: handlerErrors, readyAfterMs } = await connectClient(discord, lessonBot));
    atReady = { requests: discord.requests.map((r) => `${r.method} ${r.path}`), identifies: [...discord.identifies] };
  });

  afterEach(() => {
    // Whatever a test made the bot under test do, its handlers never failed.
    expect(handlerErrors).toEqual([]);
  });

  afterAll(async () => {
    await client?.destroy();
    await discord?.close();
  });

  it('gets the client ready quickly, with the guild, its channels and the Guilds intent only', () => {
    expect(readyAfterMs).toBeLessThan(3000);
    const cached = client.guilds.cache.get(guild.id);
    expect(cached?.name).toBe('Language Club');
    const channel = client.channels.cache.get(lessons);
    expect(channel?.type).toBe(ChannelType.GuildText);
    expect((channel as TextChannel).name).toBe('lessons');
    expect(atReady.identifies).toHaveLength(1);
    expect(atReady.identifies[0]?.intents).toBe(GatewayIntentBits.Guilds);
    expect(atReady.identifies[0]?.shard).toEqual([0, 1]);
    expect(discord.problems).toEqual([]);
    // discord.js computes the bot's permissions from the roles and overwrites it was sent.
    const me = cached?.members.me;
    expect(me).toBeTruthy();
    expect(cached?.channels.cache.get(lessons)?.permissionsFor(me!)?.has('SendMessages')).toBe(true);
    expect(cached?.channels.cache.get(quiet)?.permissionsFor(me!)?.has('SendMessages')).toBe(false);
    expect(atReady.requests).toEqual(['GET /gateway/bot']);
  });

  it('records a slash command reply (callback type 4) as a channel message', async () => {
    const command = discord.sendCommand({ name: 'lesson', subcommand: 'today', options: [{ name: 'level', value: 3 }] });
    const final = await command.waitForFinal();
    expect(final.kind).toBe('callback');
    expect(final.type).toBe(4);
    expect(final.data.content).toBe('Lesson for learner (level 3)');
    expect(final.data.components).toHaveLength(1);
    const original = command.original();
    expect(original?.content).toBe('Lesson for learner (level 3)');
    expect(discord.channelMessages(lessons).map((m) => m.id)).toContain(original?.id);
    expect(original?.interaction_metadata?.id).toBe(command.id);
  });

  it('records deferReply then editReply, and the final response is the edit', async () => {
    const command = discord.sendCommand({ name: 'lesson', subcommand: 'slow' });
    const first = await command.waitForResponse();
    expect(first.type).toBe(5);
    const final = await command.waitForFinal();
    expect(final.kind).toBe('edit');
    expect(final.target).toBe('@original');
    expect(final.message?.content).toBe('Ready after thinking');
    expect((command.original()?.flags ?? 0) & MessageFlags.Loading).toBe(0);
  });

  it('records follow-ups; ephemeral ones stay out of the channel', async () => {
    const command = discord.sendCommand({ name: 'lesson', subcommand: 'more' });
    await command.waitForFinal();
    await until(() => command.followUps().length === 1);
    const [followUp] = command.followUps();
    expect(followUp?.data.content).toBe('just for you');
    expect(followUp?.message?.flags).toBe(MessageFlags.Ephemeral);
    expect(discord.channelMessages(lessons).some((m) => m.content === 'just for you')).toBe(false);
    expect(command.responses().map((e) => e.kind)).toEqual(['callback', 'followup']);
  });

  it('sends a button press on the reply and records the update (callback type 7)', async () => {
    const command = discord.sendCommand({ name: 'lesson', subcommand: 'today' });
    await command.waitForFinal();
    const press = discord.sendButton({ customId: 'lesson:next', message: command.original()! });
    const final = await press.waitForFinal();
    expect(final.type).toBe(7);
    expect(final.message?.content).toBe('Page 2');
    expect(discord.channelMessages(lessons).find((m) => m.id === command.original()?.id)?.content).toBe('Page 2');
    expect(() => discord.sendButton({ customId: 'nope', message: command.original()! })).toThrow(/custom_id/);
  });

  it('finds the message of a button by id: an ephemeral reply (in no channel) as last updated, never a deleted one', async () => {
    const command = discord.sendCommand({ name: 'lesson', subcommand: 'private-today' });
    await command.waitForFinal();
    const id = command.original()!.id;
    expect(discord.channelMessages(lessons).some((m) => m.id === id)).toBe(false);
    const press = discord.sendButton({ customId: 'lesson:next', message: id });
    expect((await press.waitForFinal()).message?.content).toBe('Page 2');
    expect(command.original()?.content).toBe('Page 2');
    // The update took the button away: a second press on the same message, by id, finds it as it is now.
    expect(() => discord.sendButton({ customId: 'lesson:next', message: id })).toThrow(/custom_id/);

    const deleted = discord.sendCommand({ name: 'lesson', subcommand: 'fetch-and-delete' });
    await deleted.waitForFinal();
    await until(() => deleted.responses().some((e) => e.kind === 'delete'));
    const deletedId = deleted.responses()[0]!.message!.id;
    expect(() => discord.sendButton({ customId: 'lesson:next', message: deletedId })).toThrow(/holds no message/);
  });

  it('notes when an answer arrived in full, before the stand-in handled it (a slow stand-in does not move it)', async () => {
    discord.failNext({ method: 'POST', path: /\/callback$/u }, { delayMs: 150 });
    const sentAt = performance.now();
    const command = discord.sendCommand({ name: 'lesson', subcommand: 'today' });
    const seen = new Promise<{ receivedAt: number; observedAt: number }>((resolve) => {
      const stop = discord.observe((event) => {
        if (event.type !== 'request' || !event.request.path.endsWith('/callback')) return;
        stop();
        resolve({ receivedAt: event.request.receivedAt, observedAt: performance.now() });
      });
    });
    await command.waitForFinal();
    const { receivedAt, observedAt } = await seen;
    expect(receivedAt).toBeGreaterThan(sentAt);
    // Recorded once answered, after the delay; noted as arrived before it.
    expect(observedAt - receivedAt).toBeGreaterThanOrEqual(140);
  });

  it('records autocomplete choices (callback type 8)', async () => {
    const typing = discord.sendAutocomplete({
      name: 'lesson',
      subcommand: 'today',
      options: [{ name: 'language', value: 'spa', focused: true }],
    });
    const response = await typing.waitForFinal();
    expect(response.type).toBe(8);
    expect(response.data.choices).toEqual([{ name: 'Spanish (spa)', value: 'es' }]);
  });

  it('refuses an autocomplete choice whose value is over 100 characters, as Discord does', async () => {
    discord.sendAutocomplete({ name: 'lesson', subcommand: 'today', options: [{ name: 'source', value: 'ex', focused: true }] });
    await until(() => refusedChoices.length > 0, 2000);
    expect((refusedChoices[0] as DiscordAPIError).code).toBe(50035);
    expect((refusedChoices[0] as DiscordAPIError).rawError).toMatchObject({ errors: { data: { choices: { 0: { value: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH' }] } } } } } });
  });

  it('serves attachment options so the bot can download them', async () => {
    const command = discord.sendCommand({
      name: 'lesson',
      subcommand: 'upload',
      attachments: [{ filename: 'words.txt', content: 'hola adiós', contentType: 'text/plain', optionName: 'file' }],
    });
    const final = await command.waitForFinal();
    expect(final.data.content).toBe('words.txt: hola adiós');
  });

  it('answers with_response=true with the created message', async () => {
    const command = discord.sendCommand({ name: 'lesson', subcommand: 'with-response' });
    await command.waitForFinal();
    await until(() => observed.responseMessageId !== undefined);
    expect(observed.responseMessageId).toBe(command.original()?.id);
    expect(discord.interactionResponses(command.id)).toHaveLength(1);
    const callback = await discord.waitFor((r) => r.path === `/interactions/${command.id}/${command.token}/callback`);
    expect(callback.query).toEqual({ with_response: 'true' });
  });

  it('parses multipart replies (payload_json + files) and serves the uploaded file', async () => {
    const command = discord.sendCommand({ name: 'lesson', subcommand: 'file' });
    const final = await command.waitForFinal();
    expect(final.data.content).toBe('your sheet');
    expect(final.files.map((f) => [f.filename, f.data.toString()])).toEqual([['sheet.csv', 'a,b\n1,2']]);
    const [attachment] = command.original()?.attachments ?? [];
    expect(attachment?.filename).toBe('sheet.csv');
    expect(await (await fetch(attachment!.url)).text()).toBe('a,b\n1,2');
  });

  it('treats a follow-up right after a deferral as the edit of the loading message (documented)', async () => {
    const command = discord.sendCommand({ name: 'lesson', subcommand: 'defer-then-follow-up' });
    const final = await command.waitForFinal();
    expect(final.kind).toBe('followup');
    expect(final.isOriginal).toBe(true);
    await until(() => observed.followUpId !== undefined);
    expect(observed.followUpId).toBe(command.original()?.id);
    expect(command.original()?.flags).toBe(MessageFlags.Ephemeral);
    expect(discord.channelMessages(lessons).some((m) => m.id === observed.followUpId)).toBe(false);
  });

  it('serves GET and DELETE of the original response', async () => {
    const command = discord.sendCommand({ name: 'lesson', subcommand: 'fetch-and-delete' });
    await until(() => command.responses().some((e) => e.kind === 'delete'));
    // The handler records what it fetched once its delete request has returned, a moment after the stand-in saw it.
    await until(() => observed.fetchedContent !== undefined);
    expect(observed.fetchedContent).toBe('short-lived');
    expect(command.original()).toBeUndefined();
    expect(discord.channelMessages(lessons).some((m) => m.content === 'short-lived')).toBe(false);
  });

  it('refuses a file over the upload limit, and the whole message with it (413, 40005); one at the limit is taken', async () => {
    const channel = client.channels.cache.get(lessons) as TextChannel;
    const limit = 10 * 1024 * 1024;
    const refused = await channel.send({ content: 'too big', files: [{ attachment: Buffer.alloc(limit + 1, 0x61), name: 'big.txt' }] }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(DiscordAPIError);
    expect(refused).toMatchObject({ code: 40005, status: 413 });
    expect(discord.channelMessages(lessons).some((m) => m.content === 'too big')).toBe(false);
    const taken = await channel.send({ content: 'just fits', files: [{ attachment: Buffer.alloc(limit, 0x61), name: 'fits.txt' }] });
    expect(taken.attachments.first()?.size).toBe(limit);
  });

  it('fetches, edits and deletes channel messages', async () => {
    const channel = client.channels.cache.get(lessons) as TextChannel;
    const sent = await channel.send({ content: 'draft', embeds: [{ title: 'Word of the day', description: 'hola' }] });
    const fetched = await channel.messages.fetch({ message: sent.id, force: true });
    expect(fetched.embeds[0]?.title).toBe('Word of the day');
    const edited = await fetched.edit('final');
    expect(edited.content).toBe('final');
    expect(edited.editedTimestamp).not.toBeNull();
    await edited.delete();
    expect(discord.channelMessages(lessons).some((m) => m.id === sent.id)).toBe(false);
    const gone = (await channel.messages.fetch({ message: sent.id, force: true }).catch((e: unknown) => e)) as DiscordAPIError;
    expect(gone.code).toBe(10008);
  });

  it('passes member permissions through to discord.js', async () => {
    const admin = discord.sendCommand({ name: 'lesson', subcommand: 'admin', member: { permissions: ['ManageGuild'] } });
    expect((await admin.waitForFinal()).data.content).toBe('admin');
    const plain = discord.sendCommand({ name: 'lesson', subcommand: 'admin' });
    expect((await plain.waitForFinal()).data.content).toBe('not admin');
    expect(handlerErrors).toEqual([]);
  });

  it('keeps one message for a repeated nonce with enforceNonce', async () => {
    const channel = client.channels.cache.get(lessons) as TextChannel;
    const before = discord.channelMessages(lessons).length;
    const first = await channel.send({ content: 'daily word', nonce: 'lesson-2026-11-01', enforceNonce: true });
    const second = await channel.send({ content: 'daily word', nonce: 'lesson-2026-11-01', enforceNonce: true });
    expect(second.id).toBe(first.id);
    expect(discord.channelMessages(lessons)).toHaveLength(before + 1);
  });

  it('answers an injected 429 with Discord headers; discord.js waits, retries, and posts once', async () => {
    const channel = client.channels.cache.get(lessons) as TextChannel;
    const path = `/channels/${lessons}/messages`;
    discord.failNext({ method: 'POST', path }, { status: 429, retryAfter: 0.2 });
    const sentAt = Date.now();
    const before = discord.requests.length;
    const message = await channel.send('after a rate limit');
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(200);
    const attempts = discord.requests.slice(before).filter((r) => r.path === path);
    expect(attempts.map((r) => [r.status, r.fault])).toEqual([
      [429, true],
      [200, false],
    ]);
    expect(discord.channelMessages(lessons).filter((m) => m.content === 'after a rate limit').map((m) => m.id)).toEqual([
      message.id,
    ]);
  });

  it('lets discord.js retry an injected 500', async () => {
    const channel = client.channels.cache.get(lessons) as TextChannel;
    discord.failNext({ method: 'POST', path: `/channels/${lessons}/messages` }, { status: 500 });
    const message = await channel.send('after a server error');
    expect(message.content).toBe('after a server error');
  });

  it('refuses messages where the bot may not send (50013) or not even see (50001)', async () => {
    const send = (channelId: string) => (client.channels.cache.get(channelId) as TextChannel).send('hello');
    const quietError = await send(quiet).catch((error: unknown) => error);
    expect(quietError).toBeInstanceOf(DiscordAPIError);
    expect((quietError as DiscordAPIError).code).toBe(50013);
    expect((quietError as DiscordAPIError).status).toBe(403);
    expect(((await send(hidden).catch((e: unknown) => e)) as DiscordAPIError).code).toBe(50001);

    discord.denyChannel(lessons);
    expect(((await send(lessons).catch((e: unknown) => e)) as DiscordAPIError).code).toBe(50013);
    discord.allowChannel(lessons);
  });

  it("rejects messages beyond Discord's limits with 50035", async () => {
    const channel = client.channels.cache.get(lessons) as TextChannel;
    const error = (await channel.send('x'.repeat(2001)).catch((e: unknown) => e)) as DiscordAPIError;
    expect(error.code).toBe(50035);
    expect(error.rawError).toMatchObject({ errors: { content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH' }] } } });
  });

  it('registers commands with a bulk overwrite', async () => {
    const created = await client.application!.commands.set([
      { name: 'lesson', description: 'Today’s lesson' },
      { name: 'streak', description: 'Your streak' },
    ]);
    expect([...created.values()].map((c) => c.name).sort()).toEqual(['lesson', 'streak']);
    expect(discord.commands().map((c) => c.name)).toEqual(['lesson', 'streak']);
    const again = await client.application!.commands.set([{ name: 'lesson', description: 'Changed' }]);
    expect(again.first()?.id).toBe(created.find((c) => c.name === 'lesson')?.id);
    // Interactions now carry the registered command id.
    const command = discord.sendCommand({ name: 'lesson', subcommand: 'today' });
    expect((command.payload.data as { id: string }).id).toBe(again.first()?.id);
    await command.waitForFinal();
  });

  it('starts a thread from a message and dispatches THREAD_CREATE', async () => {
    const channel = client.channels.cache.get(lessons) as TextChannel;
    const message = await channel.send('discuss here');
    const thread = await message.startThread({ name: 'Discussion' });
    expect(thread.id).toBe(message.id);
    expect(thread.type).toBe(ChannelType.PublicThread);
    const posted = await thread.send('first reply');
    expect(discord.channelMessages(thread.id).map((m) => m.id)).toEqual([posted.id]);
  });

  it('blocks with AutoMod as Discord does: a message’s content (400, 200000), a thread’s name (400, 200001); Manage Server is exempt', async () => {
    const joined = new Promise<void>((resolve) => client.once(Events.GuildCreate, () => resolve()));
    const moderated = discord.addGuild({ name: 'Moderated', channels: [textChannel({ name: 'news' })] });
    await joined;
    const news = moderated.channels[0]!.id;
    discord.addAutoModRule(moderated.id, { keywords: ['spoiler*', 'leak'] });
    const channel = client.channels.cache.get(news) as TextChannel;
    const blocked = (await channel.send('No **SPOILERS** here').catch((e: unknown) => e)) as DiscordAPIError;
    expect(blocked).toBeInstanceOf(DiscordAPIError);
    expect([blocked.status, blocked.code, blocked.rawError]).toEqual([400, 200000, { message: 'Message was blocked by automatic moderation', code: 200000 }]);
    // `leak` is a whole word: `leaky` passes.
    const message = await channel.send('A leaky roof');
    const title = (await message.startThread({ name: 'The leak' }).catch((e: unknown) => e)) as DiscordAPIError;
    expect([title.status, title.code, title.rawError]).toEqual([400, 200001, { message: 'Title was blocked by automatic moderation', code: 200001 }]);
    expect(discord.channelMessages(news).map((m) => m.content)).toEqual(['A leaky roof']);
    const manager = discord.addRole(moderated.id, { name: 'Managers', permissions: ['ManageGuild'] });
    discord.setBotRoles(moderated.id, [manager.id]);
    await until(() => client.guilds.cache.get(moderated.id)?.members.me?.roles.cache.has(manager.id) === true);
    expect((await channel.send('No spoilers here')).content).toBe('No spoilers here');
  });

  it('dispatches guilds added later and channels removed', async () => {
    const joined = new Promise<string>((resolve) => client.once(Events.GuildCreate, (g) => resolve(g.id)));
    const late = discord.addGuild({ name: 'Late Guild' });
    expect(await joined).toBe(late.id);

    const doomed = discord.addChannel(late.id, textChannel({ name: 'doomed' }));
    await until(() => client.channels.cache.has(doomed.id));
    const deleted = new Promise<string>((resolve) => client.once(Events.ChannelDelete, (c) => resolve(c.id)));
    const cachedChannel = client.channels.cache.get(doomed.id) as TextChannel;
    discord.removeChannel(late.id, doomed.id);
    expect(await deleted).toBe(doomed.id);
    const error = (await cachedChannel.send('anyone?').catch((e: unknown) => e)) as DiscordAPIError;
    expect(error.code).toBe(10003);
  });

  it('serves the application, members and guild objects', async () => {
    const application = await client.application!.fetch();
    expect(application.id).toBe(discord.applicationId);
    const learner = await client.guilds.cache.get(guild.id)!.members.fetch({ user: '200000000000000001', force: true });
    expect(learner.user.username).toBe('learner');
    const fetched = await client.guilds.fetch({ guild: guild.id, force: true });
    expect(fetched.roles.cache.get(guild.id)?.name).toBe('@everyone');
  });

  it('handles a global 429 too', async () => {
    const channel = client.channels.cache.get(lessons) as TextChannel;
    discord.failNext({ path: /^\/channels\/\d+\/messages$/ }, { status: 429, retryAfter: 0.1, global: true });
    const message = await channel.send('after a global limit');
    const limited = discord.requests.filter((r) => r.fault && r.status === 429);
    expect(limited.at(-1)?.body).toMatchObject({ content: 'after a global limit' });
    await expect(discord.waitForChannelMessage(lessons, 1000, (m) => m.id === message.id)).resolves.toMatchObject({
      content: 'after a global limit',
    });
  });

  it('records unknown routes as unexpected 404s', async () => {
    const error = (await client.rest.get('/not-a-route').catch((e: unknown) => e)) as DiscordAPIError;
    expect(error.status).toBe(404);
    expect(discord.unexpectedRequests().map((r) => r.path)).toEqual(['/not-a-route']);
  });

  it('resumes after the gateway drops the connection', async () => {
    const before = { resumes: discord.gatewayStats.resumes, identifies: discord.identifies.length };
    const resumed = new Promise<void>((resolve) => client.once(Events.ShardResume, () => resolve()));
    discord.disconnectAll(4000);
    await resumed;
    expect(discord.gatewayStats.resumes).toBe(before.resumes + 1);
    expect(discord.identifies).toHaveLength(before.identifies);
    const command = discord.sendCommand({ name: 'lesson', subcommand: 'today' });
    expect((await command.waitForFinal()).type).toBe(4);
  });
});

describe('discord stand-in history', () => {
  it('forgets interactions, requests and channel messages, and keeps serving the guild', async () => {
    const discord = await startDiscordStandIn();
    const { client, errors } = await connectClient(discord, lessonBot);
    try {
      const guild = discord.addGuild({ name: 'Club', channels: [textChannel({ name: 'lessons' })] });
      const channelId = guild.channels[0]!.id;
      await until(() => client.guilds.cache.has(guild.id));
      const first = discord.sendCommand({ guildId: guild.id, channelId, name: 'lesson', subcommand: 'today' });
      await first.waitForFinal();
      const firstMessage = first.original()!.id;
      expect(discord.channelMessages(channelId)).toHaveLength(1);
      expect(discord.requests.length).toBeGreaterThan(0);

      discord.forgetHistory();
      expect(discord.channelMessages(channelId)).toEqual([]);
      expect(discord.requests).toEqual([]);
      expect(() => discord.sendButton({ guildId: guild.id, channelId, customId: 'lesson:next', message: firstMessage })).toThrow(/holds no message/);

      const second = discord.sendCommand({ guildId: guild.id, channelId, name: 'lesson', subcommand: 'today' });
      expect((await second.waitForFinal()).type).toBe(4);
      expect(discord.channelMessages(channelId).map((m) => m.id)).toEqual([second.original()!.id]);
      expect(errors).toEqual([]);
    } finally {
      await client.destroy();
      await discord.close();
    }
  });
});

describe('discord stand-in timing', () => {
  let discord: DiscordStandIn;
  let client: Client;
  const replyErrors: unknown[] = [];

  beforeAll(async () => {
    discord = await startDiscordStandIn({ heartbeatIntervalMs: 100, interactionAckTimeoutMs: 150 });
    discord.addGuild();
    ({ client } = await connectClient(discord, async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      if (interaction.commandName === 'late') await sleep(300);
      await interaction.reply('pong').catch((error: unknown) => replyErrors.push(error));
    }, { unthrottledIdentify: true }));
  });

  afterAll(async () => {
    await client?.destroy();
    await discord?.close();
  });

  it('acknowledges heartbeats, so a short interval keeps one connection alive', async () => {
    const before = { acks: discord.gatewayStats.heartbeatAcks, connections: discord.gatewayStats.connections, identifies: discord.identifies.length };
    await discord.waitForGateway((stats) => stats.heartbeatAcks >= before.acks + 5, 3000);
    expect(discord.gatewayStats.connections).toBe(before.connections);
    expect(discord.identifies).toHaveLength(before.identifies);
    expect(client.ws.ping).toBeGreaterThanOrEqual(0);
  });

  it('reconnects when heartbeats go unacknowledged (zombie connection)', async () => {
    const resumesBefore = discord.gatewayStats.resumes;
    const connectionsBefore = discord.gatewayStats.connections;
    discord.setHeartbeatAcks(false);
    await discord.waitForGateway((stats) => stats.resumes > resumesBefore, 3000);
    discord.setHeartbeatAcks(true);
    expect(discord.gatewayStats.connections).toBe(connectionsBefore + 1);
  });

  it('makes the client identify again when its session is invalidated', async () => {
    const identified = discord.identifies.length;
    discord.disconnectAll(4000, { invalidateSessions: true });
    await until(() => discord.identifies.length === identified + 1, 5000);
    await discord.waitForSession();
    await until(() => client.isReady() && client.ws.status === 0, 5000);
    const command = discord.sendCommand({ name: 'lesson', subcommand: 'today' });
    expect((await command.waitForFinal()).data.content).toBe('pong');
  });

  it('refuses a callback after the acknowledgement deadline (10062)', async () => {
    discord.sendCommand({ name: 'late' });
    await until(() => replyErrors.length > 0, 2000);
    expect((replyErrors[0] as DiscordAPIError).code).toBe(10062);
    const onTime = discord.sendCommand({ name: 'ping' });
    expect((await onTime.waitForFinal()).data.content).toBe('pong');
  });
});

describe('discord stand-in gateway checks', () => {
  it('refuses compressed gateway connections loudly', async () => {
    const reported: string[] = [];
    const discord = await startDiscordStandIn({ onProblem: (message) => reported.push(message) });
    try {
      const socket = new WebSocket(`${discord.gatewayUrl}?v=10&encoding=json&compress=zlib-stream`);
      const code = await new Promise<number>((resolve) => socket.on('close', (closeCode) => resolve(closeCode)));
      expect(code).toBe(4012);
      expect(reported[0]).toMatch(/zlib-sync/);
      expect(discord.problems).toEqual(reported);
    } finally {
      await discord.close();
    }
  });
});

describe('discord stand-in authentication', () => {
  it('turns a rejected token into TokenInvalid at login', async () => {
    const discord = await startDiscordStandIn({ acceptToken: (token) => token === 'right' });
    const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: discord.apiUrl } });
    try {
      await expect(client.login('wrong')).rejects.toMatchObject({ code: 'TokenInvalid' });
      expect(discord.requests[0]?.status).toBe(401);
    } finally {
      await client.destroy();
      await discord.close();
    }
  });
});
