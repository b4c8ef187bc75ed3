import { postDayAt, postDayEnds } from './due.js';
import type { LocalDate } from './local-dates.js';
import type { PostTime } from './post-time.js';

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

/**
 * After a failed daily post: the failures counted for its post day (1 on a new day: yesterday's failures say
 * nothing of today's channel) and when to try again, after the backoff but never past the day's end (postDayEnds:
 * for a post that a gap pushed past midnight, the next day's post time). Until
 * 2026-12-07 both carried over: a post time early in the day waited out yesterday's 6 h backoff (4.5 h late).
 */
export function retryAfterFailure(
  failedAt: Date,
  before: { readonly failures: number; readonly lastFailureAt: Date | null },
  day: LocalDate,
  time: PostTime,
  zone: string,
  options: { readonly unanswered?: boolean } = {},
): { failures: number; retryAt: Date } {
  const sameDay = before.lastFailureAt !== null && postDayAt(before.lastFailureAt, time, zone) === day;
  const failures = sameDay ? before.failures + 1 : 1;
  const dayEnds = postDayEnds(day, time, zone);
  const delay = options.unanswered ? unansweredDelay(failures) : backoffDelay(failures);
  return { failures, retryAt: new Date(Math.min(failedAt.getTime() + delay, Math.max(dayEnds.getTime(), failedAt.getTime()))) };
}

/**
 * A post whose answer never came (the connection refused or cut: a REST proxy restarting, a network blip), or came as
 * a server error, may have reached Discord, which recognises its nonce again only for a few minutes: its first UNANSWERED_QUICK_TRIES
 * retries come UNANSWERED_RETRY_MS apart (at the next tick), then the usual backoff. Until 2026-12-07 the first retry
 * came after 5 minutes: a REST proxy restarted mid-fan-out made most posts 6 minutes late, and two of them twice.
 */
export const UNANSWERED_RETRY_MS = 30_000;
export const UNANSWERED_QUICK_TRIES = 3;

function unansweredDelay(failures: number): number {
  return failures <= UNANSWERED_QUICK_TRIES ? UNANSWERED_RETRY_MS : backoffDelay(failures - UNANSWERED_QUICK_TRIES);
}
