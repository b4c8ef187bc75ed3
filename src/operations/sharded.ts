/**
 * `npm run start:sharded`: the bot as several processes. discord-hybrid-sharding's ClusterManager spawns
 * ceil(SHARD_COUNT / SHARDS_PER_PROCESS) processes of `main`, each running its share of the gateway shards
 * (discord.js's ShardingManager runs exactly one shard per process; clusters let one process run several, which
 * saves a Node.js runtime and a database pool per shard). All processes share one PostgreSQL: the delivery
 * claims make each server's post exactly once whatever the layout. Point DISCORD_API_URL at a shared REST proxy
 * (`npm run rest-proxy`) so the global rate limit is counted once for all processes.
 *
 * This process serves HEALTH_PORT for all of them: /healthz is 200 when the database answers and every shard of
 * every process is connected; /metrics adds up every process's metrics (src/operations/cluster-metrics.ts). It restarts a process that dies, waiting longer while it keeps dying
 * (src/domain/process-restarts.ts).
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REST, Status, type Client } from 'discord.js';
import { ClusterManager } from 'discord-hybrid-sharding';
import { describeDatabase, loadConfig, loadDotEnv, type Config } from '../config.js';
import { endClaimsOfDeadProcess } from '../db/deliveries.js';
import { openMigratedDatabase } from '../db/open-from-config.js';
import type { Executor } from '../db/schema.js';
import { untilDiscordAnswers } from '../discord/until-discord-answers.js';
import { restartAfterDeath, type ProcessRun } from '../domain/process-restarts.js';
import { mallocMmapThreshold } from '../malloc-setting.js';
import { isOperatorError } from '../operator-errors.js';
import { createLogger, type Logger } from '../logger.js';
import { createMetrics } from '../metrics.js';
import { CLAIMANT_ENV } from './cluster.js';
import { clusterMetricsText, metricsPortProblem } from './cluster-metrics.js';
import { databaseCheck, runHealthChecks, serveOperations, type HealthCheck } from './health.js';
import { logProcessWarnings } from './process-warnings.js';
import { STOP_BEYOND_SHUTDOWN_TIMEOUT_MS } from './stop-bounds.js';

/** The bot's entry point next to this file: src/main.ts under tsx, dist/src/main.js when compiled. */
const MAIN_FILE = fileURLToPath(new URL(`../main${extname(fileURLToPath(import.meta.url))}`, import.meta.url));
const CHECK_TIMEOUT_MS = 1_500;
/**
 * How long a dead bot process's delivery claims still hold after its death, instead of a lease after their last
 * renewal: discord.js gives up on a request Discord has not answered in 15 s and sends it again itself, so a send the
 * dead process left in flight has been answered or dropped by then, and the restarted process's resend (same nonce)
 * is what discord.js's own retry would have been.
 */
const DEAD_PROCESS_CLAIMS_HOLD_MS = 15_000;

/** Discord's recommended shard count; Discord unreachable is waited out, as each bot process does. */
async function recommendedShardCount(config: Config, token: string, logger: Logger, signal: AbortSignal): Promise<number> {
  const rest = new REST(config.DISCORD_API_URL ? { api: config.DISCORD_API_URL.replace(/\/+$/u, '') } : {}).setToken(token);
  return (await untilDiscordAnswers(rest, logger, signal)).shards;
}

/**
 * The shard count: SHARD_COUNT, or Discord's recommendation (`auto`); or the exit code when the start ends here:
 * 0 when stopped (SIGTERM, Ctrl+C) while Discord could not be reached yet, 1 when Discord refused the token (logged).
 */
async function shardCount(config: Config, token: string, logger: Logger): Promise<{ count: number } | { exitCode: number }> {
  if (config.SHARD_COUNT !== 'auto') return { count: config.SHARD_COUNT };
  const waiting = new AbortController();
  const stopWaiting = () => waiting.abort();
  process.once('SIGTERM', stopWaiting).once('SIGINT', stopWaiting);
  try {
    return { count: await recommendedShardCount(config, token, logger, waiting.signal) };
  } catch (error) {
    if (waiting.signal.aborted) {
      logger.info('stopped before any bot process started');
      return { exitCode: 0 };
    }
    logger.fatal({ err: error }, 'could not get the recommended shard count from Discord');
    return { exitCode: 1 };
  } finally {
    process.off('SIGTERM', stopWaiting).off('SIGINT', stopWaiting);
  }
}

/**
 * Every shard 0…totalShards−1 runs in a live process and is connected. A shard whose process is not started yet
 * (they start 5.5 s apart) is one: until 2026-12-07 only the processes started so far were asked, and 4 shards
 * answered 200 with one connected.
 */
