import { createServer, type Server } from 'node:http';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { Logger } from './logger.js';

/** Prometheus metrics (prom-client): what an operator watches across servers and shards. */
export interface Metrics {
  readonly registry: Registry;
  readonly interactions: Counter<'kind' | 'name' | 'outcome'>;
  readonly interactionSeconds: Histogram<'kind'>;
  readonly posts: Counter<'outcome'>;
  readonly deliveryTickSeconds: Histogram;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'newsdesk_' });
  return {
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
      help: 'Daily lesson post attempts by outcome (sent, failed, no_lesson, already_claimed)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    deliveryTickSeconds: new Histogram({
      name: 'newsdesk_delivery_tick_duration_seconds',
      help: 'Duration of one delivery tick: finding the due servers and starting their posts',
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
      registers: [registry],
    }),
  };
}

/** Serves GET /metrics on 127.0.0.1-or-all interfaces as the operator chose the port; nothing else. */
export function serveMetrics(port: number, metrics: Metrics, logger: Logger): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    metrics.registry
      .metrics()
      .then((body) => response.writeHead(200, { 'Content-Type': metrics.registry.contentType }).end(body))
      .catch((error: unknown) => {
        logger.warn({ err: error }, 'could not render metrics');
        response.writeHead(500).end();
      });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      logger.info({ port }, 'metrics on /metrics');
      resolve(server);
    });
  });
}
