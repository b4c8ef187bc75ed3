import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { RESTOptions } from 'discord.js';

/**
 * Discord's global limit, kept where Discord counts it: on the wire.
 *
 * `@discordjs/rest` counts its global limit (50 requests/s) in fixed one-second windows, at the moment it lets a
 * request go. A burst at the end of one window and another at the start of the next, or requests that a busy event
 * loop writes later than they were let go, reach Discord at up to twice the limit within a second: the 1,000-server
 * fan-out on PGlite got 429s from the stand-in that way. The pacer sits in front of the request itself and admits a
 * request only while fewer than `limit` requests were written in the last `windowMs` (a sliding window) or are
 * admitted and not written yet. A request counts from the moment undici writes its headers (the documented
 * diagnostics channel `undici:client:sendHeaders`); one that fails before it is written gives its place back.
 *
 * Why that holds at the wire: take any window and the last-admitted request written in it. When it was admitted,
 * every other request written in that window was either written already (within `windowMs` before) or admitted and
 * not yet written, and the pacer counted both: so no window holds more than `limit` writes.
 *
 * Who goes first when requests wait: those asked `ahead` (reads, in pacedMakeRequest), in order, then the rest, in
 * order. The order changes who waits, never how many go in a window.
 */

export interface PacerOptions {
  /** Requests per window (Discord's global limit: 50). */
  readonly limit: number;
  /** The sliding window; a little over Discord's second leaves room for the network's jitter. */
  readonly windowMs: number;
  readonly now?: () => number;
}

/** A request admitted by the pacer: its place is taken until the window after its write has passed. */
export interface PacerTicket {
  /** Its headers were written (now): it counts in the window from this moment. */
  written(): void;
  /** It is over (answered or failed). Not written: its place is given back. */
  settled(): void;
}

interface Waiter {
  readonly admit: (ticket: PacerTicket) => void;
  readonly reject: (reason: unknown) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
}

export class GlobalPacer {
  /** Write times in the window, oldest first. */
  private readonly writes: number[] = [];
  /** Admitted and not yet written. */
  private unwritten = 0;
  /** Waiting to go before `waiters` (asked `ahead`), oldest first. */
  private readonly waitersAhead: Waiter[] = [];
  /** Waiting, oldest first. */
  private readonly waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly options: PacerOptions) {
    this.now = options.now ?? Date.now;
  }

  get limit(): number {
    return this.options.limit;
  }

  /** Requests that hold a place now (written in the window, or admitted and not written). */
  get inWindow(): number {
    this.forgetOld();
    return this.writes.length + this.unwritten;
  }

  /** Requests waiting for a place. */
  get waiting(): number {
    return this.waitersAhead.length + this.waiters.length;
  }

  /**
   * Resolves with a ticket once the request may go; rejects with the signal's reason if it aborts meanwhile.
   * `ahead`: it goes before every waiting request not asked ahead (still after those asked ahead before it).
   */
  acquire(signal?: AbortSignal, options: { readonly ahead?: boolean } = {}): Promise<PacerTicket> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const queue = options.ahead ? this.waitersAhead : this.waiters;
    const waitingBefore = options.ahead ? this.waitersAhead.length : this.waiting;
    if (waitingBefore === 0 && this.inWindow < this.options.limit) return Promise.resolve(this.admit());
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        admit: resolve,
        reject,
        signal,
        onAbort: () => {
          const index = queue.indexOf(waiter);
          if (index >= 0) queue.splice(index, 1);
          reject(signal?.reason);
          this.drain();
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      queue.push(waiter);
      this.schedule();
    });
  }

  private admit(): PacerTicket {
    this.unwritten += 1;
    let state: 'admitted' | 'written' | 'settled' = 'admitted';
    return {
      written: () => {
        if (state !== 'admitted') return;
        state = 'written';
        this.unwritten -= 1;
        this.writes.push(this.now());
        this.schedule();
      },
      settled: () => {
        if (state === 'admitted') {
          this.unwritten -= 1;
          this.drain();
        }
        state = 'settled';
      },
    };
  }

  private forgetOld(): void {
    const since = this.now() - this.options.windowMs;
    let old = 0;
    while (old < this.writes.length && this.writes[old]! <= since) old += 1;
    if (old > 0) this.writes.splice(0, old);
  }

  /** Admits waiters while there is room: those asked ahead first, each queue in order. */
  private drain(): void {
    while (this.waiting > 0 && this.inWindow < this.options.limit) {
      const waiter = (this.waitersAhead.shift() ?? this.waiters.shift())!;
      waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.admit(this.admit());
    }
    this.schedule();
  }

  /** Wakes up when the oldest write leaves the window, if someone waits for it. */
  private schedule(): void {
    if (this.timer !== undefined || this.waiting === 0) return;
    this.forgetOld();
    const oldest = this.writes[0];
    // Nothing written yet in the window: the next write or a release (settled unwritten) calls drain.
    if (oldest === undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.drain();
    }, Math.max(1, oldest + this.options.windowMs - this.now() + 1));
  }
}

