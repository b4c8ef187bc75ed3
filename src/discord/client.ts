import { Client, Events, GatewayDispatchEvents, GatewayIntentBits, Status } from 'discord.js';
import { leanCacheOptions } from '../discord/cache-limits.js';
import { followBotRoles } from './kept-roles.js';
import { logRateLimits } from './rate-limit-log.js';
import { logReconnects } from './reconnect-log.js';
import { untilDiscordAnswers } from './until-discord-answers.js';
import { InteractionAwareRest } from '../discord/interaction-rest.js';
import type { Logger } from '../logger.js';
import { NO_MENTIONS } from './reply.js';

/**
 * The discord.js client: Guilds intent only (no privileged intents), mentions off by default, small caches.
 * `apiUrl` replaces Discord's REST base; the gateway is then whatever that API's GET /gateway/bot names.
 */
export function createDiscordClient(options: {
  apiUrl?: string | undefined;
  logger: Logger;
  /** The shards this process runs, of how many (under `npm run start:sharded`); all, as Discord recommends, if unset. */
  shards?: { ids: number[]; count: number } | undefined;
}): Client {
  const { logger } = options;
  // discord.js reads SHARDS (several hosts) when no shards are given here; blank, it is unset, as every variable.
  const ownShards = options.shards !== undefined || !process.env.SHARDS?.trim();
  // SHARD_COUNT is discord.js's only beside its SHARDS; otherwise the shards are chosen here.
  const client = withoutShardCountWord(ownShards, () => new Client({
    intents: [GatewayIntentBits.Guilds],
    rest: options.apiUrl ? { api: options.apiUrl.replace(/\/+$/u, '') } : {},
    allowedMentions: NO_MENTIONS,
    // In a cluster, the shards the cluster manager assigned; under discord.js's ShardingManager it reads SHARDS
    // from the environment; alone, ask Discord how many.
    ...(options.shards
      ? { shards: options.shards.ids, shardCount: options.shards.count }
      : ownShards
        ? { shards: 'auto' as const }
        : {}),
    ...leanCacheOptions,
  }));
  // Interaction answers (edits, follow-ups) must not wait in the bot's global queue: see InteractionAwareRest.
  client.rest.clearHashSweeper();
  client.rest.clearHandlerSweeper();
  client.rest = new InteractionAwareRest(client.options.rest);
  client.on(Events.Error, (error) => logger.error({ err: error }, 'discord client error'));
  client.on(Events.Warn, (message) => logger.warn({ message }, 'discord client warning'));
  client.on(Events.ShardDisconnect, (event, shardId) => logger.warn({ code: event.code, shardId }, 'gateway disconnected'));
  logReconnects(client, logger, () => stopping.has(client));
  guardDispatches(client, logger);
  followBotRoles(client, (error, guildId) => logger.warn({ err: error, guildId }, 'following the bot’s own roles failed'));
  logRateLimits(client.rest, logger);
  return client;
}

/**
 * discord.js reads SHARD_COUNT from the environment whenever the client's shard count is left at 1 (a lone bot; a
 * cluster of one shard) and refuses any value but a number: this project's own `SHARD_COUNT=auto` (`start:sharded`'s
 * setting, as .env.example has it) or a blank one threw "The shardCount option must be a number" with a stack trace
 * at every start. When the shards are chosen here (`ours`: a cluster's, or all of them), such a value is kept from
 * discord.js while the client is made; a number, or any value beside discord.js's own SHARDS, reaches it.
 */
function withoutShardCountWord<T>(ours: boolean, make: () => T): T {
  const value = process.env.SHARD_COUNT;
  if (!ours || value === undefined || /^\s*\d+\s*$/u.test(value)) return make();
  delete process.env.SHARD_COUNT;
  try {
    return make();
  } finally {
    process.env.SHARD_COUNT = value;
  }
}

/** Clients being stopped: discord.js reports its own closing of the socket as a reconnect, not one to log. */
const stopping = new WeakSet<Client>();

/** Closes the client's gateway connections and forgets its token (shutdown). */
export async function stopDiscordClient(client: Client): Promise<void> {
  stopping.add(client);
  await client.destroy();
}

interface PacketRouter {
  readonly status: Status;
  handlePacket(packet?: { t?: string | null; d?: unknown }, shard?: { id?: number }): boolean;
}

interface InteractionActions {
  readonly actions: { readonly InteractionCreate: { handle(data: unknown): void } };
}

/**
 * discord.js turns each gateway dispatch into its objects inside its socket's message handler; a
 * malformed one (a missing field, a null body) throws there and surfaces as an anonymous unhandled
 * rejection. Caught where it arrives instead: a warning naming the event type, and the client goes on.
 *
 * Interactions are handled as they arrive, even before the client is ready. discord.js holds every dispatch but
 * READY and the servers' own until every shard is ready and every server listed in READY has arrived, or 15 s
 * have passed: with two shards started 5 s apart (Discord's identify limit), or one server left unavailable by an
 * outage, an interaction that came meanwhile was answered after Discord's 3 s, refused as unknown. Its handling
 * needs only the application (known from the first READY); a server not arrived yet is one the bot does not
 * hold, which the commands already handle (interactions carry what they need).
 */
function guardDispatches(client: Client, logger: Logger): void {
  const router = client.ws as unknown as PacketRouter;
  const actions = (client as unknown as InteractionActions).actions;
  const handle = router.handlePacket.bind(router);
  router.handlePacket = (packet, shard) => {
    try {
      if (packet?.t === GatewayDispatchEvents.InteractionCreate && isObject(packet.d)) {
        // Fields discord.js reads without a check that a stand-in (or an older payload) may leave out.
        packet.d.entitlements ??= [];
        packet.d.authorizing_integration_owners ??= {};
        if (router.status !== Status.Ready && client.application) {
          actions.InteractionCreate.handle(packet.d);
          return true;
        }
      }
      return handle(packet, shard);
    } catch (error) {
      logger.warn({ err: error, event: packet?.t ?? null, shardId: shard?.id }, 'malformed gateway dispatch ignored');
      return true;
    }
  };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/**
 * Logs in and resolves once the client is ready (every server's GUILD_CREATE received). Discord unreachable at the
 * start is waited out (until-discord-answers.ts); `signal` (the process stopping) ends the wait or the login.
 */
export async function connect(client: Client, token: string, logger: Logger, signal?: AbortSignal): Promise<void> {
  client.rest.setToken(token);
  await untilDiscordAnswers(client.rest, logger, signal);
  const ready = new Promise<void>((resolve, reject) => {
    client.once(Events.ClientReady, () => resolve());
    signal?.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });
  await Promise.race([client.login(token).then(() => ready), ready]);
  logger.info(
    { user: client.user?.tag, applicationId: client.application?.id, guilds: client.guilds.cache.size },
    'connected to Discord',
  );
}
