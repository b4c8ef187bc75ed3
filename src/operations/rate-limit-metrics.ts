import type { REST } from 'discord.js';
import { isInteractionRoute } from '../discord/interaction-rest.js';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { rateLimitCounters, type Metrics } from '../metrics.js';

/** Counts every wait discord.js's REST queue makes for a rate limit (its own global limiter, a route bucket, a 429). */
export function countRateLimitWaits(rest: REST, metrics: Pick<Metrics, 'rateLimitWaits' | 'rateLimitWaitSeconds'>): void {
  rest.on('rateLimited', (info) => {
    const path = new URL(info.url, 'http://x').pathname.replace(/^\/api(?:\/v\d+)?/u, '');
    const labels = { global: String(info.global), route_kind: isInteractionRoute(path) ? 'interaction' : 'bot' };
    metrics.rateLimitWaits.inc(labels);
    metrics.rateLimitWaitSeconds.inc(labels, Math.max(0, info.timeToReset) / 1000);
  });
}

/**
 * The REST proxy's metrics: the rate-limit waits of every bot process behind it are made here (the bots' own queues
 * see none), and its process's. Served on REST_PROXY_METRICS_PORT.
 */
export function restProxyMetrics(rest: REST): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'newsdesk_rest_proxy_' });
  countRateLimitWaits(rest, rateLimitCounters(registry));
  return registry;
}
