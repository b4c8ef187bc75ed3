/**
 * The shape every benchmark case has, and what the runner gives it. Cases live in bench/cases/ and are
 * listed in bench/run.ts; `npm run bench -- <name>...` runs some of them.
 */
import type { BenchLibrary } from './library-db.js';

export type BenchTarget = { readonly kind: 'postgres'; readonly url: string } | { readonly kind: 'pglite' };

export interface BenchContext {
  /** PostgreSQL (when BENCH_DATABASE_URL or TEST_DATABASE_URL is set) and PGlite, unless narrowed by --db. */
  readonly targets: readonly BenchTarget[];
  /** Measured repetitions per case (--runs). */
  readonly runs: number;
  /** Every command-line option as parsed (a case's own options, such as the commands case's --rates). */
  readonly flags: Readonly<Record<string, string | boolean | undefined>>;
  /** The generated library for this target (100,000 lessons on PostgreSQL, 10,000 on PGlite by default), opened once per run. */
  library(target: BenchTarget): Promise<BenchLibrary>;
  /** Median of a bare indexed SELECT by primary key on this target, measured now. */
  baseline(target: BenchTarget): Promise<number>;
  /** Times `runs` sequential calls after a warm-up. */
  time(action: (i: number) => Promise<unknown>): Promise<number[]>;
  /** Progress on stderr (stdout carries only JSON lines). */
  log(message: string): void;
}

export interface BenchCase {
  readonly name: string;
  readonly description: string;
  run(context: BenchContext): Promise<void>;
}
