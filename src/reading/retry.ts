/**
 * SQLSTATEs with which PostgreSQL aborts a transaction so that others can go on: a deadlock it broke
 * (40P01) or a serialization failure (40001). Running the same work again is then safe and usually
 * succeeds at once.
 */
const ABORTED_TO_LET_OTHERS_GO_ON = new Set(['40P01', '40001']);

export function isRetryableAbort(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && ABORTED_TO_LET_OTHERS_GO_ON.has(code);
}

/**
 * Runs `work` (a statement or a whole transaction) and runs it again, up to `attempts` times in all, when
 * the database aborted it to break a deadlock or a serialization conflict. Writers of the reading totals
 * take their locks in one order (see migration 2026-12-03-01-reading-history-writers), so this is a last defence, for writers
 * outside the bot (a script writing history in a long transaction) that may still cross a read.
 */
export async function retryIfAborted<T>(work: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts || !isRetryableAbort(error)) throw error;
    }
  }
}
