/**
 * While PostgreSQL does not answer at all (frozen, stopped, restarting, unreachable), one request at a time asks it
 * whether it is back, and every other request fails at once instead of waiting out the connect and statement bounds.
 *
 * Why: under members' load every request made during an outage otherwise waits its 2 s (deferred at 1.5 s, then
 * the apology), and the requests queued for the pool when the server comes back all run at once: with PostgreSQL
 * frozen for 20 s under 200 interactions a second, the first answers of the interactions around the thaw came
 * 1.7–2.9 s after their dispatch, against Discord's 3 s (BENCHMARKS.md, "PostgreSQL stopped and frozen under the load").
 *
 * "Down" is only what says the server is not answering: a statement without an answer within the client's bound, or
 * a new connection that could not be opened (refused, unreachable, timed out, the server starting up or shutting
 * down). A statement the server cancelled (its timeout, a lock) or an SQL error is an answer; a wait for a busy pool
 * is overload; one open connection lost (a backend ended by an administrator, an idle connection dropped by the
 * network) says nothing of the others.
 */
export class DatabaseDownGate {
  private down = false;
  private probing = false;

  /** Before taking a connection: `probe` when this request is the one that asks, undefined when it should fail now. */
  enter(): { readonly probe: boolean } | undefined {
    if (!this.down) return { probe: false };
    if (this.probing) return undefined;
    this.probing = true;
    return { probe: true };
  }

  /** The server answered a statement (a result or an error of its own): it is up. */
  answered(): void {
    this.down = false;
  }

  /** The server did not answer: a statement timed out without a word, or a new connection could not be opened. */
  unanswered(): void {
    this.down = true;
  }

  /** The probe's request is done with the server (answered, failed or gave up). */
  probeEnded(): void {
    this.probing = false;
  }

  get isDown(): boolean {
    return this.down;
  }
}

/** pg's message for a statement that got no answer within the client's bound (`query_timeout`). */
export const QUERY_READ_TIMEOUT = 'Query read timeout';
/** pg's messages for a statement or a connection that never got an answer (no SQLSTATE of their own). */
const NO_ANSWER = new Set([
  QUERY_READ_TIMEOUT,
  'Connection terminated unexpectedly',
  'Connection terminated due to connection timeout',
  'Client has encountered a connection error and is not queryable',
]);
/** Socket errors of a server that is not there. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);
/** admin_shutdown, crash_shutdown, cannot_connect_now (starting up or shutting down). */
const SHUTTING_DOWN = new Set(['57P01', '57P02', '57P03']);

export function saysServerDown(error: unknown): boolean {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 4; cause = cause.cause, depth++) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code !== undefined && (UNREACHABLE.has(code) || SHUTTING_DOWN.has(code))) return true;
    if (NO_ANSWER.has(cause.message)) return true;
    if (cause instanceof AggregateError && cause.errors.some(saysServerDown)) return true;
  }
  return false;
}