function clustersCheck(manager: ClusterManager, totalShards: number): HealthCheck {
  return {
    name: 'discord',
    async check() {
      const clusters = [...manager.clusters.values()];
      if (clusters.length === 0) return 'no bot process started yet';
      const covered = new Set(clusters.flatMap((cluster) => cluster.shardList));
      const unstarted = Array.from({ length: totalShards }, (_, id) => id).filter((id) => !covered.has(id));
      const problems = await Promise.all(
        clusters.map(async (cluster) => {
          try {
            const answer: unknown = await manager.broadcastEval(
              // Runs in the bot process (serialized by the library): no closures, only the client.
              (client) => (client as unknown as Client).ws.shards.map((shard) => ({ id: shard.id, status: shard.status })),
              { cluster: cluster.id, timeout: CHECK_TIMEOUT_MS },
            );
            // One cluster asked: its answer, or (depending on the library's version) a list holding it.
            const shards = (Array.isArray(answer) ? answer.flat() : []) as { id: number; status: Status }[];
            return cluster.shardList.flatMap((id) => {
              const status = shards.find((shard) => shard.id === id)?.status;
              if (status === Status.Ready) return [];
              return [`shard ${id} ${status === undefined ? 'not started' : (Status[status] ?? String(status)).toLowerCase()}`];
            });
          } catch {
            return [`process ${cluster.id} (shards ${cluster.shardList.join(', ')}) not answering`];
          }
        }),
      );
      const all = [...problems.flat(), ...unstarted.map((id) => `shard ${id} not started`)];
      return all.length === 0 ? undefined : all.join(', ');
    },
  };
}

/**
 * The claims of a bot process that died are its successor's 15 s after the death (DEAD_PROCESS_CLAIMS_HOLD_MS), not
 * once their lease runs out: a process dying again and again otherwise made its posts wait a lease more each time.
 * Only this process's claims: the manager restarts a process only after it exited, and no other carries its name.
 */
async function endDeadProcessClaims(db: Executor, claimant: string, diedAt: number, leaseMs: number, logger: Logger): Promise<void> {
  try {
    const claims = await endClaimsOfDeadProcess(db, claimant, new Date(diedAt + DEAD_PROCESS_CLAIMS_HOLD_MS), leaseMs);
    if (claims > 0) logger.info({ claims, takenOverInMs: DEAD_PROCESS_CLAIMS_HOLD_MS }, 'the dead bot process’s delivery claims end soon after its death');
  } catch (error) {
    logger.warn({ err: error }, 'could not end the dead bot process’s delivery claims; they run out with their lease');
  }
}

async function stopClusters(manager: ClusterManager, timeoutMs: number, logger: Logger): Promise<void> {
  // No process more: the spawn queue (one process every 5.5 s) stops, its waiting processes dropped.
  manager.queue.stop();
  manager.queue.queue.length = 0;
  await Promise.all(
    [...manager.clusters.values()].map(async (cluster) => {
      const child = cluster.thread?.process as ChildProcess | null | undefined;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
      logger.info({ cluster: cluster.id }, 'bot process stopped');
    }),
  );
}

