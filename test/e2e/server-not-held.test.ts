import { Events, type Client } from 'discord.js';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scheduleModule } from '../../commands/schedule.js';
import { discordChannels, describePostFailure } from '../../src/discord/channels.js';
import { createDiscordClient } from '../../src/discord/client.js';
import { createInteractionRouter, type InteractionRouter } from '../../src/discord/router.js';
import type { Services } from '../../src/services.js';
import { UserError } from '../../src/user-error.js';
import { startDiscordStandIn, type DiscordStandIn, type StandInGuild } from '../support/discord-stand-in/index.js';
import { channelOption, MODERATOR, MODERATOR_MEMBER } from '../support/schedule-scenarios.js';

/*
 * Interactions are answered from the first READY on (client.ts), before every server's GUILD_CREATE has come: a
 * server not arrived yet (after a start, or a new session) is one discord.js does not hold, and an interaction's
 * channel option then comes as Discord's raw data, with nothing of discord.js's channel (its guildId among them).
 */
describe('/schedule channel options in a server this process does not hold (yet), with the real discord.js client', () => {
  let discord: DiscordStandIn;
  let client: Client;
  let router: InteractionRouter;
  const saved: string[] = [];

  beforeAll(async () => {
    discord = await startDiscordStandIn();
    // What the handlers need before and after the channel's check; nothing is written.
    const services = {
      delivery: {
        postingTime: () => ({ timeZone: 'UTC' }),
        moderatorRoleId: async () => null,
        setSchedule: async (schedule: { channelId: string }) => {
          saved.push(schedule.channelId);
          return { schedule: { postTime: '07:30', paused: false }, next: new Date('2026-12-08T07:30:00Z'), dropped: { roleId: null, thread: false } };
        },
        setAlertsChannel: async (_guildId: string, channelId: string) => {
          saved.push(channelId);
        },
        requireSchedule: async (guildId: string) => ({ guildId, channelId: discord.guild(guildId).channels[0]!.id }),
        // As the poster does: the channel from the adapter, a failure told to the moderator with its reason.
        postNow: async (schedule: { guildId: string; channelId: string }) => {
          const channel = await discordChannels(client)
            .postable(schedule.channelId, { guildId: schedule.guildId })
            .catch((error: unknown) => {
              throw new UserError(`I could not post: ${describePostFailure(error).reason}.`);
            });
          const message = await channel.send({ content: 'posted', allowedMentions: { parse: [] } });
          return { channelId: channel.id, messageId: message.id };
        },
      },
    } as unknown as Services;
    const bound = scheduleModule.bind(services);
    router = createInteractionRouter({ logger: pino({ level: 'silent' }), commands: [bound.command], buttons: [] });
    client = createDiscordClient({ apiUrl: discord.apiUrl, logger: pino({ level: 'silent' }) });
    client.on(Events.InteractionCreate, (interaction) => void router.handle(interaction));
    const ready = new Promise((resolve) => client.once(Events.ClientReady, resolve));
    await client.login(discord.token);
    await ready;
  });
  afterAll(async () => {
    await client?.destroy();
    await discord?.close();
  });

  async function notHeld(): Promise<StandInGuild> {
    const guild = discord.addGuild({ name: 'Not arrived yet' });
    await expect.poll(() => client.guilds.cache.has(guild.id)).toBe(true);
    // As if its GUILD_CREATE had not come yet: discord.js forgets it.
    discord.dispatchRaw('GUILD_DELETE', { id: guild.id });
    await expect.poll(() => client.guilds.cache.has(guild.id)).toBe(false);
    return guild;
  }

  const schedule = (guild: StandInGuild, subcommand: string, options: Parameters<DiscordStandIn['sendCommand']>[0]['options']) =>
    discord.sendCommand({ guildId: guild.id, name: 'schedule', subcommand, options, user: MODERATOR, member: MODERATOR_MEMBER }).waitForFinal();

  it('set and alerts tell the moderator to try again shortly, not that the server’s own channel is another server’s', async () => {
    const guild = await notHeld();
    const channelId = guild.channels[0]!.id;
    const set = await schedule(guild, 'set', [channelOption(channelId), { name: 'time', value: '07:30' }, { name: 'timezone', value: 'UTC' }]);
    expect(set.data.content).not.toContain('is not a channel of this server');
    expect(set.data.content).toMatch(/still connecting to this server.*try again/isu);
    const alerts = await schedule(guild, 'alerts', [channelOption(channelId)]);
    expect(alerts.data.content).toMatch(/still connecting to this server.*try again/isu);
    expect(saved).toEqual([]);
  });

  it('post-now tells the moderator to try again shortly, not that the channel no longer exists', async () => {
    const guild = await notHeld();
    const posted = await schedule(guild, 'post-now', []);
    expect(posted.data.content).not.toContain('no longer exists');
    expect(posted.data.content).toMatch(/still connecting to this server.*try again/isu);
    expect(discord.channelMessages(guild.channels[0]!.id)).toEqual([]);
  });

  it('once the server has arrived, its channel is taken', async () => {
    const guild = discord.addGuild({ name: 'Arrived' });
    await expect.poll(() => client.guilds.cache.has(guild.id)).toBe(true);
    const channelId = guild.channels[0]!.id;
    const set = await schedule(guild, 'set', [channelOption(channelId), { name: 'time', value: '07:30' }, { name: 'timezone', value: 'UTC' }]);
    expect(set.data.content).toContain(`✅ Daily lesson: <#${channelId}>`);
    expect(saved).toEqual([channelId]);
    expect((await schedule(guild, 'post-now', [])).data.content).toContain('✅ Posted: ');
  });
});
