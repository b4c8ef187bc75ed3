import type {
  DatabaseConnection,
  Dialect,
  Driver,
  Kysely,
  PostgresPool,
  PostgresPoolClient,
  TransactionSettings,
} from 'kysely';
import type pg from 'pg';
import { TemporarilyUnavailableError } from '../unavailable-error.js';
import { DatabaseDownGate, QUERY_READ_TIMEOUT, saysServerDown } from './down-gate.js';
import { preparedName } from './prepared.js';

/**
 * How long the database may take before the bot gives up and the member is asked to try again. Discord
 * drops an interaction not answered within 3 s (the bot defers after 1.5 s and then has 15 minutes, but a
 * member staring at "thinking…" for longer is the failure being avoided); every database call on a
 * command's path takes milliseconds when the database is well, so these bounds only bite when it is not.
 */
export interface DatabaseTimeouts {
  /** Connecting, and waiting for a free connection from the pool. */
  readonly connectMs: number;
  /** One statement: the server cancels it after this (a lock held elsewhere, a runaway plan). */
  readonly statementMs: number;
  /**
   * One statement as the client sees it: a frozen server never answers, so the client stops waiting a
   * little after the server would have cancelled, and the connection is thrown away.
   */
  readonly queryMs: number;
}

export const DEFAULT_TIMEOUTS: DatabaseTimeouts = { connectMs: 2_000, statementMs: 1_500, queryMs: 2_000 };

/** Migrations may build indexes on big tables: no statement bound, a generous connect bound. */
export const MIGRATION_TIMEOUTS: DatabaseTimeouts = { connectMs: 10_000, statementMs: 0, queryMs: 0 };

/**
 * The lessons CLI: an operator's batch job (a 10,000-file import, a whole-library recomputation), where
 * no member waits on an answer, so a statement may take longer than a command's; still bounded.
 */
export const BATCH_TIMEOUTS: DatabaseTimeouts = { connectMs: 10_000, statementMs: 120_000, queryMs: 120_500 };

/**
 * The table upkeep's own connection (operations/table-upkeep.ts): VACUUM and ANALYZE of a big table take seconds to
 * minutes, and no member waits on them; still bounded, so a lock held elsewhere cannot hold it for ever.
 */
export const UPKEEP_TIMEOUTS: DatabaseTimeouts = { connectMs: 2_000, statementMs: 600_000, queryMs: 600_500 };

/** The database did not answer in time; the member sees the usual "try again in a moment". */
export class DatabaseTimeoutError extends TemporarilyUnavailableError {
  override readonly name = 'DatabaseTimeoutError';
}

/** pg settings for a pool with these bounds. Idle transactions are ended by the server too, so no lock outlives a crash for long. */
export function poolTimeoutSettings(timeouts: DatabaseTimeouts): pg.PoolConfig {
  return {
    connectionTimeoutMillis: timeouts.connectMs,
    ...(timeouts.statementMs > 0
      ? { statement_timeout: timeouts.statementMs, lock_timeout: timeouts.statementMs, idle_in_transaction_session_timeout: 10 * timeouts.statementMs }
      : {}),
    ...(timeouts.queryMs > 0 ? { query_timeout: timeouts.queryMs } : {}),
    keepAlive: true,
  };
}

/**
 * A pg pool for Kysely whose clients are thrown away after a client-side timeout. pg keeps waiting for
 * the answer to a timed-out query on that connection, so every later query on it (Kysely's ROLLBACK
 * first) would wait behind it: one more full timeout per statement. A thrown-away connection fails
 * the rest at once, and the pool opens a fresh one when the server is back. While the server does not answer at
 * all, only one request at a time is let through to find out whether it is back (DatabaseDownGate).
 */
export function discardingTimedOutClients(pool: pg.Pool): PostgresPool {
  const gate = new DatabaseDownGate();
  return {
    async connect(): Promise<PostgresPoolClient> {
      const admitted = gate.enter();
      if (!admitted) throw new DatabaseTimeoutError(NOT_ANSWERING);
      let probing = admitted.probe;
      const probeDone = () => {
        if (!probing) return;
        probing = false;
        gate.probeEnded();
      };
      const client = await pool.connect().catch((error: unknown) => {
        if (saysServerDown(error)) gate.unanswered();
        probeDone();
        throw asTimeout(error);
      });
      let broken: Error | undefined;
      return {
        query: ((sql: unknown, parameters: unknown) => {
          if (broken) return Promise.reject(broken);
          // Marked statements (prepared.ts) go as named prepared statements: parsed and planned once per connection.
          const name = preparedName(sql as string);
          const sent = name
            ? client.query({ name, text: sql as string, values: parameters as unknown[] })
            : client.query(sql as string, parameters as unknown[]);
          return (sent as Promise<unknown>).then(
            (result) => {
              gate.answered();
              probeDone();
              return result;
            },
            (error: unknown) => {
              // An error the server sent (a cancelled statement, a constraint) is an answer; a lost connection is
              // this connection's (see DatabaseDownGate).
              if (isServerAnswer(error)) gate.answered();
              else if (error instanceof Error && error.message === QUERY_READ_TIMEOUT) gate.unanswered();
              probeDone();
              const timeout = asTimeout(error);
              if (timeout instanceof DatabaseTimeoutError) broken = timeout;
              throw timeout;
            },
          );
        }) as PostgresPoolClient['query'],
        release: (destroy?: boolean) => {
          probeDone();
          client.release(destroy || broken !== undefined);
        },
      };
    },
    end: () => pool.end(),
  };
}

/** What a request that is not let through while the database does not answer is told (logged with it). */
const NOT_ANSWERING = 'the database is not answering (one request at a time asks whether it is back)';

/** An error the server sent (pg's DatabaseError has its severity), other than the notice that it is shutting down. */
function isServerAnswer(error: unknown): boolean {
  return typeof (error as { severity?: unknown } | undefined)?.severity === 'string' && !saysServerDown(error);
}

function asTimeout(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  if (error.message === QUERY_READ_TIMEOUT) return new DatabaseTimeoutError('the database did not answer in time', { cause: error });
  if (/timeout exceeded when trying to connect|Connection terminated due to connection timeout/u.test(error.message)) {
    return new DatabaseTimeoutError('no database connection in time', { cause: error });
  }
  return error;
}

/**
 * PGlite has one connection, handed out in turn: a caller waiting longer than `acquireMs` for it (a long
 * import holding it, say) gets DatabaseTimeoutError instead of waiting without end. PGlite runs each
 * statement to its end in this process, so a statement itself cannot be cut short.
 */
export function boundedAcquire(dialect: Dialect, acquireMs: number): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createIntrospector: (db: Kysely<unknown>) => dialect.createIntrospector(db),
    createDriver: () => new BoundedAcquireDriver(dialect.createDriver(), acquireMs),
  };
}

class BoundedAcquireDriver implements Driver {
  constructor(
    private readonly inner: Driver,
    private readonly acquireMs: number,
  ) {}

  init(): Promise<void> {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const pending = this.inner.acquireConnection();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DatabaseTimeoutError('the embedded database was busy for too long')), this.acquireMs);
    });
    try {
      return await Promise.race([pending, timeout]);
    } catch (error) {
      // Given up on: hand the connection back as soon as it comes, or the queue would stall behind it.
      if (error instanceof DatabaseTimeoutError) void pending.then((connection) => this.inner.releaseConnection(connection));
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.inner.beginTransaction(connection, settings);
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.commitTransaction(connection);
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.rollbackTransaction(connection);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(connection);
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

