/**
 * `/metrics` under `start:sharded`: the manager's `HEALTH_PORT` serves every bot process's metrics added up
 * (prom-client's AggregatorRegistry, as for Node's own cluster module: counters and histograms summed, each
 * default metric by its own rule), asked of each process over discord-hybrid-sharding's IPC at scrape time.
 * Each process's own figures stay on `METRICS_PORT` + its number.
 */
import type { Client } from 'discord.js';
import type { ClusterClient, ClusterManager } from 'discord-hybrid-sharding';
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue, type Registry } from 'prom-client';
import type { Logger } from '../logger.js';
import type { MetricsText } from '../metrics.js';

type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];

/** The request's mark: other IPC requests (none today) are left to whoever asked. */
const METRICS_REQUEST = 'newsdesk:metrics';
const ANSWER_TIMEOUT_MS = 1_500;

/** In a bot process: answers the manager's requests for this process's metrics. */
export function answerMetricsRequests(cluster: Pick<ClusterClient<Client>, 'on'>, registry: Registry, logger: Logger): void {
  cluster.on('message', (message) => {
    const request = message as { raw?: { request?: unknown }; reply?: (answer: object) => Promise<unknown> };
    if (request.raw?.request !== METRICS_REQUEST || typeof request.reply !== 'function') return;
    const reply = request.reply.bind(request);
    registry
      .getMetricsAsJSON()
      .then((metrics) => reply({ metrics }))
      .catch((error: unknown) => logger.warn({ err: error }, 'could not send this process’s metrics to the manager'));
  });
}

/** In the manager: its own process's metrics and every live bot process's, added up, at each scrape. */
export function clusterMetricsText(manager: Pick<ClusterManager, 'clusters'>, own: Registry, logger: Logger): MetricsText {
  return {
    contentType: own.contentType,
    async render() {
      const answers = await Promise.all(
        [...manager.clusters.values()].map(async (cluster): Promise<MetricsJson | undefined> => {
          if (!cluster.thread) return undefined;
          try {
            const answer = (await cluster.request({ request: METRICS_REQUEST, options: { timeout: ANSWER_TIMEOUT_MS } })) as { metrics?: MetricsJson };
            return answer.metrics;
          } catch (error) {
            // A process starting or restarting: the scrape goes on with the others (its counters come back with it).
            logger.warn({ err: error, cluster: cluster.id }, 'a bot process did not send its metrics');
            return undefined;
          }
        }),
      );
      const all = [await own.getMetricsAsJSON(), ...answers.filter((metrics) => metrics !== undefined)];
      return AggregatorRegistry.aggregate(all).metrics();
    },
  };
}

/**
 * Under `start:sharded` process k serves `METRICS_PORT` + k and the manager `HEALTH_PORT`: a clash would keep one
 * process failing to start and restarted forever, so the start is refused instead, naming the ports.
 */
export function metricsPortProblem(ports: { METRICS_PORT?: number | undefined; HEALTH_PORT?: number | undefined }, processes: number): string | undefined {
  const { METRICS_PORT: first, HEALTH_PORT: health } = ports;
  if (first === undefined) return undefined;
  const last = first + processes - 1;
  if (last > 65_535) return `METRICS_PORT=${first} leaves no port for process ${processes - 1} of ${processes} (each process k serves METRICS_PORT + k, up to 65535). Set a lower METRICS_PORT.`;
  if (health !== undefined && health >= first && health <= last) {
    return `HEALTH_PORT=${health} is one of the bot processes' metrics ports (METRICS_PORT + 0…${processes - 1} = ${first}–${last}). Set HEALTH_PORT outside that range (the manager serves every process's metrics on it too).`;
  }
  return undefined;
}
