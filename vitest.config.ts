import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The sources compiled once for the child processes the tests start (test/support/built.ts says why).
    globalSetup: ['test/support/build-for-tests.ts'],
    // PGlite start-up and end-to-end runs of the real bot need more than the default 5 s.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // A worker process runs file after file without loading every module anew for each: the files are written to
    // stand alone (their own databases, bots and servers; nothing of a file's outlives it), and loading discord.js,
    // PGlite and the services for each of ~140 files was ~90 s of a run's time (a clean-clone CI here: tests 745 s
    // isolated, 591 s not).
    isolate: false,
    // Vitest's default (one worker fewer than the cores) gives a 2-core CI machine one worker, though most of an
    // end-to-end file's time is spent waiting on the bot process it started: two files at once fill both cores.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
