import v8 from 'node:v8';
import { setTimeout as sleep } from 'node:timers/promises';
import { runInNewContext } from 'node:vm';
import cliProgress from 'cli-progress';
import type { Kysely } from 'kysely';
import type { Config } from '../config.js';
import { pgliteInstancesInMemory } from '../db/database.js';
import { openMigratedDatabase } from '../db/open-from-config.js';
import type { DB } from '../db/schema.js';
import { BATCH_TIMEOUTS } from '../db/timeouts.js';
import { terminalSafe } from '../domain/text.js';
import { createDiscoveryService, type DiscoveryService } from '../discovery/service.js';
import { createLessonsService, type LessonsService } from '../lessons/service.js';
import { createReadingService, type ReadingService } from '../reading/service.js';
import type { VocabularyComputer } from '../vocabulary/computer.js';
import { createVocabularyService, type VocabularyService } from '../vocabulary/service.js';

/**
 * What the lessons CLI's commands share (lessons.ts, lessons-import.ts): where they read and write, usage errors,
 * the services over the configured database opened for one command, progress bars, and the process's memory.
 */

export class UsageError extends Error {}

/** Where the CLI reads and writes: the process by default, buffers in tests (it runs in-process there). */
export interface CliIo {
  readonly env: NodeJS.ProcessEnv;
  readonly stdin: NodeJS.ReadableStream;
  out(line: string): void;
  err(line: string): void;
  /** Opens the configured database (default: opened and migrated from config; tests pass an open one). */
  readonly openDatabase?: (config: Config) => Promise<{ readonly db: Kysely<DB>; close(): Promise<void> }>;
}

export const processIo: CliIo = {
  get env() {
    return process.env;
  },
  // A getter: touching process.stdin creates it, which main.ts (importing LESSONS_HELP) must not do.
  get stdin() {
    return process.stdin;
  },
  out: (line) => console.log(line),
  err: (line) => console.error(line),
};

/**
 * The same io with every line made safe for a terminal (terminalSafe): file names and lesson text are printed,
 * and a name holding an escape sequence must be shown, not obeyed. Getters, not a copy: process.stdin is
 * created only when read.
 */
export function terminalSafeIo(io: CliIo): CliIo {
  return {
    get env() {
      return io.env;
    },
    get stdin() {
      return io.stdin;
    },
    out: (line) => io.out(terminalSafe(line)),
    err: (line) => io.err(terminalSafe(line)),
    ...(io.openDatabase ? { openDatabase: io.openDatabase } : {}),
  };
}

/** parseArgs' own errors (unknown option, missing value) are usage errors. */
export function asUsage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Set by the entry point (lessons.ts) when the CLI runs as its own process, not when tests run it in theirs. */
export const cliProcess = {
  /** Only then does it set V8's flags for itself (boundHeap, collectGarbage). */
  own: false,
  /** Ctrl+C turns the terminal's cursor and line wrapping back on (exitOnInterrupt, on PostgreSQL). */
  interruptsCaught: false,
};

