import pg from 'pg';

/** The channel of migration 2026-12-04-01 (library change notices): the payload is the changed table's name. */
export const LIBRARY_CHANNEL = 'newsdesk_library';

/** Tables whose writes are announced there. */
export type ChangedTable = 'lessons' | 'lesson_vocabularies' | 'schedules' | 'deliveries' | 'lesson_plans';

/**
 * A request, not a table's change, on the same channel: lessons were left without vocabulary for the bot's background
 * job (a big import of the lessons CLI: vocabulary.ts, askForVocabularyCatchUp).
 */
export const VOCABULARY_WANTED = 'vocabulary_wanted';

export interface ChangeFeed {
  /** True while the feed LISTENs: every committed change since is reported. Caches may serve only then. */
  readonly live: boolean;
  /** Resolves true once the feed is live, or false after `timeoutMs` (or when closed) if it is not. */
  untilLive(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export interface ChangeFeedHandlers {
  /** A committed write to `table`, by any process; `null`: anything may have changed (the feed was down). */
  onChange(table: ChangedTable | null): void;
  /** Another process left lessons without vocabulary for the bot's background job (VOCABULARY_WANTED). */
  onVocabularyWanted?(): void;
  /** Listening again after a loss (not at the first start): a notice sent meanwhile, VOCABULARY_WANTED included, was missed. */
  onListeningAgain?(): void;
  onError?(error: Error): void;
  /** Delays between attempts to listen again (RETRY_MS unless given; tests). */
  retryMs?: { readonly first: number; readonly max: number };
  /** How long the LISTEN may take before the attempt counts as failed (LISTEN_TIMEOUT_MS unless given; tests). */
  listenTimeoutMs?: number;
  /** Between round trips while listening (HEARTBEAT_MS unless given; tests). */
  heartbeatMs?: number;
}

/**
 * Between attempts to listen again: growing, but at most 5 s, so the caches are back within ~5 s of the database,
 * however long it was gone (with 30 s, a 24 s outage left them off for 7.4 s after PostgreSQL's return, the library's
 * reads going to the database: BENCHMARKS.md, "PostgreSQL stopped and frozen under the load"). An attempt every 5 s
 * while it is gone is one refused connection.
 */
const RETRY_MS = { first: 500, max: 5_000 };

/** A LISTEN is answered in milliseconds; one unanswered this long is a server that will not answer on that connection. */
const LISTEN_TIMEOUT_MS = 5_000;

/**
 * While listening, one round trip this often (bounded as the LISTEN is). A connection cut off without a reset (a
 * failover to another host, a NAT or firewall that forgot the idle connection, a network cut) brings no error: the
 * feed counted as live, and the caches served what other processes had changed since, until TCP's keepalive gave up
 * (over two hours). Now it is lost within HEARTBEAT_MS + LISTEN_TIMEOUT_MS, and the traffic keeps the connection
 * from looking idle.
 */
const HEARTBEAT_MS = 30_000;

/**
 * LISTENs for the library's change notices on a connection of its own (not the pool's: a listening
 * connection must stay open, and a pool hands its connections around). When the connection is lost, the
 * feed is not live and reports `null` (a notice may be missed while it is down), then reconnects with a
 * growing delay; once listening again it reports `null` once more and is live.
 */
export function watchLibraryChanges(url: string, handlers: ChangeFeedHandlers): ChangeFeed {
  let live = false;
  let wasLiveOnce = false;
  let closed = false;
  let client: pg.Client | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  const retry = handlers.retryMs ?? RETRY_MS;
  let delay = retry.first;
  const waiting = new Set<(live: boolean) => void>();
  const tellWaiting = (now: boolean) => {
    for (const resolve of waiting) resolve(now);
    waiting.clear();
  };

  const lost = (error?: Error) => {
    if (error) handlers.onError?.(error);
    const wasLive = live;
    live = false;
    clearInterval(heartbeat);
    heartbeat = undefined;
    const dead = client;
    client = undefined;
    dead?.removeAllListeners();
    dead?.on('error', () => undefined);
    void dead?.end().catch(() => undefined);
    if (wasLive) handlers.onChange(null);
    if (!closed && retryTimer === undefined) {
      retryTimer = setTimeout(() => {
        retryTimer = undefined;
        void connect();
      }, delay);
      retryTimer.unref();
      delay = Math.min(delay * 2, retry.max);
    }
  };

  const connect = async () => {
    // Bounded like every other call: a server that takes the connection and then never answers the LISTEN (frozen,
    // or cut off without a reset) fails it in 5 s and is tried again, rather than leaving the caches off for hours.
    const next = new pg.Client({ connectionString: url, keepAlive: true, connectionTimeoutMillis: 5_000, query_timeout: handlers.listenTimeoutMs ?? LISTEN_TIMEOUT_MS });
    client = next;
    next.on('error', (error) => lost(error));
    next.on('end', () => {
      if (client === next) lost();
    });
    next.on('notification', (message) => {
      if (message.channel !== LIBRARY_CHANNEL) return;
      if (message.payload === VOCABULARY_WANTED) handlers.onVocabularyWanted?.();
      else handlers.onChange((message.payload ?? null) as ChangedTable | null);
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${LIBRARY_CHANNEL}`);
      if (closed || client !== next) {
        await next.end().catch(() => undefined);
        return;
      }
      // Whatever changed before this connection listened was not announced to it.
      handlers.onChange(null);
      live = true;
      let beating = false;
      heartbeat = setInterval(() => {
        if (beating || client !== next) return;
        beating = true;
        next.query('select 1').then(
          () => (beating = false),
          (error: unknown) => {
            beating = false;
            if (client === next) lost(error as Error);
          },
        );
      }, handlers.heartbeatMs ?? HEARTBEAT_MS);
      heartbeat.unref();
      delay = retry.first;
      tellWaiting(true);
      if (wasLiveOnce) handlers.onListeningAgain?.();
      wasLiveOnce = true;
    } catch (error) {
      if (client === next) lost(error as Error);
    }
  };

  void connect();
  return {
    get live() {
      return live;
    },
    untilLive(timeoutMs: number) {
      if (live || closed) return Promise.resolve(live);
      return new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => {
          waiting.delete(done);
          resolve(false);
        }, timeoutMs);
        const done = (now: boolean) => {
          clearTimeout(timer);
          resolve(now);
        };
        waiting.add(done);
      });
    },
    async close() {
      closed = true;
      live = false;
      tellWaiting(false);
      clearTimeout(retryTimer);
      clearInterval(heartbeat);
      const last = client;
      client = undefined;
      last?.removeAllListeners();
      last?.on('error', () => undefined);
      await last?.end().catch(() => undefined);
    },
  };
}
