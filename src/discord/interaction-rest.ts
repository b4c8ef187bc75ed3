import { DefaultRestOptions, REST, type RESTOptions } from 'discord.js';
import { GlobalPacer, pacedMakeRequest } from './global-pacer.js';

/**
 * The pacer's window: Discord's second and 20 ms for the jitter between our write and Discord's count. A place is
 * reused only after its request was written, so each round of 50 also waits for its writes (~1.5 ms at the median
 * in a fan-out): a wider margin costs that much again, 19 times in a 1,000-server fan-out (20 s bound; see
 * BENCHMARKS.md, "Fan-out and memory").
 */
export const GLOBAL_PACER_WINDOW_MS = 1_020;

/** Routes that carry an interaction (or webhook) token instead of the bot's token. */
const TOKEN_ROUTE = /^\/(?:interactions\/\d+\/[^/]+\/callback|webhooks\/\d+\/[^/]+(?:\/messages\/[^/]+)?)$/u;

/** Interaction callbacks, `@original` edits/deletes and follow-ups: the routes Discord keeps out of the global limit. */
export function isInteractionRoute(fullRoute: string): boolean {
  return TOKEN_ROUTE.test(fullRoute);
}

type QueuedRequest = Parameters<REST['queueRequest']>[0];

/**
 * A discord.js REST manager that keeps interaction answers out of the bot's global queue.
 *
 * Discord's global limit (50 requests/s) counts requests made with the bot's token. Its documentation says
 * interaction endpoints are not bound to it: the callback, edits of `@original` and follow-ups authenticate
 * with the interaction's token. `@discordjs/rest` exempts only the callback; every other request passes its
 * one global counter, so under load a deferred answer waited behind posts and lookups ("rate limited" with no
 * 429 from Discord). Here token routes go to a second manager whose global limit is off; its per-route buckets
 * (Discord's `X-RateLimit-*` headers, per interaction token) and a real 429 still apply.
 *
 * Requests with the bot's token pass a pacer at the wire instead of discord.js's global counter (global-pacer.ts):
 * at most the global limit written in any GLOBAL_PACER_WINDOW_MS, which discord.js's fixed one-second windows do
 * not ensure. Interaction routes do not pass it.
 */
export class InteractionAwareRest extends REST {
  /** Interaction-token routes only; created before any request, so never undefined afterwards. */
  readonly interactionRest: REST;

  /** Bot-token requests wait here for their place in the global limit, counted when written (global-pacer.ts). */
  readonly pacer: GlobalPacer;

  constructor(options: Partial<RESTOptions> = {}) {
    const pacer = new GlobalPacer({ limit: options.globalRequestsPerSecond ?? DefaultRestOptions.globalRequestsPerSecond, windowMs: GLOBAL_PACER_WINDOW_MS });
    // A wait at the pacer is told like discord.js's own waits ('rateLimited': debug logs and the rate-limit metrics).
    const onHeld = (waitedMs: number, method: string, url: string) =>
      this.emit('rateLimited', {
        global: true,
        scope: 'global',
        hash: 'global-pacer',
        majorParameter: 'global',
        route: 'global pacer',
        method,
        url,
        limit: pacer.limit,
        timeToReset: waitedMs,
        retryAfter: waitedMs,
        sublimitTimeout: 0,
      });
    super({
      ...options,
      // The pacer is the one global limiter. discord.js's own (fixed windows, each reopened `offset` = 50 ms after
      // its reset) stays off: behind it every round of 50 waited ~1,050 ms, and a 1,000-server fan-out ended past
      // the 20 s bound. A global 429 from Discord still stops discord.js's requests for its retry-after.
      globalRequestsPerSecond: Number.POSITIVE_INFINITY,
      makeRequest: pacedMakeRequest(pacer, options.makeRequest ?? DefaultRestOptions.makeRequest, (...held) => onHeld(...held)),
    });
    this.pacer = pacer;
    this.interactionRest = new REST({ ...options, globalRequestsPerSecond: Number.POSITIVE_INFINITY });
    // Listeners on this manager (rate-limit logs and metrics) see the interaction manager's events too.
    this.interactionRest.on('rateLimited', (info) => this.emit('rateLimited', info));
    this.interactionRest.on('response', (request, response) => this.emit('response', request, response));
    this.interactionRest.on('invalidRequestWarning', (info) => this.emit('invalidRequestWarning', info));
  }

  override queueRequest(request: QueuedRequest): ReturnType<REST['queueRequest']> {
    if (isInteractionRoute(request.fullRoute)) return this.interactionRest.queueRequest(request);
    return super.queueRequest(request);
  }

  override setToken(token: string): this {
    super.setToken(token);
    // REST's constructor does not call setToken, but discord.js's Client.destroy() sets it to null.
    this.interactionRest?.setToken(token);
    return this;
  }

  override clearHashSweeper(): void {
    super.clearHashSweeper();
    this.interactionRest.clearHashSweeper();
  }

  override clearHandlerSweeper(): void {
    super.clearHandlerSweeper();
    this.interactionRest.clearHandlerSweeper();
  }
}
