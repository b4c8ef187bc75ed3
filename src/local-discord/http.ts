import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';

export interface FaultMatch {
  method?: string;
  /** Compared with the request path without `/api/v10` and without the query string. */
  path?: string | RegExp;
}

export type FaultResponse =
  | { status: 429; retryAfter: number; global?: boolean; scope?: 'user' | 'shared' | 'global' }
  /**
   * Never answers, as when the connection to Discord is lost mid-request: the client waits until its own
   * timeout (or until it is killed). `handled: true` first handles the request (a message is stored, its
   * nonce remembered) and only loses the answer; by default the request never reaches Discord's store.
   */
  | { hang: true; handled?: boolean }
  /** Handled and answered normally, but only after `delayMs`: a slow Discord. */
  | { delayMs: number }
  /**
   * A server error. `handled: true` first handles the request (a message is stored, its nonce remembered) and answers
   * the error in place of its answer: a proxy's 502/504 after Discord took the post, or Discord failing after its write.
   */
  | { status: 500 | 502 | 503 | 504; handled?: boolean }
  | { status: number; body: unknown; headers?: Record<string, string> };

interface PendingFault {
  match: FaultMatch;
  response: FaultResponse;
  remaining: number;
}

/** Queued failures for matching requests (`failNext`), consumed in the order they were queued. */
export class FaultQueue {
  private readonly pending: PendingFault[] = [];

  add(match: FaultMatch, response: FaultResponse, times: number): void {
    this.pending.push({ match, response, remaining: times });
  }

  take(method: string, path: string): FaultResponse | undefined {
    const fault = this.pending.find((f) => f.remaining > 0 && matches(f.match, method, path));
    if (!fault) return undefined;
    fault.remaining -= 1;
    return fault.response;
  }

  clear(): void {
    this.pending.length = 0;
  }
}

function matches(match: FaultMatch, method: string, path: string): boolean {
  if (match.method && match.method.toUpperCase() !== method) return false;
  if (match.path === undefined) return true;
  return typeof match.path === 'string' ? match.path === path : match.path.test(path);
}

export interface HttpReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A stable bucket hash per route, as Discord's `X-RateLimit-Bucket`. */
export function bucketFor(route: string): string {
  return createHash('sha1').update(route).digest('hex').slice(0, 32);
}

/** Headers of a normal response: a roomy bucket that never makes discord.js wait. */
export function rateLimitHeaders(bucket: string): Record<string, string> {
  const resetAfter = 1;
  return {
    'X-RateLimit-Limit': '5',
    'X-RateLimit-Remaining': '4',
    'X-RateLimit-Reset': (Date.now() / 1000 + resetAfter).toFixed(3),
    'X-RateLimit-Reset-After': resetAfter.toFixed(3),
    'X-RateLimit-Bucket': bucket,
  };
}

export function faultReply(fault: Exclude<FaultResponse, { hang: true } | { delayMs: number }>, bucket: string): HttpReply {
  if ('retryAfter' in fault) {
    const global = fault.global ?? false;
    return {
      status: 429,
      headers: {
        'Retry-After': String(fault.retryAfter),
        'X-RateLimit-Limit': '5',
        'X-RateLimit-Remaining': '0',
        'X-RateLimit-Reset': (Date.now() / 1000 + fault.retryAfter).toFixed(3),
        'X-RateLimit-Reset-After': fault.retryAfter.toFixed(3),
        'X-RateLimit-Bucket': bucket,
        'X-RateLimit-Scope': global ? 'global' : (fault.scope ?? 'user'),
        ...(global ? { 'X-RateLimit-Global': 'true' } : {}),
      },
      body: { message: 'You are being rate limited.', retry_after: fault.retryAfter, global },
    };
  }
  if ('body' in fault) return { status: fault.status, body: fault.body, ...(fault.headers ? { headers: fault.headers } : {}) };
  return { status: fault.status, body: { message: `${fault.status}: Server Error`, code: 0 } };
}

export function send(response: ServerResponse, reply: HttpReply): void {
  const headers: Record<string, string> = { ...reply.headers };
  if (reply.status === 204 || reply.body === undefined) {
    response.writeHead(reply.status, headers).end();
    return;
  }
  if (Buffer.isBuffer(reply.body)) {
    response.writeHead(reply.status, headers).end(reply.body);
    return;
  }
  headers['Content-Type'] = 'application/json';
  response.writeHead(reply.status, headers).end(JSON.stringify(reply.body));
}
