import { Client, Events, GatewayIntentBits, Options } from 'discord.js';
import type { Logger } from '../logger.js';
import { NO_MENTIONS } from './reply.js';
import { createInteractionRouter, type ButtonHandler, type CommandHandler } from './router.js';

export interface BotOptions {
  token: string;
  /** REST base (without /v10); the gateway is whatever that API's GET /gateway/bot names. */
  apiUrl?: string | undefined;
  logger: Logger;
  commands: readonly CommandHandler[];
  buttons: readonly ButtonHandler[];
}

export interface Bot {
  readonly client: Client;
  start(): Promise<void>;
  /** Stops taking interactions, lets the ones in flight finish (bounded), then disconnects. */
  stop(timeoutMs: number): Promise<void>;
}

export function createBot(options: BotOptions): Bot {
  const { logger } = options;
  const client = new Client({
    // Guilds only: no privileged intents; everything the bot does starts from an interaction or its own timer.
    intents: [GatewayIntentBits.Guilds],
    rest: options.apiUrl ? { api: options.apiUrl.replace(/\/+$/u, '') } : {},
    allowedMentions: NO_MENTIONS,
    // Under a ShardingManager discord.js reads SHARDS from the environment; alone, ask Discord how many.
    ...(process.env.SHARDS === undefined ? { shards: 'auto' as const } : {}),
    // Nothing reads old messages or members: keep memory flat across thousands of servers.
    makeCache: Options.cacheWithLimits({
      ...Options.DefaultMakeCacheSettings,
      MessageManager: 0,
      ReactionManager: 0,
      GuildMemberManager: { maxSize: 0, keepOverLimit: (member) => member.id === member.client.user.id },
    }),
  });
  const router = createInteractionRouter({ commands: options.commands, buttons: options.buttons, logger });

  client.on(Events.InteractionCreate, (interaction) => void router.handle(interaction));
  client.on(Events.Error, (error) => logger.error({ err: error }, 'discord client error'));
  client.on(Events.Warn, (message) => logger.warn({ message }, 'discord client warning'));
  client.on(Events.ShardDisconnect, (event, shardId) => logger.warn({ code: event.code, shardId }, 'gateway disconnected'));
  client.on(Events.ShardReconnecting, (shardId) => logger.info({ shardId }, 'gateway reconnecting'));
  client.rest.on('rateLimited', (info) =>
    logger.warn({ route: info.route, retryAfter: info.retryAfter, global: info.global, scope: info.scope }, 'rate limited by Discord'),
  );

  return {
    client,
    async start() {
      const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
      await client.login(options.token);
      await ready;
      logger.info(
        { user: client.user?.tag, applicationId: client.application?.id, guilds: client.guilds.cache.size },
        'connected to Discord',
      );
    },
    async stop(timeoutMs) {
      await router.drain(timeoutMs);
      await client.destroy();
    },
  };
}
