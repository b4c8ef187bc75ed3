import { createServer, type Server } from 'node:http';
import { Status, type Client } from 'discord.js';
import { pingDatabase } from '../db/health.js';
import type { Executor } from '../db/schema.js';
import type { Logger } from '../logger.js';
import { listen } from '../listen.js';
import type { MetricsText } from '../metrics.js';

/** One thing /healthz checks: resolves to a problem in plain words, or undefined when all is well. */
export interface HealthCheck {
  readonly name: string;
  check(): Promise<string | undefined>;
}

export interface HealthReport {
  readonly healthy: boolean;
  /** `ok` or what is wrong, by check name. */
  readonly checks: Record<string, string>;
}

/** A check that takes longer than this counts as failed: a hung database is not a healthy one. */
const CHECK_TIMEOUT_MS = 2_000;

export async function runHealthChecks(checks: readonly HealthCheck[], timeoutMs = CHECK_TIMEOUT_MS): Promise<HealthReport> {
  const results = await Promise.all(
    checks.map(async (check) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs);
      });
      try {
        const problem = await Promise.race([check.check(), timeout]);
        return [check.name, problem ?? 'ok'] as const;
      } catch (error) {
        return [check.name, error instanceof Error ? error.message : String(error)] as const;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return { healthy: results.every(([, result]) => result === 'ok'), checks: Object.fromEntries(results) };
}

/** Every shard this process runs is connected and ready (a reconnecting or resuming shard is not). */
export function shardsCheck(client: Client): HealthCheck {
  return {
    name: 'discord',
    async check() {
      const expected = Array.isArray(client.options.shards) ? client.options.shards : [...client.ws.shards.keys()];
      if (expected.length === 0) return 'not connected to the gateway yet';
      const problems = expected.flatMap((id) => {
        const status = client.ws.shards.get(id)?.status;
        if (status === Status.Ready) return [];
        return [`shard ${id} ${status === undefined ? 'not started' : (Status[status] ?? String(status)).toLowerCase()}`];
      });
      return problems.length === 0 ? undefined : problems.join(', ');
    },
  };
}

/**
 * The operations endpoint: `/healthz` (200 when every check passes, 503 with what is wrong otherwise, as JSON)
 * and `/metrics` (Prometheus). Health is answered without a cache, so a probe sees the state of that moment.
 */
export function serveOperations(
  port: number,
  options: { metrics: MetricsText; health: () => Promise<HealthReport>; logger: Logger; host?: string },
): Promise<Server> {
  const { metrics, logger } = options;
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' || (path !== '/healthz' && path !== '/metrics')) {
      response.writeHead(404).end();
      return;
    }
    const answer =
      path === '/healthz'
        ? options.health().then((report) => {
            if (!report.healthy) logger.warn({ checks: report.checks }, 'health check failed');
            response
              .writeHead(report.healthy ? 200 : 503, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' })
              .end(JSON.stringify({ status: report.healthy ? 'ok' : 'unhealthy', checks: report.checks }));
          })
        : metrics.render().then((body) => {
            response.writeHead(200, { 'Content-Type': metrics.contentType }).end(body);
          });
    answer.catch((error: unknown) => {
      logger.warn({ err: error, path }, 'operations endpoint failed');
      if (!response.headersSent) response.writeHead(500).end();
    });
  });
  return listen(server, port, 'HEALTH_PORT', options.host).then(() => {
    logger.info({ port }, 'operations endpoint: /healthz and /metrics');
    return server;
  });
}

/** The database answers a round trip. */
export function databaseCheck(db: Executor): HealthCheck {
  return {
    name: 'database',
    async check() {
      await pingDatabase(db);
      return undefined;
    },
  };
}
