import { performance } from 'node:perf_hooks';

/** Latency figures every benchmark prints (milliseconds). */
export interface LatencySummary {
  readonly median_ms: number;
  readonly p95_ms: number;
  readonly p99_ms: number;
}

/** Nearest-rank percentile of sorted samples. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median_ms: round(percentile(sorted, 0.5)), p95_ms: round(percentile(sorted, 0.95)), p99_ms: round(percentile(sorted, 0.99)) };
}

/**
 * Runs `action(i)` `warmup` times unmeasured, then `runs` times one after another, timing each call.
 * Sequential on purpose: these are latencies of one request, not throughput.
 */
export async function timeRuns(action: (i: number) => Promise<unknown>, options: { runs: number; warmup?: number }): Promise<number[]> {
  const warmup = options.warmup ?? Math.min(20, Math.ceil(options.runs / 10));
  for (let i = 0; i < warmup; i++) await action(i);
  const samples: number[] = [];
  for (let i = 0; i < options.runs; i++) {
    const started = performance.now();
    await action(warmup + i);
    samples.push(performance.now() - started);
  }
  return samples;
}

/**
 * A latency line: the case's parameters, its median / p95 / p99, and the median of a bare indexed
 * SELECT measured in the same run, with the ratio of the two medians (so a loaded machine shows).
 */
export function latencyLine(
  bench: string,
  params: Record<string, unknown>,
  samples: readonly number[],
  baselineSelectMedianMs: number,
): Record<string, unknown> {
  const summary = summarize(samples);
  return {
    bench,
    ...params,
    runs: samples.length,
    ...summary,
    baseline_select_median_ms: round(baselineSelectMedianMs),
    ratio: round(summary.median_ms / baselineSelectMedianMs),
  };
}

/** Prints one JSON line (the runner's only output on stdout). */
export function emit(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}
