import type { IncomingMessage, ServerResponse } from 'node:http';
import type { REST } from 'discord.js';
import { withoutDiscordTokens, type Logger } from '../logger.js';

/** Discord refuses requests over 25 MiB (attachments included); the proxy reads no more than that, plus room for the form. */
export const MAX_PROXIED_BODY_BYTES = 26 * 1024 * 1024;

type QueuedRequest = Parameters<REST['queueRequest']>[0];

/**
 * The HTTP handler of `npm run rest-proxy`: forwards a bot process's request to Discord through one
 * `@discordjs/rest` manager, which holds the rate limits (global and per route) for every process.
 *
 * Why not `@discordjs/proxy`'s `proxyRequests` (used before, kept out since): it hands the incoming request
 * *stream* to the REST manager as the body, so when the manager retries (after a 429, a 5xx or a dropped
 * connection) the body is already consumed and Discord gets an empty request ("Cannot send an empty message").
 * And it recognises Discord's errors with `instanceof` against its ESM copy of `@discordjs/rest`, while
 * discord.js builds the manager from the CommonJS copy, so a known error fell through and the bot got a
 * `200` with an empty body: a post the bot took as sent was never made. Here the body is read into memory
 * first (so every retry sends the same bytes), and errors are mapped by their shape.
 */
export function proxyToDiscord(rest: REST, logger: Logger): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  return async (request, response) => {
    const method = request.method ?? 'GET';
    const url = new URL(request.url ?? '/', 'http://proxy.invalid');
    const fullRoute = url.pathname.replace(/^\/api(?:\/v\d+)?/u, '') as QueuedRequest['fullRoute'];
    let body: Buffer;
    try {
      body = await readBody(request, MAX_PROXIED_BODY_BYTES);
    } catch (error) {
      return answer(response, 413, { message: (error as Error).message, code: 0 });
    }
    // The bot process gave up on its request (its timeout, 15 s, counts the wait in this queue; or it stopped) and sends
    // it again, at the back: its first place is given up too, not spent on Discord's global limit for nobody. Until
    // 2026-12-07 both were sent: at a busy minute of several processes a third of the requests were for no one.
    const abandoned = new AbortController();
    response.once('close', () => {
      if (!response.writableFinished) abandoned.abort();
    });
    const headers: Record<string, string> = {};
    for (const name of ['content-type', 'authorization', 'x-audit-log-reason'] as const) {
      const value = request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    try {
      const upstream = await rest.queueRequest({
        fullRoute,
        method: method as QueuedRequest['method'],
        // The caller's own Authorization header goes through as it is: the proxy holds no token.
        auth: false,
        passThroughBody: true,
        ...(body.length > 0 ? { body } : {}),
        query: url.searchParams,
        headers,
        signal: abandoned.signal,
      });
      const payload = Buffer.from(await upstream.arrayBuffer());
      response.statusCode = upstream.status;
      upstream.headers.forEach((value, name) => {
        // Rate-limit headers describe the proxy's view of Discord, not the caller's: the caller must not act on them.
        if (/^x-ratelimit/iu.test(name) || /^(content-length|content-encoding|transfer-encoding|connection)$/iu.test(name)) return;
        response.setHeader(name, value);
      });
      response.end(payload);
    } catch (error) {
      // Nobody to answer (the bot has its own failure): not a failure of the proxy's either.
      if (abandoned.signal.aborted) return;
      const mapped = describeUpstreamError(error);
      if (mapped.status >= 500) logger.warn({ err: error, method, route: withoutDiscordTokens(fullRoute) }, 'proxied request failed');
      answer(response, mapped.status, mapped.body, mapped.headers);
    }
  };
}

/** An error of `@discordjs/rest` (from whichever copy of the package) as the HTTP answer Discord would have given. */
export function describeUpstreamError(error: unknown): { status: number; body: unknown; headers?: Record<string, string> } {
  const shaped = error as { name?: unknown; status?: unknown; rawError?: unknown; timeToReset?: unknown; message?: unknown };
  if (typeof shaped.status === 'number' && shaped.status >= 400 && 'rawError' in (shaped as object)) {
    return { status: shaped.status, body: shaped.rawError ?? { message: String(shaped.message ?? ''), code: 0 } };
  }
  if (typeof shaped.status === 'number' && shaped.status >= 400) {
    return { status: shaped.status, body: { message: String(shaped.message ?? 'HTTP error'), code: 0 } };
  }
  if (shaped.name === 'RateLimitError' && typeof shaped.timeToReset === 'number') {
    const seconds = shaped.timeToReset / 1000;
    return { status: 429, body: { message: 'You are being rate limited.', retry_after: seconds, global: false }, headers: { 'Retry-After': String(seconds) } };
  }
  if (shaped.name === 'AbortError') return { status: 504, body: { message: 'Discord did not answer in time', code: 0 } };
  return { status: 502, body: { message: 'Discord could not be reached', code: 0 } };
}

async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new Error(`request body over ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function answer(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  response.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}
