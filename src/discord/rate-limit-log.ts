import type { REST } from 'discord.js';
import type { Logger } from '../logger.js';

/**
 * What the logs say about Discord's rate limits. discord.js's `rateLimited` event fires whenever its queue waits,
 * mostly for its own 50/s global limiter (a fan-out waits thousands of times): that is normal pacing, logged at
 * debug and counted in metrics. A 429 from Discord itself is worth a warning: Discord counts them against the bot.
 */
export function logRateLimits(rest: REST, logger: Logger): void {
  rest.on('rateLimited', (info) =>
    logger.debug({ route: info.route, waitMs: info.timeToReset, global: info.global }, 'waiting for a Discord rate limit'),
  );
  rest.on('response', (request, response) => {
    if (response.status !== 429) return;
    logger.warn(
      {
        method: request.method,
        route: request.route,
        retryAfter: response.headers.get('retry-after'),
        global: response.headers.has('x-ratelimit-global'),
        scope: response.headers.get('x-ratelimit-scope'),
      },
      'rate limited by Discord (429)',
    );
  });
}
