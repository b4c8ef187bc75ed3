import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, apiErrors } from './errors.js';
import { bucketFor, FaultQueue, faultReply, rateLimitHeaders, send, type HttpReply } from './http.js';
import type { UploadedFile } from './objects.js';
import { matchRoute, type RouteDefinition, type RouteDeps } from './router.js';
import { channelRoutes } from './routes-channels.js';
import { commandRoutes } from './routes-commands.js';
import { miscRoutes } from './routes-misc.js';
import type { ChangeSignal } from './waiting.js';
import { BodyTooLargeError, readBody, type JsonBody, type ParsedBody } from './uploads.js';

export const API_PREFIX = '/api/v10';
const GLOBAL_WINDOW_MS = 900;

const ROUTES: readonly RouteDefinition[] = [...miscRoutes, ...commandRoutes, ...channelRoutes];

/** One REST request as the stand-in received it. */
export interface RecordedRequest {
  method: string;
  /** Without `/api/v10` and without the query string, e.g. `/channels/123/messages`. */
  path: string;
  query: Record<string, string>;
  /** Parsed JSON, or the `payload_json` of a multipart body. */
  body: JsonBody;
  files: UploadedFile[];
  /** Lower-case header names. */
  headers: Record<string, string>;
  at: number;
  /** performance.now() once the whole request had arrived, before the stand-in handled it (when Discord would have it). */
  receivedAt: number;
  status: number;
  /** The matched route pattern, e.g. `/channels/:channelId/messages`. */
  route?: string;
  /** The error body answered (status 400 and up): Discord's `{ message, code, errors? }`. */
  error?: unknown;
  /** True when no route matched (answered 404 `{ message: '404: Not Found', code: 0 }`). */
  unexpected: boolean;
  /** True when `failNext` answered this request (or delayed it, or left it hanging). */
  fault: boolean;
  /** True when a `{ hang: true }` fault left this request unanswered (`status` is 0 unless it was handled). */
  hung: boolean;
}

export interface RestOptions {
  deps: RouteDeps;
  acceptToken: (token: string) => boolean;
  signal: ChangeSignal;
  problem: (message: string) => void;
  maxRecordedRequests: number;
  /** Discord's global limit on requests made with the bot's token (interaction routes are exempt); off if unset. */
  globalLimitPerSecond?: number;
}

/** The REST half: records every request, applies queued faults, checks auth, routes, answers. */
export class RestApi {
  readonly requests: RecordedRequest[] = [];
  readonly faults = new FaultQueue();
  /** Requests answered 429 because the global limit was exceeded. */
  globalLimited = 0;
  private globalWindow = { start: 0, count: 0 };

  constructor(private readonly options: RestOptions) {}

  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const method = (request.method ?? 'GET').toUpperCase();
    if (method === 'GET' && url.pathname.startsWith('/attachments/')) {
      send(response, this.attachment(url.pathname));
      return;
    }
    const at = Date.now();
    const apiPath = url.pathname.startsWith(`${API_PREFIX}/`) ? url.pathname.slice(API_PREFIX.length) : undefined;
    const path = apiPath ?? url.pathname;
    let parsed: ParsedBody = { body: null, files: [] };
    let parseError: ApiError | undefined;
    try {
      parsed = await readBody(request);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      parseError = error;
    }
    const receivedAt = performance.now();
    const match = apiPath === undefined ? undefined : matchRoute(ROUTES, method, apiPath);
    const bucket = bucketFor(`${method} ${match?.route.pattern ?? path}`);
    const fault = this.faults.take(method, path);
    const hang = fault && 'hang' in fault ? fault : undefined;
    if (fault && 'delayMs' in fault) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    const faulted = fault && !('hang' in fault) && !('delayMs' in fault) ? fault : undefined;
    // A server error after the request was handled: handled as any request below, then answered with the error.
    const answeredByFault = faulted && !('handled' in faulted && faulted.handled === true) ? faulted : undefined;

