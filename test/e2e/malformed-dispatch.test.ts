import { Writable } from 'node:stream';
import { Events, type Client } from 'discord.js';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscordClient } from '../../src/discord/client.js';
import { startDiscordStandIn, type DiscordStandIn } from '../support/discord-stand-in/index.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('malformed gateway dispatches, with the real discord.js client', () => {
  let discord: DiscordStandIn;
  let client: Client;
  const logs: Record<string, unknown>[] = [];
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    discord = await startDiscordStandIn();
    discord.addGuild();
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) logs.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    client = createDiscordClient({ apiUrl: discord.apiUrl, logger: pino({ level: 'debug' }, stream) });
    client.on(Events.InteractionCreate, (interaction) => {
      if (interaction.isChatInputCommand()) void interaction.reply({ content: 'still here' });
    });
    const ready = new Promise((resolve) => client.once(Events.ClientReady, resolve));
    await client.login(discord.token);
    await ready;
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await client?.destroy();
    await discord?.close();
  });

  it.each([
    ['INTERACTION_CREATE', { id: '1', type: 2 }],
    ['INTERACTION_CREATE', null],
    ['INTERACTION_CREATE', { id: '2', type: 3, data: null }],
    ['GUILD_CREATE', null],
    ['CHANNEL_CREATE', null],
    ['GUILD_ROLE_CREATE', null],
    ['GUILD_MEMBER_UPDATE', null],
  ])('logs a malformed %s as a warning with its type, and keeps serving', async (event, data) => {
    const before = logs.length;
    expect(discord.dispatchRaw(event, data)).toBe(1);
    await sleep(300);
    expect(unhandled).toEqual([]);
    const warning = logs.slice(before).find((line) => line.msg === 'malformed gateway dispatch ignored');
    expect(warning).toMatchObject({ level: 40, event });
    const response = await discord.sendCommand({ name: 'ping' }).waitForFinal();
    expect(response.data.content).toBe('still here');
  });

  // Required in Discord's documentation, but described as "for monetized apps" and for user-installed apps: a
  // stand-in may leave them out, and discord.js read them without a check (every such interaction went unanswered).
  it.each([['entitlements'], ['authorizing_integration_owners'], ['entitlements', 'authorizing_integration_owners']])(
    'answers an interaction whose payload leaves out %s',
    async (...omit) => {
      const response = await discord.sendCommand({ name: 'ping', omit }).waitForFinal();
      expect(response.data.content).toBe('still here');
    },
  );
});

describe('interactions that arrive before discord.js is ready, with the real discord.js client', () => {
  let discord: DiscordStandIn | undefined;
  let client: Client | undefined;
  afterAll(async () => {
    await client?.destroy();
    await discord?.close();
  });

  it('answers within Discord’s 3 s an interaction that comes while a second shard waits for its turn to identify (5 s apart)', async () => {
    discord = await startDiscordStandIn({ recommendedShards: 2 });
    // A guild's shard is its id's millisecond (Discord's formula), so guilds added in one millisecond share one: add them
    // a millisecond apart until each shard has one.
    const shardOf = (guildId: string) => Number((BigInt(guildId) >> 22n) % 2n);
    const guilds = [discord.addGuild()];
    while (new Set(guilds.map((g) => shardOf(g.id))).size < 2) {
      await sleep(1);
      guilds.push(discord.addGuild());
    }
    client = createDiscordClient({ apiUrl: discord.apiUrl, logger: pino({ level: 'silent' }) });
    client.on(Events.InteractionCreate, (interaction) => {
      if (interaction.isChatInputCommand()) void interaction.reply({ content: `answered in ${interaction.guildId}` });
    });
    let ready = false;
    client.once(Events.ClientReady, () => (ready = true));
    void client.login(discord.token);
    const first = await discord.waitForSession();
    const guild = guilds.find((g) => shardOf(g.id) === first.shard[0]);
    expect(guild).toBeDefined();
    // The first shard's servers have arrived; the second shard has not identified yet, so the client is not ready.
    await sleep(300);
    expect(ready).toBe(false);
    const sent = Date.now();
    const response = await discord.sendCommand({ name: 'ping', guildId: guild!.id }).waitForResponse(3_000);
    expect(response.at - sent).toBeLessThan(3_000);
    expect(response.data.content).toBe(`answered in ${guild!.id}`);
    expect(ready).toBe(false);
  }, 30_000);
});
