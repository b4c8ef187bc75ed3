import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Events, ShardClientUtil } from 'discord.js';
import { commandDefinitions, commandModules } from '../commands/index.js';
import { discordChannels, followChannelDeletes } from './discord/channels.js';
import { connect, createDiscordClient, stopDiscordClient } from './discord/client.js';
import { bindCommandModules } from './discord/command-module.js';
import { keepEveryRole, keepModeratorRoles } from './discord/kept-roles.js';
import { keepPostingChannels } from './discord/posting-channels.js';
import { followPostingChannels, type PostingChannelsAhead } from './discord/posting-channels-ahead.js';
import { logRegistrationDrift } from './discord/registered-commands.js';
import { followRoles } from './discord/server-roles.js';
import { createInteractionRouter } from './discord/router.js';
import { describeDatabase, loadConfig, loadDotEnv, type Config } from './config.js';
import { watchLibraryChanges, type ChangeFeed } from './db/change-feed.js';
import { lockSessions, openMigratedDatabase, upkeepSessions, uploadImportSessions } from './db/open-from-config.js';
import { createAlerts } from './delivery/alerts.js';
import { LessonPoster } from './delivery/poster.js';
import { LibraryCache } from './lessons/library-cache.js';
import { DeliveryScheduler } from './delivery/scheduler.js';
import { createLogger } from './logger.js';
import { createMetrics } from './metrics.js';
import { clusterAssignment, joinCluster } from './operations/cluster.js';
import { answerMetricsRequests } from './operations/cluster-metrics.js';
import { warmConnection } from './operations/connection-warm-up.js';
import { startProcessOperations } from './operations/process-operations.js';
import { CLOSING_WAIT_MS, closeWithin, DATABASE_CLOSE_WAIT_MS, EXIT_AFTER_STOP_MS } from './operations/stop-bounds.js';
import { logProcessWarnings } from './operations/process-warnings.js';
import { TableUpkeep } from './operations/table-upkeep.js';
import { useUtcClock } from './operations/utc-clock.js';
import { isOperatorError } from './operator-errors.js';
import { settledWithin } from './settled-within.js';
import { createServices } from './services.js';

/** Queries waiting for a database connection from which autocomplete stops querying (the pool holds 4–10). */
const BUSY_WAITING_QUERIES = 10;
/** How long start-up waits for the change feed to listen before it goes on without warming the caches. */
const STARTUP_FEED_WAIT_MS = 5_000;

const MISSING_TOKEN = `DISCORD_TOKEN is not set, so the bot cannot connect to Discord.

  1. Create an application and bot at https://discord.com/developers/applications
  2. cp .env.example .env and put the bot's token in DISCORD_TOKEN
  3. npm run deploy-commands -- --guild <your server id>   (registers the slash commands)
  4. npm start

Without NODE_ENV=production, npm start opens the playground instead: the bot against a local Discord, in a browser.
Meanwhile the lesson library works without Discord:
`;

