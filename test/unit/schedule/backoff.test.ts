import { describe, expect, it } from 'vitest';
import { BACKOFF_MAX_MS, backoffDelay, retryAfterFailure } from '../../../src/domain/schedule/backoff.js';

const MIN = 60_000;
// Post times that come before every failure below: the day of each failure is its local date.
const MIDNIGHT = { hour: 0, minute: 0 };

describe('backoffDelay', () => {
  it('does not wait before the first attempt', () => {
    expect(backoffDelay(0)).toBe(0);
    expect(backoffDelay(-3)).toBe(0);
    expect(backoffDelay(Number.NaN)).toBe(0);
  });

  it('starts at 5 minutes and doubles', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(backoffDelay)).toEqual([5, 10, 20, 40, 80, 160, 320].map((m) => m * MIN));
  });

  it('is capped at 6 hours, however many failures', () => {
    expect(BACKOFF_MAX_MS).toBe(6 * 60 * MIN);
    expect(backoffDelay(8)).toBe(BACKOFF_MAX_MS);
    expect(backoffDelay(1000)).toBe(BACKOFF_MAX_MS);
    expect(backoffDelay(Number.POSITIVE_INFINITY)).toBe(BACKOFF_MAX_MS);
  });
});

describe('retryAfterFailure', () => {
  const at = (iso: string) => new Date(iso);

  it('counts the failures of the post’s local day, and waits the backoff for that count', () => {
    const first = retryAfterFailure(at('2026-05-02T09:00:00Z'), { failures: 0, lastFailureAt: null }, '2026-05-02', MIDNIGHT, 'UTC');
    expect(first).toEqual({ failures: 1, retryAt: at('2026-05-02T09:05:00Z') });
    const third = retryAfterFailure(at('2026-05-02T09:20:00Z'), { failures: 2, lastFailureAt: at('2026-05-02T09:05:00Z') }, '2026-05-02', MIDNIGHT, 'UTC');
    expect(third).toEqual({ failures: 3, retryAt: at('2026-05-02T09:40:00Z') });
  });

  it('a post whose answer never came is tried again 30 s later three times (its nonce still holds), then backs off as usual from 5 minutes', () => {
    const retries = [0, 1, 2, 3, 4].map((before) =>
      retryAfterFailure(at('2026-05-02T09:00:00Z'), { failures: before, lastFailureAt: before === 0 ? null : at('2026-05-02T09:00:00Z') }, '2026-05-02', MIDNIGHT, 'UTC', { unanswered: true }),
    );
    expect(retries.map((r) => [r.failures, (r.retryAt.getTime() - at('2026-05-02T09:00:00Z').getTime()) / 1000])).toEqual([
      [1, 30],
      [2, 30],
      [3, 30],
      [4, 300],
      [5, 600],
    ]);
    // Still never past the day's end.
    expect(retryAfterFailure(at('2026-05-02T23:59:50Z'), { failures: 0, lastFailureAt: null }, '2026-05-02', MIDNIGHT, 'UTC', { unanswered: true }).retryAt).toEqual(at('2026-05-03T00:00:00Z'));
  });

  it('never waits past the end of the post’s local day, in the server’s zone', () => {
    // The 8th failure at 20:00 in Tokyo: 6 h would be 02:00 the next day there; the day ends at 00:00 (15:00Z).
    const late = retryAfterFailure(at('2026-05-02T11:00:00Z'), { failures: 7, lastFailureAt: at('2026-05-02T05:00:00Z') }, '2026-05-02', MIDNIGHT, 'Asia/Tokyo');
    expect(late).toEqual({ failures: 8, retryAt: at('2026-05-02T15:00:00Z') });
  });

  it('starts counting again on a new local day: yesterday’s failures do not lengthen today’s first wait', () => {
    const today = retryAfterFailure(at('2026-05-02T00:30:00Z'), { failures: 9, lastFailureAt: at('2026-05-01T23:00:00Z') }, '2026-05-02', MIDNIGHT, 'UTC');
    expect(today).toEqual({ failures: 1, retryAt: at('2026-05-02T00:35:00Z') });
    // The same instants are one local day in New York (20:30 and 19:00 on May 1): counted on.
    const sameDayThere = retryAfterFailure(at('2026-05-02T00:30:00Z'), { failures: 2, lastFailureAt: at('2026-05-01T23:00:00Z') }, '2026-05-01', MIDNIGHT, 'America/New_York');
    expect(sameDayThere).toEqual({ failures: 3, retryAt: at('2026-05-02T00:50:00Z') });
  });

  it('gives a post that a gap pushed past midnight its retries until the next day’s post time (America/Nuuk)', () => {
    // Saturday 2026-03-28's 23:30 never shows (22:59 −02:00 → Sunday 00:00 −01:00): it goes out at Sunday 00:00 (01:00Z).
    const time = { hour: 23, minute: 30 };
    const first = retryAfterFailure(at('2026-03-29T01:00:00Z'), { failures: 0, lastFailureAt: null }, '2026-03-28', time, 'America/Nuuk');
    expect(first).toEqual({ failures: 1, retryAt: at('2026-03-29T01:05:00Z') });
    // Counted on (the failure at Sunday 00:00 was Saturday's post), and cut at Sunday's own 23:30 (00:30Z on Monday).
    const late = retryAfterFailure(at('2026-03-29T22:00:00Z'), { failures: 7, lastFailureAt: at('2026-03-29T16:00:00Z') }, '2026-03-28', time, 'America/Nuuk');
    expect(late).toEqual({ failures: 8, retryAt: at('2026-03-30T00:30:00Z') });
  });
});
