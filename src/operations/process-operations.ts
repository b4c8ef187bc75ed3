import type { Server } from 'node:http';
import type { Client } from 'discord.js';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import type { Logger } from '../logger.js';
import { registryText, serveMetrics, type Metrics } from '../metrics.js';
import { databaseCheck, runHealthChecks, serveOperations, shardsCheck, type HealthReport } from './health.js';
import { countRateLimitWaits } from './rate-limit-metrics.js';

export interface ProcessOperations {
  /** This process's health: the database answers and every shard it runs is connected. */
  health(): Promise<HealthReport>;
  close(): void;
}

/**
 * Wires what an operator watches for one bot process: rate-limit and pool metrics, and the HTTP endpoints
 * (`HEALTH_PORT`: /healthz and /metrics; `METRICS_PORT`: /metrics). Started before the gateway connects, so a
 * probe sees "not connected yet" rather than nothing.
 */
export async function startProcessOperations(deps: {
  config: Pick<Config, 'HEALTH_PORT' | 'METRICS_PORT'>;
  database: Database;
  client: Client;
  metrics: Metrics;
  logger: Logger;
}): Promise<ProcessOperations> {
  const { config, database, client, metrics, logger } = deps;
  countRateLimitWaits(client.rest, metrics);
  metrics.poolWaiting = () => database.waitingClients();
  const checks = [databaseCheck(database.db), shardsCheck(client)];
  const health = () => runHealthChecks(checks);
  const servers: Server[] = [];
  try {
    const text = registryText(metrics.registry);
    if (config.HEALTH_PORT) servers.push(await serveOperations(config.HEALTH_PORT, { metrics: text, health, logger }));
    if (config.METRICS_PORT && config.METRICS_PORT !== config.HEALTH_PORT) servers.push(await serveMetrics(config.METRICS_PORT, text, logger));
  } catch (error) {
    // The one that did listen would keep a process that cannot start running.
    for (const server of servers) server.close();
    throw error;
  }
  return {
    health,
    close: () => {
      for (const server of servers) server.close();
    },
  };
}
