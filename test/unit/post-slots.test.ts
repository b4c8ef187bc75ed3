import { describe, expect, it } from 'vitest';
import { runInSlots } from '../../src/delivery/post-slots.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('runInSlots', () => {
  it('runs every item in order, never more than `concurrency` at once while each is quick, and settles after the last', async () => {
    let running = 0;
    let most = 0;
    const started: number[] = [];
    await runInSlots(
      Array.from({ length: 20 }, (_, index) => index),
      async (item) => {
        started.push(item);
        running += 1;
        most = Math.max(most, running);
        await tick();
        running -= 1;
        if (item === 7) throw new Error('one item’s failure is its own');
      },
      { concurrency: 3, slowAfterMs: 60_000 },
    );
    expect(started).toEqual(Array.from({ length: 20 }, (_, index) => index));
    expect(most).toBe(3);
    expect(running).toBe(0);
  });

  it('lets the next item start beside one slower than `slowAfterMs`, and waits for the slow one to settle', async () => {
    let releaseSlow!: () => void;
    const slow = new Promise<void>((resolve) => (releaseSlow = resolve));
    const done: number[] = [];
    let settled = false;
    const all = runInSlots(
      [0, 1, 2],
      async (item) => {
        if (item === 0) await slow;
        done.push(item);
      },
      { concurrency: 1, slowAfterMs: 20 },
    ).then(() => (settled = true));
    while (done.length < 2) await tick();
    expect(done).toEqual([1, 2]);
    expect(settled).toBe(false);
    releaseSlow();
    await all;
    expect(done).toEqual([1, 2, 0]);
  });

  it('settles at once for no items', async () => {
    await expect(runInSlots([], async () => undefined, { concurrency: 8, slowAfterMs: 1 })).resolves.toBeUndefined();
  });
});
