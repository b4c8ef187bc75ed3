import { describe, expect, it } from 'vitest';
import { RESTART_BASE_MS, RESTART_MAX_MS, RESTART_STEADY_RUN_MS, restartAfterDeath } from '../../src/domain/process-restarts.js';

/** Deaths in a row, each `ranMs` after its start; the delays the restarts wait. */
function delaysOfDeaths(count: number, ranMs: number): number[] {
  const delays: number[] = [];
  let run = { startedAt: 0, failures: 0 };
  for (let death = 0; death < count; death += 1) {
    const restart = restartAfterDeath(run, run.startedAt + ranMs);
    delays.push(restart.delayMs);
    run = { startedAt: run.startedAt + ranMs + restart.delayMs, failures: restart.failures };
  }
  return delays;
}

describe('restartAfterDeath', () => {
  it('restarts at once after the first death, then waits twice as long each time it dies soon after its start', () => {
    expect(delaysOfDeaths(5, 3_000)).toEqual([0, RESTART_BASE_MS, 2 * RESTART_BASE_MS, 4 * RESTART_BASE_MS, 8 * RESTART_BASE_MS]);
  });

  it('never waits more than 5 minutes, and never gives up, however many deaths in a row', () => {
    const delays = delaysOfDeaths(1_000, 1_000);
    expect(Math.max(...delays)).toBe(RESTART_MAX_MS);
    expect(delays.at(-1)).toBe(RESTART_MAX_MS);
    expect(delays.every((delay) => Number.isFinite(delay) && delay >= 0)).toBe(true);
  });

  it('a death after a steady run restarts at once again, whatever came before', () => {
    const crashLooping = { startedAt: 0, failures: 12 };
    expect(restartAfterDeath(crashLooping, RESTART_STEADY_RUN_MS)).toEqual({ delayMs: 0, failures: 1 });
    expect(restartAfterDeath(crashLooping, RESTART_STEADY_RUN_MS - 1)).toEqual({ delayMs: RESTART_MAX_MS, failures: 13 });
  });

  it('a run whose start is unknown counts as a short one', () => {
    expect(restartAfterDeath({ startedAt: Number.NaN, failures: 1 }, 1_000)).toEqual({ delayMs: RESTART_BASE_MS, failures: 2 });
  });
});
