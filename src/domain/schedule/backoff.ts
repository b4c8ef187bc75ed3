/** First retry after a failed post: 5 minutes. */
export const BACKOFF_BASE_MS = 5 * 60_000;
/**
 * Retries never wait longer than 6 hours, so a server whose channel is fixed in the morning
 * still gets that day's post; a post never carries over to the next day anyway.
 */
export const BACKOFF_MAX_MS = 6 * 60 * 60_000;

/**
 * How long to wait after `failures` consecutive failures: 0 for none, then 5, 10, 20, 40, 80,
 * 160, 320 minutes, then capped at 6 h (from the 8th failure on).
 */
export function backoffDelay(failures: number): number {
  if (Number.isNaN(failures) || failures < 1) return 0;
  return Math.min(BACKOFF_BASE_MS * 2 ** (Math.floor(failures) - 1), BACKOFF_MAX_MS);
}