/** Wires config, logging, the database, the Discord client and the delivery timer once, and owns their shutdown. */
async function main(): Promise<number> {
  useUtcClock();
  loadDotEnv();
  const config = loadConfig();
  // Under `npm run start:sharded` the cluster manager says which shards are this process's; its lines name it.
  const cluster = clusterAssignment();
  const logger = cluster ? createLogger(config.LOG_LEVEL).child({ cluster: cluster.cluster }) : createLogger(config.LOG_LEVEL);
  logProcessWarnings(logger);
  // The playground's bot stops when the playground is gone, however it ended (kill -9 included): it would keep
  // the embedded database's lock, and the next start would refuse. A cluster's process stops when its manager is
  // gone: left running (the manager killed with -9), it went on serving its shards unsupervised, and a manager
  // started again started a second copy of each (every interaction answered twice).
  const starter = cluster ? 'cluster manager' : process.env.PLAYGROUND_BOT === '1' ? 'playground' : undefined;
  const starterGone = starter ? untilParentGone() : undefined;
  // One forgotten promise must not take every server's bot down; it is a bug to find in the logs.
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));

  // In production a missing token is a setting to fix: said before the database is opened (a container restarting
  // on it migrated and tidied the database each time first).
  if (!config.DISCORD_TOKEN && config.NODE_ENV === 'production') return missingToken();

  const database = await openMigratedDatabase(config, (error) => logger.warn({ err: error }, 'database connection lost'), undefined, {
    keepConnections: true,
  });
  logger.info({ database: describeDatabase(config), migrationsApplied: database.applied }, 'database ready');

  if (!config.DISCORD_TOKEN) {
    await database.close();
    // Outside production, no token means the playground: this same bot against a local Discord, in a browser.
    return (await import('./playground/run.js')).runPlayground(config, logger);
  }

  // The pool's connections, opened and warmed before members' commands arrive (and kept: see DatabaseOptions).
  const { warmFailure, ...connections } = await database.openAllConnections((connection) => warmConnection(connection));
  if (warmFailure === undefined) logger.info(connections, 'database connections opened and warmed');
  else logger.warn({ err: warmFailure, ...connections }, 'warming a database connection failed; the first commands on it may be slower');
  const { db } = database;
  const now = () => new Date();
  const client = createDiscordClient({
    apiUrl: config.DISCORD_API_URL,
    logger,
    shards: cluster && { ids: cluster.shardIds, count: cluster.shardCount },
  });
  const clusterClient = cluster ? joinCluster(client) : undefined;
  const metrics = createMetrics();
  if (clusterClient) answerMetricsRequests(clusterClient, metrics.registry, logger);
  const channels = discordChannels(client);
  const poster = new LessonPoster({
    db,
    channels,
    logger,
    now,
    alerts: createAlerts({ db, channels, logger, now }),
    processId: cluster?.claimant ?? `${hostname()}/${process.pid}/${randomBytes(3).toString('hex')}`,
    leaseMs: config.DELIVERY_LEASE_MS,
    metrics,
  });
  const scheduler = new DeliveryScheduler({
    db,
    poster,
    logger,
    now,
    cronExpression: config.DELIVERY_CRON,
    leaseMs: config.DELIVERY_LEASE_MS,
    prepareAheadMs: config.DELIVERY_PREPARE_AHEAD_MS,
    servesGuild: (guildId) => client.guilds.cache.has(guildId),
    metrics,
  });
  const operations = await startProcessOperations({ config: operationsPorts(config, cluster?.cluster), database, client, metrics, logger }).catch(
    async (error: unknown) => {
      // A port another program holds (PortUnavailableError): nothing has started yet but the connections.
      await client.destroy();
      await database.close();
      throw error;
    },
  );
  // On PostgreSQL, lessons, autocomplete answers and days' lessons are cached in this process while change
  // notices are heard (README, Caches); on PGlite every read goes to the database.
  let cache: LibraryCache | undefined;
  let feed: ChangeFeed | undefined;
  // Set before the start's read of the channels: a schedule written elsewhere has its channel read when its notice
  // comes, not at its post.
  let channelsAhead: PostingChannelsAhead | undefined;
  if (config.DATABASE_URL) {
    feed = watchLibraryChanges(config.DATABASE_URL, {
      onChange: (table) => {
        cache?.changed(table);
        if (table === null || table === 'schedules') {
          channelsAhead?.changed();
          // Written after this minute's cards were built: theirs are built before the minute too.
          scheduler.schedulesChanged();
        }
        // Cards built ahead of their minute show a lesson's text and level, and a day's choice, as they were: any
        // process's import or plan forgets them (posts, which write deliveries and schedules, do not).
        if (table === null || table === 'lessons' || table === 'lesson_vocabularies' || table === 'lesson_plans') poster.forgetPrepared();
      },
      // The lessons CLI left a big import's vocabulary to the bots: this one computes it if it holds the job's lock.
      onVocabularyWanted: () => services.vocabulary.catchUpAsked(),
      // Such a request sent while the feed was down was missed: the job looks once more (a scan of an index when
      // nothing is left).
      onListeningAgain: () => services.vocabulary.catchUpAsked(),
      onError: (error) => logger.warn({ err: error }, 'library change feed lost; caches off until it is back'),
    });
    cache = new LibraryCache(feed);
  }
  // As many queries waiting for a connection as the pool holds (10): a backlog, not a burst.
  const databaseBusy = () => database.waitingClients() >= BUSY_WAITING_QUERIES;
  const services = createServices({
    db,
    logger,
    now,
    importTimeZone: config.IMPORT_TIMEZONE,
    importGuilds: config.IMPORT_GUILD_IDS,
    catchUpCoreShare: config.VOCABULARY_CATCH_UP_SHARE,
    // Of the processes sharing a PostgreSQL database, one computes what is missing (an advisory lock).
    catchUpLockSession: lockSessions(config),
    // An upload's import on a connection of its own with the CLI's bounds (PostgreSQL).
    uploadImportSession: uploadImportSessions(config),
    poster,
    cache,
    databaseBusy,
  });
  const router = createInteractionRouter({ ...bindCommandModules(commandModules, services), logger, metrics });
  // Autovacuum's work where nothing else does it (PGlite; a server with autovacuum off): README, "Table upkeep".
  const upkeep = new TableUpkeep({ database, openSession: upkeepSessions(config, database), logger });
  client.on(Events.InteractionCreate, (interaction) => void router.handle(interaction));
  followRoles(client, {
    deleted: (guildId, roleId) =>
      void services.delivery.pingRoleDeleted(guildId, roleId).catch((error: unknown) => logger.warn({ err: error, guildId, roleId }, 'could not stop pinging a deleted role')),
    listed: (guildId, roleIds) =>
      void services.delivery.pingRolesListed(guildId, roleIds).catch((error: unknown) => logger.warn({ err: error, guildId }, 'could not check the ping role against the server’s roles')),
  });
  // A deleted alerts channel is tried no more, and `/schedule show` says so (a 404 to an alert marks it too).
  followChannelDeletes(client, (guildId, channelId) =>
    void services.delivery.channelDeleted(guildId, channelId).catch((error: unknown) => logger.warn({ err: error, guildId, channelId }, 'could not note a deleted channel')),
  );
  // The caches serve only while the change feed listens; what they load on a first use is loaded now, before the
  // first interactions (a first second at 200/s otherwise waited ~150 ms behind it: BENCHMARKS.md, "A bot just started").
  if (feed) {
    if (await feed.untilLive(STARTUP_FEED_WAIT_MS)) await services.lessons.warmUp();
    else logger.warn({ waitedMs: STARTUP_FEED_WAIT_MS }, 'library change feed not listening yet; caches off until it is');
  }

  let stopping: Promise<void> | undefined;
  // A stop while the bot still waits for Discord (unreachable at its start) ends that wait.
  const starting = new AbortController();
  const stop = (reason: string) => {
    starting.abort();
    stopping ??= (async () => {
      logger.info({ reason }, 'shutting down: finishing work in flight');
      try {
        channelsAhead?.stop();
        // Side by side, within SHUTDOWN_TIMEOUT_MS: the posts in flight (those not begun are left for the next tick
        // of any process), the table upkeep's round, and the interactions in flight (new ones are told to retry).
        // One after the other, a post Discord did not answer (discord.js waits 15 s, four times) held the stop past
        // a container's grace period before the interactions' own timeout even began.
        const posts = scheduler.stop({ leaveUnstarted: true });
        const work = Promise.all([posts, upkeep.stop(), router.drain(config.SHUTDOWN_TIMEOUT_MS)]);
        if (!(await settledWithin(work, config.SHUTDOWN_TIMEOUT_MS))) {
          // Their claims are taken over after the lease by the next process, with the same nonce: no double post.
          logger.warn({ postsUnderWay: poster.postsUnderWay, timeoutMs: config.SHUTDOWN_TIMEOUT_MS }, 'work still in flight at the shutdown timeout; stopping anyway');
        }
        operations.close();
        // Side by side and bounded as well: a gateway connection silently dead (a network cut) held the stop 30 s
        // more (`ws` waits that long for Discord's close frame), and compose's SIGKILL came before the database closed.
        await closeWithin(
          { discord: stopDiscordClient(client), vocabulary: services.vocabulary.close(), changeFeed: feed?.close() },
          CLOSING_WAIT_MS,
          logger,
        );
      } finally {
        await closeWithin({ database: database.close() }, DATABASE_CLOSE_WAIT_MS, logger);
        logger.info('stopped');
      }
    })();
    return stopping;
  };
  const stopped = new Promise<number>((resolve) => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => void stop(signal).then(() => resolve(0), () => resolve(1)));
    }
    void starterGone?.then(() => {
      // This bot's own end closes the channel too (below): only a starter gone first is news.
      if (stopping) return;
      logger.warn(`the ${starter} that started this bot is gone; stopping`);
      void stop(`${starter} gone`).then(() => resolve(1), () => resolve(1));
    });
  });

  // Named before the servers arrive: discord.js keeps only these channels and roles of each GUILD_CREATE
  // (posting-channels.ts, kept-roles.ts); in a cluster, of the servers on this process's shards.
  const onOurShards = cluster
    ? (guildId: string) => cluster.shardIds.includes(ShardClientUtil.shardIdForGuildId(guildId, cluster.shardCount))
    : () => true;
  // On PostgreSQL others may write schedules (an operator's SQL, another process): their channels are read ahead
  // of their posts, from the notices heard from here on. (The embedded database is this process's alone.)
  if (feed) {
    channelsAhead = followPostingChannels({
      client,
      postingChannels: () => services.delivery.postingChannels(onOurShards),
      logger,
      postsUnderWay: () => poster.postsUnderWay > 0,
    });
  }
  try {
    const kept = await services.delivery.keptDiscordIds(onOurShards);
    keepPostingChannels(client, kept.channelIds);
    keepModeratorRoles(client, kept.moderatorRoleIds);
    logger.info({ channels: kept.channelIds.length, moderatorRoles: kept.moderatorRoleIds.length }, 'channels and moderator roles to keep');
  } catch (error) {
    logger.warn({ err: error }, 'reading the channels posted in and the moderator roles failed; channels are read at their first post, every role is kept');
    keepEveryRole(client);
  }
  try {
    await connect(client, config.DISCORD_TOKEN, logger, starting.signal);
  } catch (error) {
    // Stopped (SIGTERM, Ctrl+C) before Discord answered: a clean stop, not a failure.
    if (starting.signal.aborted) return stopped;
    logger.fatal({ err: error }, 'could not connect to Discord');
    await stop('startup failure').catch(() => undefined);
    return 1;
  }
  // Reads only once connected; then at once if a schedule was written since the list above was read.
  channelsAhead?.start();
  scheduler.start();
  upkeep.start();
  // One process compares (under sharding, the one with shard 0): one REST read a start.
  if (!cluster || cluster.shardIds.includes(0)) void logRegistrationDrift(client, commandDefinitions, logger);
  services.vocabulary.startCatchUp();
  return stopped;
}

