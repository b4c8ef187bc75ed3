import { createServer, type Server } from 'node:http';
import type { REST } from 'discord.js';
import { listen } from '../listen.js';
import { withoutDiscordTokens, type Logger } from '../logger.js';
import { settledWithin } from '../settled-within.js';
import { proxyToDiscord } from './rest-proxy-handler.js';

export interface RestProxyServer {
  readonly server: Server;
  /**
   * Stops taking requests and waits for those in flight (a post may be waiting its turn behind the global limit),
   * at most `timeoutMs`; then drops what is left. A request dropped before it was sent is a failure the bot sees;
   * one dropped after it was sent leaves the bot unsure whether Discord carried it out, so they are waited for.
   */
  stop(timeoutMs: number): Promise<void>;
}

/** The REST proxy's HTTP server (`npm run rest-proxy`) on `port` (0: any free port). */
export async function serveRestProxy(rest: REST, logger: Logger, port: number): Promise<RestProxyServer> {
  const handle = proxyToDiscord(rest, logger);
  let inFlight = 0;
  let stopping = false;
  const drained: (() => void)[] = [];
  const server = createServer((request, response) => {
    inFlight += 1;
    // Once stopping, a keep-alive connection is closed after its answer rather than kept for the next request.
    if (stopping) response.shouldKeepAlive = false;
    response.once('close', () => {
      inFlight -= 1;
      if (stopping) server.closeIdleConnections();
      if (inFlight === 0) for (const resolve of drained.splice(0)) resolve();
    });
    Promise.resolve(handle(request, response)).catch((error: unknown) => {
      logger.error({ err: error, method: request.method, path: withoutDiscordTokens(request.url?.split('?')[0] ?? '') }, 'proxy request failed');
      if (!response.headersSent) response.writeHead(502);
      response.end();
    });
  });
  await listen(server, port, 'REST_PROXY_PORT');
  return {
    server,
    async stop(timeoutMs) {
      stopping = true;
      server.close();
      server.closeIdleConnections();
      if (inFlight > 0) {
        logger.info({ inFlight }, 'waiting for the requests in flight');
        const finished = await settledWithin(new Promise<void>((resolve) => drained.push(resolve)), timeoutMs);
        if (!finished) logger.warn({ inFlight, timeoutMs }, 'requests still in flight at the shutdown timeout: dropped');
      }
      server.closeAllConnections();
    },
  };
}
