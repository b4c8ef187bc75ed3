/**
 * `npm run rest-proxy`: one HTTP proxy for Discord's REST API (one `@discordjs/rest` manager) that every bot process reaches
 * through DISCORD_API_URL=http://<host>:REST_PROXY_PORT/api. It keeps Discord's rate limits in one place: the
 * global 50 requests/s and the per-route buckets are counted once for all processes, not once per process.
 * Requests keep their own Authorization header (the proxy holds no token). Interaction answers go through
 * InteractionAwareRest here too, so they are never queued behind the global limit.
 */
import { loadConfig, loadDotEnv } from '../config.js';
import { InteractionAwareRest } from '../discord/interaction-rest.js';
import { logRateLimits } from '../discord/rate-limit-log.js';
import { createLogger } from '../logger.js';
import { registryText, serveMetrics } from '../metrics.js';
import { isOperatorError } from '../operator-errors.js';
import { restProxyMetrics } from './rate-limit-metrics.js';
import { serveRestProxy } from './rest-proxy-server.js';
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
  const registry = restProxyMetrics(rest);
  const metricsPort = config.REST_PROXY_METRICS_PORT;
  const metricsServer = metricsPort === undefined ? undefined : await serveMetrics(metricsPort, registryText(registry), logger, 'REST_PROXY_METRICS_PORT');
  const proxy = await serveRestProxy(rest, logger, config.REST_PROXY_PORT).catch((error: unknown) => {
    metricsServer?.close();
    throw error;
  });
  logger.info({ port: config.REST_PROXY_PORT, metricsPort }, 'Discord REST proxy listening');
  let stopping: Promise<void> | undefined;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'stopping the REST proxy');
      stopping ??= proxy.stop(config.SHUTDOWN_TIMEOUT_MS).finally(() => {
        metricsServer?.close();
        rest.clearHashSweeper();
        rest.clearHandlerSweeper();
      });
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
