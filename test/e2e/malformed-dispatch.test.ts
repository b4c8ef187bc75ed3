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
});
