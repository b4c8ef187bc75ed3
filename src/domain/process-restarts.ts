/**
 * When `start:sharded` restarts a bot process that died, as Kubernetes' CrashLoopBackOff does: at once after a
 * death that ends a steady run, then waits that double from 5.5 s (Discord lets a bot identify one shard per 5 s)
 * up to 5 minutes while the process keeps dying soon after its start. It never gives up: a process that cannot
 * reach Discord through an outage of an hour comes back by itself once Discord does.
 */
export const RESTART_BASE_MS = 5_500;
export const RESTART_MAX_MS = 5 * 60_000;
/** A process that ran this long before it died is not crash-looping: its next restart is immediate again. */
export const RESTART_STEADY_RUN_MS = 10 * 60_000;

export interface ProcessRun {
  /** When the process last started (ms). */
  readonly startedAt: number;
  /** Deaths in a row, each before a steady run, up to the one that ended the run before this one. */
  readonly failures: number;
}

export interface Restart {
  readonly delayMs: number;
  /** Deaths in a row, this one included: the next run's `failures`. */
  readonly failures: number;
}

/** The restart after a death at `diedAt` of the run `run`: 0, 5.5 s, 11 s, 22 s, … 5 min. */
export function restartAfterDeath(run: ProcessRun, diedAt: number): Restart {
  const steady = diedAt - run.startedAt >= RESTART_STEADY_RUN_MS;
  const failures = steady ? 1 : Math.max(0, Math.floor(run.failures)) + 1;
  const delayMs = failures === 1 ? 0 : Math.min(RESTART_BASE_MS * 2 ** (failures - 2), RESTART_MAX_MS);
  return { delayMs, failures };
}
