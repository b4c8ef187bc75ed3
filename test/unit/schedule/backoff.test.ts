import { describe, expect, it } from 'vitest';
import { BACKOFF_MAX_MS, backoffDelay } from '../../../src/domain/schedule/backoff.js';

const MIN = 60_000;

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
