import cron from 'node-cron';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useUtcClock } from '../../src/operations/utc-clock.js';

const hostZone = process.env.TZ;
afterEach(() => {
  vi.useRealTimers();
  // Test files share a process: the zone goes back to what it was.
  if (hostZone === undefined) delete process.env.TZ;
  else process.env.TZ = hostZone;
});

describe("the bot's clock", () => {
  it("ticks every minute through a host zone's repeated autumn hour, with the delivery's own cron task", async () => {
    // A host in New York: on 2026-11-01, 01:00–01:59 happens twice (05:00–05:59 and 06:00–06:59 UTC).
    process.env.TZ = 'America/New_York';
    expect(new Date('2026-11-01T06:30:00Z').getTimezoneOffset()).toBe(300);
    useUtcClock();
    expect(new Date('2026-11-01T06:30:00Z').getTimezoneOffset()).toBe(0);

    vi.useFakeTimers({ now: new Date('2026-11-01T04:57:30Z') });
    const ticks: number[] = [];
    // As src/delivery/scheduler.ts starts it (DELIVERY_CRON's default).
    const task = cron.schedule('* * * * *', () => void ticks.push(Date.now()), { name: 'lesson-delivery', noOverlap: true });
    try {
      for (let step = 0; step < 2 * 135; step += 1) await vi.advanceTimersByTimeAsync(30_000);
    } finally {
      await task.destroy();
    }
    // 04:58 to 07:12 UTC: every minute once, the two passes of 01:xx included (on the host's clock, 60 were missing).
    expect(ticks).toHaveLength(135);
    expect(new Date(ticks[0]!).toISOString()).toBe('2026-11-01T04:58:00.000Z');
    expect(ticks.every((tick, i) => i === 0 || tick - ticks[i - 1]! === 60_000)).toBe(true);
  }, 60_000);
});