/** A progress bar only where a person watches (a terminal) and the import is big enough to wait for. */
export function progressBar(total: number, what: 'import' | 'files' | 'vocabulary' = 'import'): cliProgress.SingleBar | undefined {
  if (!process.stderr.isTTY || total < 50) return undefined;
  const label = what === 'vocabulary' ? 'vocabulary' : 'importing ';
  const bar = new cliProgress.SingleBar(
    // The cursor hidden and line wrapping off (the library's default) only where an interruption turns them back
    // on (exitOnInterrupt, PostgreSQL): a signal that ends the process itself (PGlite) left the terminal without
    // a cursor and without wrapping. A bar's line fits 80 columns; a narrower terminal wraps it.
    {
      stream: process.stderr,
      format: `${label} [{bar}] {value}/{total} ${what === 'files' ? 'files' : 'lessons'}`,
      hideCursor: cliProcess.interruptsCaught,
      linewrap: !cliProcess.interruptsCaught,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return bar;
}

/** The configured database with the CLI's bounds: a batch job's statements may take longer than a command's. */
export function openForBatch(config: Config) {
  return openMigratedDatabase(config, undefined, BATCH_TIMEOUTS);
}

/** The reading service over the configured database, opened (and migrated) for one command. */
export async function withReading(config: Config, io: CliIo, action: (reading: ReadingService) => Promise<number>): Promise<number> {
  const database = await (io.openDatabase ?? openForBatch)(config);
  try {
    return await action(createReadingService({ db: database.db, now: () => new Date() }));
  } finally {
    await database.close();
  }
}

export async function withDiscovery(
  config: Config,
  io: CliIo,
  action: (lessons: LessonsService, discovery: DiscoveryService) => Promise<number>,
): Promise<number> {
  const database = await (io.openDatabase ?? openForBatch)(config);
  try {
    const lessons = createLessonsService({ db: database.db, now: () => new Date(), importTimeZone: config.IMPORT_TIMEZONE });
    return await action(lessons, createDiscoveryService({ db: database.db }));
  } finally {
    await database.close();
  }
}

/**
 * The lessons and vocabulary services over the configured database, opened (and migrated) for one command.
 * The CLI computes vocabulary in its own thread (it does nothing else meanwhile); the word lists load only
 * if a vocabulary is actually computed.
 */
export async function withLessons<T>(
  config: Config,
  io: CliIo,
  action: (lessons: LessonsService, vocabulary: VocabularyService) => Promise<T>,
): Promise<T> {
  const database = await (io.openDatabase ?? openForBatch)(config);
  const vocabulary = createVocabularyService({ db: database.db, computer: computerOnFirstUse() });
  try {
    return await action(createLessonsService({ db: database.db, now: () => new Date(), importTimeZone: config.IMPORT_TIMEZONE }), vocabulary);
  } finally {
    await vocabulary.close();
    await database.close();
  }
}

/** The vocabulary service over the configured database, opened (and migrated) for one step. */
export function withVocabulary<T>(config: Config, io: CliIo, action: (vocabulary: VocabularyService) => Promise<T>): Promise<T> {
  return withLessons(config, io, (_lessons, vocabulary) => action(vocabulary));
}

/**
 * The vocabulary computer, loaded when a vocabulary is first computed: the NLP model's modules alone are
 * about 40 MB, which `list`, `show` or an import's lessons do not need.
 */
function computerOnFirstUse(): VocabularyComputer {
  let loading: Promise<VocabularyComputer> | undefined;
  const computer = () => (loading ??= import('../vocabulary/computer.js').then((module) => module.createVocabularyComputer()));
  return {
    compute: async (lesson) => (await computer()).compute(lesson),
    close: async () => {
      if (loading) await (await loading).close();
    },
  };
}

/** The planner's statistics of what a step wrote; a failure is only noted (an optimisation: the bot refreshes them too). */
export function refreshStatistics(service: { refreshStatistics(): Promise<void> }, io: CliIo): Promise<void> {
  return service.refreshStatistics().catch((error: unknown) => io.err(`note: statistics not refreshed: ${(error as Error).message}`));
}

/**
 * How much V8 lets the heap grow past what the last full collection kept (V8's own default picks up to ×4 when
 * collecting is cheap), from the vocabulary step on, and for the whole import on PGlite. Computing the
 * vocabulary of 10,000 lessons makes garbage steadily while keeping ~72 MB: at ×1.2 the process stays near what
 * it keeps (453 → 237 MB peak RSS after a 10,000-file import on PostgreSQL); an import into PGlite peaked at
 * 286–311 MB to its commit without it and ~231 MB with it (BENCHMARKS.md). The flag is read at each collection,
 * so setting it once the process runs takes effect. An import into PostgreSQL runs ~7 % faster without it, and
 * peaks lower than its vocabulary step anyway.
 */
const CLI_HEAP_GROWING_PERCENT = 20;

export function boundHeap(): void {
  if (cliProcess.own) v8.setFlagsFromString(`--heap-growing-percent=${CLI_HEAP_GROWING_PERCENT}`);
}

/**
 * Full collections, between the steps of the refresh on PGlite, until the closed PGlite is freed (at most
 * COLLECT_WAIT_MS): its WebAssembly memory (30–60 MB resident) goes only when collected, the instance stays
 * reachable for a moment after close (~0.3 s here), and V8 may not collect it before the worker loads the model.
 */
export async function collectGarbage(): Promise<void> {
  if (!cliProcess.own) return;
  v8.setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const until = Date.now() + COLLECT_WAIT_MS;
  let freed = false;
  for (;;) {
    gc();
    // The instance's WebAssembly memory goes at the collection after the one that freed the instance.
    if (freed || Date.now() >= until) return;
    freed = pgliteInstancesInMemory() === 0;
    await sleep(100);
  }
}

const COLLECT_WAIT_MS = 5_000;