async function missingToken(): Promise<number> {
  // The CLI's module (and what it imports) only here: a bot with a token never loads it.
  console.error(MISSING_TOKEN + (await import('./cli/lessons.js')).LESSONS_HELP);
  return 1;
}

/** Resolves once this process's IPC channel to its parent has closed (the parent ended), at once if it has none. */
function untilParentGone(): Promise<void> {
  if (!process.connected) return Promise.resolve();
  // The channel alone does not keep the bot running (main's end disconnects it anyway).
  process.channel?.unref();
  return new Promise((resolve) => process.once('disconnect', () => resolve()));
}

/**
 * In a cluster the manager serves HEALTH_PORT (it asks every process, for its health and its metrics); each process
 * serves its own metrics on METRICS_PORT + its cluster number (the manager refuses a HEALTH_PORT among those).
 */
function operationsPorts(config: Config, cluster: number | undefined): Pick<Config, 'HEALTH_PORT' | 'METRICS_PORT'> {
  if (cluster === undefined) return config;
  return { HEALTH_PORT: undefined, METRICS_PORT: config.METRICS_PORT === undefined ? undefined : config.METRICS_PORT + cluster };
}

try {
  process.exitCode = await main();
} catch (error) {
  if (isOperatorError(error)) {
    console.error(error.message);
    process.exitCode = 1;
  } else {
    throw error;
  }
} finally {
  // A process of `start:sharded` has an IPC channel to its manager, which kept it alive after it had stopped
  // (by itself, e.g. its token refused: the manager then never saw it die, nor restarted it).
  if (process.connected) process.disconnect();
  // Stopped, the database closed: a request still waiting on Discord (discord.js gives one 15 s, four times) must
  // not keep the process alive. Its claim is taken over after the lease, with the same nonce.
  setTimeout(() => process.exit(), EXIT_AFTER_STOP_MS).unref();
}