    let reply: HttpReply;
    if (answeredByFault) reply = faultReply(answeredByFault, bucket);
    else if (hang && !hang.handled) reply = { status: 0 };
    else if (parseError instanceof BodyTooLargeError) reply = { ...errorReply(parseError), headers: { Connection: 'close' } };
    else if (!match) reply = errorReply(apiErrors.notFound());
    else if (match.route.auth && this.overGlobalLimit(at)) {
      this.globalLimited += 1;
      reply = faultReply({ status: 429, retryAfter: Math.max(0, this.globalWindow.start + GLOBAL_WINDOW_MS - at) / 1000, global: true }, bucket);
    }
    else if (parseError) reply = errorReply(parseError);
    else if (match.route.auth && !this.authorized(request.headers)) reply = errorReply(apiErrors.unauthorized());
    else {
      try {
        reply = match.route.handle({ method, params: match.params, query: url.searchParams, ...parsed, deps: this.options.deps });
      } catch (error) {
        if (!(error instanceof ApiError)) {
          this.options.problem(`discord stand-in: ${method} ${path} failed inside the stand-in: ${String((error as Error).stack ?? error)}`);
        }
        reply = error instanceof ApiError ? errorReply(error) : { status: 500, body: { message: '500: Internal Server Error', code: 0 } };
      }
    }
    if (faulted && !answeredByFault) reply = faultReply(faulted, bucket);
    if (!faulted && reply.status !== 429) reply = { ...reply, headers: { ...rateLimitHeaders(bucket), ...reply.headers } };
    // A hung request is left open (never answered); close() ends its connection.
    if (!hang) send(response, reply);

    const recorded: RecordedRequest = {
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      body: parsed.body,
      files: parsed.files,
      headers: flattenHeaders(request.headers),
      at,
      receivedAt,
      status: reply.status,
      ...(match ? { route: match.route.pattern } : {}),
      unexpected: !match,
      fault: fault !== undefined,
      hung: hang !== undefined,
      ...(reply.status >= 400 ? { error: reply.body } : {}),
    };
    this.requests.push(recorded);
    // A long-running local Discord (the playground) keeps the newest requests only.
    if (this.requests.length > this.options.maxRecordedRequests) this.requests.splice(0, this.requests.length - this.options.maxRecordedRequests);
    this.options.deps.state.events.emit({ type: 'request', request: recorded });
    this.options.signal.notify();
  }

  /**
   * Counts a bot-token request in the current one-second window, which starts with the first request after the
   * previous one ended (as discord.js counts). The window is 100 ms short of a second so that the jitter of a
   * loaded machine between a client's window and ours is not taken for a breach; a burst over the limit is.
   * Discord's interaction callbacks, `@original` edits and follow-ups (the routes without `auth`) are not bound
   * to the global limit, so they are not counted.
   */
  private overGlobalLimit(at: number): boolean {
    const limit = this.options.globalLimitPerSecond;
    if (limit === undefined) return false;
    if (at - this.globalWindow.start >= GLOBAL_WINDOW_MS) this.globalWindow = { start: at, count: 0 };
    this.globalWindow.count += 1;
    return this.globalWindow.count > limit;
  }

  private authorized(headers: IncomingHttpHeaders): boolean {
    const header = headers.authorization ?? '';
    return header.startsWith('Bot ') && this.options.acceptToken(header.slice(4));
  }

  private attachment(pathname: string): HttpReply {
    const [, , id, filename] = pathname.split('/');
    const stored = this.options.deps.state.attachments.get(`${id}/${decodeURIComponent(filename ?? '')}`);
    if (!stored) return { status: 404, body: { message: '404: Not Found', code: 0 } };
    return { status: 200, body: stored.data, headers: { 'Content-Type': stored.contentType } };
  }
}

function errorReply(error: ApiError): HttpReply {
  return { status: error.status, body: error.toBody() };
}

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}
