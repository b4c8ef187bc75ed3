import { describe, expect, it } from 'vitest';
import { isRetryableAbort, retryIfAborted } from '../../../src/reading/retry.js';

/** An error as pg reports a server error: the SQLSTATE in `code`. */
const aborted = (code: string) => Object.assign(new Error(code === '40P01' ? 'deadlock detected' : 'could not serialize access'), { code });

describe('running a write again after the database aborted it', () => {
  it('retries a deadlock or a serialization failure, and nothing else', () => {
    expect(isRetryableAbort(aborted('40P01'))).toBe(true);
    expect(isRetryableAbort(aborted('40001'))).toBe(true);
    expect(isRetryableAbort(aborted('23505'))).toBe(false);
    expect(isRetryableAbort(new Error('timeout'))).toBe(false);
    expect(isRetryableAbort(undefined)).toBe(false);
  });

  it('runs the work again until it succeeds, within 3 attempts', async () => {
    let calls = 0;
    const result = await retryIfAborted(async () => {
      calls += 1;
      if (calls < 3) throw aborted('40P01');
      return 'done';
    });
    expect(result).toBe('done');
    expect(calls).toBe(3);
  });

  it('gives up after 3 attempts, and at once on any other error', async () => {
    let calls = 0;
    await expect(
      retryIfAborted(async () => {
        calls += 1;
        throw aborted('40P01');
      }),
    ).rejects.toMatchObject({ code: '40P01' });
    expect(calls).toBe(3);
    calls = 0;
    await expect(
      retryIfAborted(async () => {
        calls += 1;
        throw aborted('23505');
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect(calls).toBe(1);
  });
});
