import { describe, expect, it } from 'vitest';
import { ChangeSignal } from '../../src/local-discord/waiting.js';

describe('the stand-in’s waits', () => {
  it('resolve once the condition holds after a change', async () => {
    const signal = new ChangeSignal();
    const state: { value?: string } = {};
    const waiting = signal.waitFor(() => state.value, 60_000, () => 'a value');
    state.value = 'ready';
    signal.notify();
    await expect(waiting).resolves.toBe('ready');
  });

  it('fail at their timeout, naming what they waited for', async () => {
    const signal = new ChangeSignal();
    await expect(signal.waitFor(() => undefined, 10, () => 'a session')).rejects.toThrow('discord stand-in: timed out after 10 ms waiting for a session');
  });

  it('fail at once when the stand-in closes, not at their timeout, and later waits fail at once too', async () => {
    const signal = new ChangeSignal();
    const waiting = signal.waitFor(() => undefined, 600_000, () => 'a session');
    signal.close();
    await expect(waiting).rejects.toThrow('discord stand-in: closed while waiting for a session');
    await expect(signal.waitFor(() => undefined, 600_000, () => 'a callback')).rejects.toThrow('closed, so no longer waiting for a callback');
    // A condition that already holds is still answered.
    await expect(signal.waitFor(() => 'here', 600_000, () => 'anything')).resolves.toBe('here');
  });

  it('a closed wait that nobody awaits any more is no unhandled rejection', async () => {
    const signal = new ChangeSignal();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      // As the playground's race leaves the bot's connection wait once Ctrl+C won.
      void Promise.race([signal.waitFor(() => undefined, 600_000, () => 'a session'), Promise.resolve('signal')]);
      signal.waitFor(() => undefined, 600_000, () => 'a forgotten wait');
      signal.close();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