type MakeRequest = RESTOptions['makeRequest'];

interface SentHeaders {
  readonly request: { readonly origin?: unknown; readonly method?: unknown; readonly path?: unknown };
}

const SEND_HEADERS = 'undici:client:sendHeaders';

/**
 * `makeRequest` (the REST option) through the pacer: each request waits for its place, and counts from the moment
 * undici writes it. Writes are matched to requests by method and URL (two requests alike are interchangeable for
 * the count); writes of requests that did not pass here (interaction routes, other clients) are not counted.
 */
export function pacedMakeRequest(
  pacer: GlobalPacer,
  makeRequest: MakeRequest,
  /** Called after a request waited for its place (not when it went at once). */
  onHeld?: (waitedMs: number, method: string, url: string) => void,
): MakeRequest {
  const unwritten = new Map<string, PacerTicket[]>();
  let listening = false;
  const onHeaders = (message: unknown) => {
    const { request } = message as SentHeaders;
    const key = wireKey(String(request.method), `${String(request.origin)}${String(request.path)}`);
    unwritten.get(key)?.shift()?.written();
    forgetIfDone(key);
  };
  const forgetIfDone = (key: string) => {
    if (unwritten.get(key)?.length === 0) unwritten.delete(key);
    // Nothing to count: undici need not publish its writes.
    if (unwritten.size === 0 && listening) {
      unsubscribe(SEND_HEADERS, onHeaders);
      listening = false;
    }
  };

  return async (url, init) => {
    const asked = Date.now();
    // A read goes before waiting writes: the bot reads only for what someone waits on (a moderator's `/schedule
    // set` checking a channel it does not keep yet, a post checking a channel written by something else), while
    // what waits in numbers is a fan-out's posts, which each read delays by one place out of 50 a second.
    const method = init.method ?? 'GET';
    const ticket = await pacer.acquire(init.signal ?? undefined, { ahead: method.toUpperCase() === 'GET' });
    const waitedMs = Date.now() - asked;
    if (waitedMs > 0) onHeld?.(waitedMs, method, url);
    const key = wireKey(method, url);
    const tickets = unwritten.get(key) ?? [];
    tickets.push(ticket);
    unwritten.set(key, tickets);
    if (!listening) {
      subscribe(SEND_HEADERS, onHeaders);
      listening = true;
    }
    try {
      return await makeRequest(url, init);
    } finally {
      const index = tickets.indexOf(ticket);
      if (index >= 0) tickets.splice(index, 1);
      forgetIfDone(key);
      ticket.settled();
    }
  };
}

function wireKey(method: string, url: string): string {
  const parsed = new URL(url);
  return `${method.toUpperCase()} ${parsed.origin}${parsed.pathname}${parsed.search}`;
}
