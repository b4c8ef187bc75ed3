import { REST, type RESTOptions } from 'discord.js';

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
 */
export class InteractionAwareRest extends REST {
  /** Interaction-token routes only; created before any request, so never undefined afterwards. */
  readonly interactionRest: REST;

  constructor(options: Partial<RESTOptions> = {}) {
    super(options);
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
