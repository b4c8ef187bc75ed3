/**
 * Runs `run` for each item in order, at most `concurrency` at once, except that a run slower than `slowAfterMs`
 * stops holding its place: the next item starts beside it. So a few posts that hang (a request discord.js waits
 * 15 s for, four times, before it gives up) cannot hold up every other server's post of the batch for a minute,
 * while posts that go as usual (well under a second each) are still at most `concurrency` at once. Resolves once
 * every run has settled; a run's failure is its own (`run` reports it), never the batch's.
 */
export function runInSlots<T>(
  items: readonly T[],
  run: (item: T) => Promise<unknown>,
  options: { readonly concurrency: number; readonly slowAfterMs: number },
): Promise<void> {
  const concurrency = Math.max(1, options.concurrency);
  return new Promise((resolve) => {
    let next = 0;
    let holding = 0;
    let unsettled = 0;
    const startMore = (): void => {
      while (holding < concurrency && next < items.length) {
        const item = items[next++] as T;
        holding += 1;
        unsettled += 1;
        let held = true;
        const release = () => {
          if (!held) return;
          held = false;
          holding -= 1;
          startMore();
        };
        const slow = setTimeout(release, options.slowAfterMs);
        slow.unref();
        void Promise.resolve()
          .then(() => run(item))
          .catch(() => undefined)
          .finally(() => {
            clearTimeout(slow);
            unsettled -= 1;
            release();
            if (unsettled === 0 && next >= items.length) resolve();
          });
      }
    };
    if (items.length === 0) resolve();
    else startMore();
  });
}
