/**
 * Benchmarks that need their own process layout (the compiled bot and a stand-in, a million-event history)
 * live in their own scripts; `npm run bench` runs them as cases, in a child process each, and passes their
 * JSON lines through. Each script also runs alone (`npm run bench:fan-out`, `bench:progress`, `bench:vocabulary`).
 */
import { spawn } from 'node:child_process';
import type { BenchCase, BenchContext } from '../runner.js';

interface ScriptOptions {
  readonly args?: (context: BenchContext) => string[];
  /** The script takes `--db postgres|pglite` (else it picks its database from TEST_DATABASE_URL alone). */
  readonly takesDb?: boolean;
}

function scriptCase(name: string, script: string, description: string, options: ScriptOptions = {}): BenchCase {
  return {
    name,
    description,
    async run(context) {
      const only = options.takesDb !== false && context.targets.length === 1 ? ['--db', context.targets[0]!.kind] : [];
      const args = options.args?.(context) ?? [];
      const child = spawn(process.execPath, ['--import', 'tsx', script, ...only, ...args], {
        stdio: ['ignore', 'inherit', 'inherit'],
        env: process.env,
      });
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      if (code !== 0) throw new Error(`${script} exited with ${code}`);
    },
  };
}

export const scriptCases: readonly BenchCase[] = [
  scriptCase(
    'fan-out',
    'bench/fan-out.ts',
    '1,000 servers due the same minute, the compiled bot, Discord’s 50/s enforced: time to last post vs N/50 s, duplicates, 429s, RSS idle and peak',
  ),
  scriptCase(
    'progress',
    'bench/progress.ts',
    '/progress, /leaderboard (week, month, all), /lesson catchup over 50,000 members and 1,000,000 read events',
    { args: (context) => ['--runs', String(context.runs)] },
  ),
  scriptCase('vocabulary', 'bench/vocabulary.ts', 'vocabulary model load, worker thread, and import of 10,000 lessons with vocabulary', {
    takesDb: false,
  }),
];
