import { Events, type Client } from 'discord.js';
import { pino } from 'pino';
import { afterAll, beforeAll } from 'vitest';
import { createDiscordClient } from '../../src/discord/client.js';
import { startDiscordStandIn, type DiscordStandIn } from './discord-stand-in/index.js';

/**
 * A Discord stand-in and the bot's own discord.js client logged in to it, for the file's tests (started before them,
 * stopped after): `connected` receives both once the client is ready.
 */
export function useConnectedClient(connected: (discord: DiscordStandIn, client: Client) => void): void {
  let discord: DiscordStandIn | undefined;
  let client: Client | undefined;
  beforeAll(async () => {
    discord = await startDiscordStandIn();
    client = createDiscordClient({ apiUrl: discord.apiUrl, logger: pino({ level: 'silent' }) });
    const ready = new Promise((resolve) => client!.once(Events.ClientReady, resolve));
    await client.login(discord.token);
    await ready;
    connected(discord, client);
  });
  afterAll(async () => {
    await client?.destroy();
    await discord?.close();
  });
}
