import { createServer, type Server } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Logger } from './logger.js';
import { listen } from './listen.js';

/** Prometheus metrics (prom-client): what an operator watches across servers and shards. */
export interface Metrics {
  readonly registry: Registry;
  readonly interactions: Counter<'kind' | 'name' | 'outcome'>;
  readonly interactionSeconds: Histogram<'kind'>;
  readonly posts: Counter<'outcome'>;
  readonly deliveryTickSeconds: Histogram;
  /** Seconds between a daily post's due minute and its send. */
  readonly scheduleLagSeconds: Histogram;
  readonly interactionsDeferred: Counter<'kind'>;
  /** Waits in discord.js's REST queue (its own limiter or a 429), by scope. */
  readonly rateLimitWaits: Counter<'global' | 'route_kind'>;
  readonly rateLimitWaitSeconds: Counter<'global' | 'route_kind'>;
  /** Queries waiting for a free PostgreSQL connection; reads `poolWaiting` at scrape time. */
  readonly dbPoolWaiting: Gauge;
  poolWaiting: () => number;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'newsdesk_' });
  const metrics: Metrics = {
    registry,
    interactions: new Counter({
      name: 'newsdesk_interactions_total',
      help: 'Interactions handled, by kind (command, button, autocomplete), command name and outcome (ok, user_error, error)',
      labelNames: ['kind', 'name', 'outcome'],
      registers: [registry],
    }),
    interactionSeconds: new Histogram({
      name: 'newsdesk_interaction_duration_seconds',
      help: 'Time from receiving an interaction to finishing its answer',
      labelNames: ['kind'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10],
      registers: [registry],
    }),
    posts: new Counter({
      name: 'newsdesk_lesson_posts_total',
      help: 'Daily lesson post attempts by outcome (sent, unrecorded, failed, no_lesson, already_claimed)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    deliveryTickSeconds: new Histogram({
      name: 'newsdesk_delivery_tick_duration_seconds',
      help: 'Duration of one delivery tick: finding the due servers and starting their posts',
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
      registers: [registry],
    }),
    scheduleLagSeconds: new Histogram({
      name: 'newsdesk_schedule_lag_seconds',
      help: 'Seconds between a daily post\'s due minute and the moment it was sent',
      buckets: [1, 5, 10, 20, 30, 60, 120, 300, 900, 3600],
      registers: [registry],
    }),
    interactionsDeferred: new Counter({
      name: 'newsdesk_interactions_deferred_total',
      help: 'Interactions whose answer took long enough to be deferred first, by kind',
      labelNames: ['kind'],
      registers: [registry],
    }),
    ...rateLimitCounters(registry),
    dbPoolWaiting: new Gauge({
      name: 'newsdesk_db_pool_waiting_clients',
      help: 'Queries waiting for a free database connection (PostgreSQL pool; 0 on the embedded database)',
      registers: [registry],
      collect() {
        this.set(metrics.poolWaiting());
      },
    }),
    poolWaiting: () => 0,
  };
  return metrics;
}

/** The rate-limit waits of a discord.js REST queue: a bot process's, or the REST proxy's (rest-proxy.ts). */
export function rateLimitCounters(registry: Registry): Pick<Metrics, 'rateLimitWaits' | 'rateLimitWaitSeconds'> {
  return {
    rateLimitWaits: new Counter({
      name: 'newsdesk_rest_rate_limit_waits_total',
      help: 'Requests that waited in discord.js\'s REST queue for a rate limit (global or per route; route_kind interaction or bot)',
      labelNames: ['global', 'route_kind'],
      registers: [registry],
    }),
    rateLimitWaitSeconds: new Counter({
      name: 'newsdesk_rest_rate_limit_wait_seconds_total',
      help: 'Total seconds requests waited for rate limits',
      labelNames: ['global', 'route_kind'],
      registers: [registry],
    }),
  };
}

/** What `/metrics` serves: one process's registry, or (the sharded manager's) every process's added up. */
export interface MetricsText {
  readonly contentType: string;
  render(): Promise<string>;
}

export function registryText(registry: Registry): MetricsText {
  return { contentType: registry.contentType, render: () => registry.metrics() };
}

/** Serves GET /metrics (a query string, as a scraper may add, ignored) as the operator chose the port; nothing else. */
export function serveMetrics(port: number, metrics: MetricsText, logger: Logger, variable = 'METRICS_PORT'): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || (request.url ?? '/').split('?')[0] !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    metrics
      .render()
      .then((body) => response.writeHead(200, { 'Content-Type': metrics.contentType }).end(body))
      .catch((error: unknown) => {
        logger.warn({ err: error }, 'could not render metrics');
        response.writeHead(500).end();
      });
  });
  return listen(server, port, variable).then(() => {
    logger.info({ port }, 'metrics on /metrics');
    return server;
  });
}
