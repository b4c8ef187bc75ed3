import type { REST } from 'discord.js';
import { isInteractionRoute } from '../discord/interaction-rest.js';
import type { Metrics } from '../metrics.js';

/** Counts every wait discord.js's REST queue makes for a rate limit (its own global limiter, a route bucket, a 429). */
export function countRateLimitWaits(rest: REST, metrics: Pick<Metrics, 'rateLimitWaits' | 'rateLimitWaitSeconds'>): void {
  rest.on('rateLimited', (info) => {
    const path = new URL(info.url, 'http://x').pathname.replace(/^\/api(?:\/v\d+)?/u, '');
    const labels = { global: String(info.global), route_kind: isInteractionRoute(path) ? 'interaction' : 'bot' };
    metrics.rateLimitWaits.inc(labels);
    metrics.rateLimitWaitSeconds.inc(labels, Math.max(0, info.timeToReset) / 1000);
  });
}
