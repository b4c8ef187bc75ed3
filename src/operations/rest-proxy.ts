/**
 * `npm run rest-proxy`: one HTTP proxy for Discord's REST API (one `@discordjs/rest` manager) that every bot process reaches
 * through DISCORD_API_URL=http://<host>:REST_PROXY_PORT/api. It keeps Discord's rate limits in one place: the
 * global 50 requests/s and the per-route buckets are counted once for all processes, not once per process.
 * Requests keep their own Authorization header (the proxy holds no token). Interaction answers go through
 * InteractionAwareRest here too, so they are never queued behind the global limit.
 */
import { createServer } from 'node:http';
import { loadConfig, loadDotEnv } from '../config.js';
import { InteractionAwareRest } from '../discord/interaction-rest.js';
import { logRateLimits } from '../discord/rate-limit-log.js';
import { listen } from '../listen.js';
import { createLogger, withoutDiscordTokens } from '../logger.js';
import { isOperatorError } from '../operator-errors.js';
import { proxyToDiscord } from './rest-proxy-handler.js';
import { logProcessWarnings } from './process-warnings.js';

async function main(): Promise<void> {
  loadDotEnv();
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  logProcessWarnings(logger);
  const rest = new InteractionAwareRest(
    config.REST_PROXY_UPSTREAM_URL ? { api: config.REST_PROXY_UPSTREAM_URL.replace(/\/+$/u, '') } : {},
  );
  logRateLimits(rest, logger);
  const handle = proxyToDiscord(rest, logger);
  const server = createServer((request, response) => {
    Promise.resolve(handle(request, response)).catch((error: unknown) => {
      logger.error({ err: error, method: request.method, path: withoutDiscordTokens(request.url?.split('?')[0] ?? '') }, 'proxy request failed');
      if (!response.headersSent) response.writeHead(502);
      response.end();
    });
  });
  await listen(server, config.REST_PROXY_PORT, 'REST_PROXY_PORT');
  logger.info({ port: config.REST_PROXY_PORT }, 'Discord REST proxy listening');
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      server.close();
      server.closeAllConnections();
      rest.clearHashSweeper();
      rest.clearHandlerSweeper();
    });
  }
}

try {
  await main();
} catch (error) {
  if (!isOperatorError(error)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