async function main(): Promise<number> {
  loadDotEnv();
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  logProcessWarnings(logger);
  if (!config.DISCORD_TOKEN) {
    console.error('DISCORD_TOKEN is not set. See README: Running it on Discord.');
    return 1;
  }
  if (!config.DATABASE_URL) {
    console.error('npm run start:sharded needs PostgreSQL: set DATABASE_URL (the embedded database serves one process).');
    return 1;
  }
  // Migrate once here, so the processes start on an up-to-date schema (each would also wait on Kysely's lock).
  const database = await openMigratedDatabase(config, (error) => logger.warn({ err: error }, 'database connection lost'));
  logger.info({ database: describeDatabase(config) }, 'database ready');

  const shards = await shardCount(config, config.DISCORD_TOKEN, logger);
  if ('exitCode' in shards) {
    await database.close();
    return shards.exitCode;
  }
  const totalShards = shards.count;
  const portProblem = metricsPortProblem(config, Math.ceil(totalShards / config.SHARDS_PER_PROCESS));
  if (portProblem) {
    console.error(portProblem);
    await database.close();
    return 1;
  }
  const manager = new ClusterManager(MAIN_FILE, {
    totalShards,
    shardsPerClusters: config.SHARDS_PER_PROCESS,
    mode: 'process',
    // The same Node.js flags as this process (under tsx in development: `--import tsx`).
    execArgv: process.execArgv,
    token: config.DISCORD_TOKEN,
    // Restarts are ours (below): the library's are immediate, and stop for good after its maximum.
    respawn: false,
  });
  let stopping: Promise<void> | undefined;
  const runs = new Map<number, ProcessRun>();
  // Each run of each bot process names its delivery claims (CLAIMANT_ENV), so that its death can end them.
  const claimantPrefix = `${hostname()}/${process.pid}/${randomBytes(3).toString('hex')}`;
  let runCount = 0;
  const nameNextRun = (cluster: { id: number; env: Record<string, unknown> }) => {
    runCount += 1;
    cluster.env[CLAIMANT_ENV] = `${claimantPrefix}/process-${cluster.id}/run-${runCount}`;
  };
  const claimants = new Map<number, string>();
  const pendingRestarts = new Set<NodeJS.Timeout>();
  // Processes that started after the stop had begun (their spawn was under way), stopped as they start.
  const startedLate: Promise<unknown>[] = [];
  manager.on('clusterCreate', (cluster) => {
    // Read by glibc only when a process starts: each bot process is given it here (the manager's own value wins).
    Object.assign(cluster.env, mallocMmapThreshold());
    nameNextRun(cluster);
    logger.info({ cluster: cluster.id, shards: cluster.shardList }, 'bot process started');
    cluster.on('spawn', (child) => {
      runs.set(cluster.id, { startedAt: Date.now(), failures: runs.get(cluster.id)?.failures ?? 0 });
      claimants.set(cluster.id, String(cluster.env[CLAIMANT_ENV]));
      const started = child as ChildProcess | undefined;
      if (!stopping || !started) return;
      startedLate.push(new Promise((resolve) => started.once('exit', resolve)));
      started.kill('SIGTERM');
    });
    cluster.on('death', (_cluster, child) => {
      // Asked to stop: not a death (stopClusters logs it as stopped).
      if (stopping) return;
      const died = child as ChildProcess | undefined;
      const diedAt = Date.now();
      const restart = restartAfterDeath(runs.get(cluster.id) ?? { startedAt: diedAt, failures: 0 }, diedAt);
      runs.set(cluster.id, { startedAt: Number.NaN, failures: restart.failures });
      logger.error(
        { cluster: cluster.id, exitCode: died?.exitCode, signal: died?.signalCode ?? undefined, restartInMs: restart.delayMs, deathsInARow: restart.failures },
        'bot process died; restarting it',
      );
      const claimant = claimants.get(cluster.id);
      // Before the restart, so that its first tick already sees when they end.
      void (claimant === undefined ? Promise.resolve() : endDeadProcessClaims(database.db, claimant, diedAt, config.DELIVERY_LEASE_MS, logger.child({ cluster: cluster.id }))).then(() => {
        if (stopping) return;
        const timer = setTimeout(
          () => {
            pendingRestarts.delete(timer);
            if (stopping) return;
            logger.info({ cluster: cluster.id, shards: cluster.shardList }, 'bot process restarted');
            nameNextRun(cluster);
            cluster.spawn(-1).catch((error: unknown) => logger.error({ err: error, cluster: cluster.id }, 'could not restart a bot process'));
          },
          Math.max(0, restart.delayMs - (Date.now() - diedAt)),
        );
        pendingRestarts.add(timer);
      });
    });
  });
  manager.on('debug', (message) => logger.debug({ message }, 'cluster manager'));

  const checks = [databaseCheck(database.db), clustersCheck(manager, totalShards)];
  const metrics = clusterMetricsText(manager, createMetrics().registry, logger);
  const operations = config.HEALTH_PORT
    ? await serveOperations(config.HEALTH_PORT, { metrics, health: () => runHealthChecks(checks), logger }).catch(async (error: unknown) => {
        // A port another program holds (PortUnavailableError): no bot process started yet; the database would keep this one running.
        await database.close();
        throw error;
      })
    : undefined;

  const stopped = new Promise<number>((resolve) => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        stopping ??= (async () => {
          logger.info({ signal }, 'stopping every bot process');
          for (const timer of pendingRestarts) clearTimeout(timer);
          // A bot process's stop is bounded (stop-bounds.ts): it is ended only if it outlives that, plus a second.
          await stopClusters(manager, config.SHUTDOWN_TIMEOUT_MS + STOP_BEYOND_SHUTDOWN_TIMEOUT_MS + 1_000, logger);
          await Promise.all(startedLate);
          operations?.close();
          await database.close();
        })();
        void stopping.then(() => resolve(0), () => resolve(1));
      });
    }
  });

  logger.info(
    { totalShards, shardsPerProcess: config.SHARDS_PER_PROCESS, processes: Math.ceil(totalShards / config.SHARDS_PER_PROCESS) },
    'starting bot processes',
  );
  // 5.5 s between processes: Discord lets a bot identify one shard per 5 s (max_concurrency 1).
  await manager.spawn({ timeout: -1, delay: 5_500 });
  return stopped;
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
}
