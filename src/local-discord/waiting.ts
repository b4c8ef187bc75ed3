/** Lets tests wait for a condition over the stand-in's records; notified on every change. */
export class ChangeSignal {
  private readonly listeners = new Set<() => void>();
  /** What close() ends: each pending wait's way to fail now instead of at its timeout. */
  private readonly pending = new Set<(reason: string) => void>();
  private closed = false;

  notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  /**
   * Fails every pending wait at once and clears its timer: a process that stops the stand-in while it waits for
   * a bot (the playground stopped during the bot's start) is not kept alive by that timer for minutes.
   */
  close(): void {
    this.closed = true;
    for (const fail of [...this.pending]) fail('closed while');
  }

  /** Resolves with the first non-undefined result of `check`, re-checked after every change. */
  waitFor<T>(check: () => T | undefined, timeoutMs: number, describe: () => string): Promise<T> {
    const immediate = check();
    if (immediate !== undefined) return Promise.resolve(immediate);
    if (this.closed) return Promise.reject(new Error(`discord stand-in: closed, so no longer waiting for ${describe()}`));
    const waiting = new Promise<T>((resolve, reject) => {
      const listener = () => {
        const result = check();
        if (result === undefined) return;
        cleanup();
        resolve(result);
      };
      const fail = (why: string) => {
        cleanup();
        reject(new Error(`discord stand-in: ${why} waiting for ${describe()}`));
      };
      const timer = setTimeout(() => fail(`timed out after ${timeoutMs} ms`), timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.listeners.delete(listener);
        this.pending.delete(onClose);
      };
      // A wait nobody awaits any more (its race was decided) must not become an unhandled rejection on close.
      const onClose = (why: string) => {
        waiting.catch(() => undefined);
        fail(why);
      };
      this.listeners.add(listener);
      this.pending.add(onClose);
    });
    return waiting;
  }
}
