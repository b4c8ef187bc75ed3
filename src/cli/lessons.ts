import { parseArgs } from 'node:util';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import v8 from 'node:v8';
import { setTimeout as sleep } from 'node:timers/promises';
import { runInNewContext } from 'node:vm';
import cliProgress from 'cli-progress';
import { loadConfig, loadDotEnv, type Config } from '../config.js';
import { isOperatorError } from '../operator-errors.js';
import { pgliteInstancesInMemory } from '../db/database.js';
import { openMigratedDatabase } from '../db/open-from-config.js';
import { BATCH_TIMEOUTS } from '../db/timeouts.js';
import { saysServerDown } from '../db/down-gate.js';
import { lessonToJson } from '../domain/lesson-parser/index.js';
import {
  checkedLessons,
  checkSources,
  formatCounts,
  formatProblem,
  ImportRefusedError,
  readLessons,
  type ImportProblem,
  type ImportSideWork,
} from '../lessons/import.js';
import { createLessonsService, type LessonsService } from '../lessons/service.js';
import { describeLesson } from '../lessons/describe.js';
import { relatedToJson } from '../discovery/related.js';
import { createDiscoveryService, type DiscoveryService } from '../discovery/service.js';
import { listSources, SourceError } from '../lessons/sources.js';
import type { Lesson } from '../domain/lesson.js';
import type { Kysely } from 'kysely';
import type { DB, Executor } from '../db/schema.js';
import { createReadingService, type ReadingService } from '../reading/service.js';
import { formatMostRead } from '../reading/stats.js';
import { exitOnInterrupt } from './interrupted.js';
import { makeStepDirectory } from './step-files.js';
import { isMain } from './is-main.js';
import { describeLevel } from '../domain/vocabulary/level.js';
import type { VocabularyComputer } from '../vocabulary/computer.js';
import { computeVocabularyFile } from '../vocabulary/file-computer.js';
import { createVocabularyService, type RefreshOutcome, type VocabularyService } from '../vocabulary/service.js';

export const LESSONS_HELP = `Usage: npm run lessons -- <command>

Commands:
  import <file|dir|->... [--dry-run] [--json]
        Import lesson exports or JSON files (the format is told from the content).
        A directory imports its .txt and .json files; - reads standard input.
        One transaction: if any file is invalid nothing is written and every
        problem is printed as path:line: message.
        --dry-run   parse and validate only, write nothing
        --json      with --dry-run, print the parsed lessons as a JSON array
  list [--limit N]   the newest lessons (default 20)
  show <id>          one lesson, human-readable
  export <id>        one lesson in the JSON import format
  stats [--guild id] [--limit N] [--json]
        The most-read lessons (default 10), by members who read them: in one
        server with --guild, else in all. --json prints a JSON array.
  vocab <id> [--json]
        The lesson's vocabulary (computed first if missing); --json prints
        [{"word", "lemma", "pos", "definition", "sentence"}]
  vocab-refresh [--all]
        Compute the vocabulary of every lesson that lacks a current one
        (--all: every lesson, e.g. after an upgrade of the word lists)
  related <id> [--json]
        Related readings, best first: lessons the export's similar readings
        name, then lessons similar by content; then titles not in the library.
        --json  [{"id", "title", "date", "reason"}] (id and date null when
                the title is not in the library)
  search <text> [--limit N] [--json]
        Lessons about <text>, best first (title above summary above article;
        "quoted words" together; word starts match; case and accents ignored).
        --limit N   how many (default 10)
        --json      [{"id", "title", "date", "category"}]
  help               this text`;

class UsageError extends Error {}

/** Where the CLI reads and writes: the process by default, buffers in tests (it runs in-process there). */
export interface CliIo {
  readonly env: NodeJS.ProcessEnv;
  readonly stdin: NodeJS.ReadableStream;
  out(line: string): void;
  err(line: string): void;
  /** Opens the configured database (default: opened and migrated from config; tests pass an open one). */
  readonly openDatabase?: (config: Config) => Promise<{ readonly db: Kysely<DB>; close(): Promise<void> }>;
}

const processIo: CliIo = {
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

/** Exit codes: 0 success, 1 invalid input or failure, 2 wrong usage. */
export async function runLessonsCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'import':
        return await importCommand(rest, io);
      case 'list':
        return await listCommand(rest, io);
      case 'stats':
        return await statsCommand(rest, io);
      case 'vocab':
        return await vocabCommand(rest, io);
      case 'vocab-refresh':
        return await vocabRefreshCommand(rest, io);
      case 'show':
      case 'export':
        return await showCommand(command, rest, io);
      case 'related':
        return await relatedCommand(rest, io);
      case 'search':
        return await searchCommand(rest, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(LESSONS_HELP);
        return 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`error: ${error.message}\n\n${LESSONS_HELP}`);
      return 2;
    }
    if (isOperatorError(error) || error instanceof SourceError) {
      io.err(error.message);
      return 1;
    }
    throw error;
  }
}

/** parseArgs' own errors (unknown option, missing value) are usage errors. */
function asUsage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

async function importCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = asUsage(() =>
    parseArgs({ args: [...args], allowPositionals: true, options: { 'dry-run': { type: 'boolean' }, json: { type: 'boolean' } } }),
  );
  if (positionals.length === 0) throw new UsageError('import needs at least one file, directory or -');
  if (values.json && !values['dry-run']) throw new UsageError('--json goes with --dry-run');
  const config = loadConfig(io.env);
  const options = { importTimeZone: config.IMPORT_TIMEZONE };
  // On PGlite the import's own peak is the process's (PGlite is ~90 MB of it): the heap stays near what it keeps.
  if (!config.DATABASE_URL) boundHeap();
  const sources = await listSources(positionals, io.stdin);
  const reportProblem = (problem: ImportProblem) => io.err(formatProblem(problem));

  // On PGlite (and for a dry run), two passes over the files, a few files in memory at a time: the first checks
  // them all and lists every problem (nothing is opened or written unless all are valid: the embedded database
  // may be the running bot's, locked), the second writes them. On PostgreSQL one pass (checkedLessons): the files
  // are written as they are checked, in the import's transaction, which a problem rolls back once every file is
  // checked and every problem listed (the same lines); the check pass was ~4 s of a 10,000-file import's CLI
  // thread, its bound.
  const onePass = Boolean(config.DATABASE_URL) && !values['dry-run'];
  let lessonCount = 0;
  if (!onePass) {
    const checked = await checkSources(sources, options, reportProblem);
    if (checked.problems > 0) {
      io.err(`nothing imported: ${checked.problems} problem${checked.problems === 1 ? '' : 's'}`);
      return 1;
    }
    if (values['dry-run']) {
      if (values.json) await printJsonArray(readLessons(sources, options), io);
      else io.err(`${checked.lessons} lesson${checked.lessons === 1 ? '' : 's'} valid (dry run, nothing written)`);
      return 0;
    }
    lessonCount = checked.lessons;
  }

  // On PostgreSQL the vocabulary is computed while the database writes and matches (the import waits on the
  // database, the vocabulary on this thread's CPU): the model is loaded now. On PGlite the database is in this
  // process too, and holding it and the model at once would pass 250 MB: the vocabulary comes after, in steps.
  const alongside = config.DATABASE_URL ? await vocabularyAlongside() : undefined;
  const imported = await withLessons(config, io, async (library) => {
    const bar = onePass ? progressBar(sources.length, 'files') : progressBar(lessonCount);
    try {
      const lessons = onePass ? checkedLessons(sources, options, reportProblem, () => bar?.increment()) : readLessons(sources, options);
      const counts = await library.importParsed(lessons, {
        batchSize: config.IMPORT_BATCH_SIZE,
        onProgress: onePass ? undefined : (done) => bar?.update(done),
        alongside,
      });
      bar?.stop();
      io.out(formatCounts(counts));
    } catch (error) {
      bar?.stop();
      if (error instanceof ImportRefusedError) {
        io.err(error.message);
        return 1;
      }
      if (saysServerDown(error)) {
        io.err('nothing imported: the connection to the database was lost (PostgreSQL stopped or restarted?), so the import was rolled back. Run it again once the database is back.');
        return 1;
      }
      // A write refused, or a file changed since it was checked (SourceChangedError, SourceError): the
      // transaction is rolled back. (A file that cannot be read at all is one of the problems listed above.)
      io.err(`nothing imported: ${(error as Error).message}`);
      return 1;
    }
    // The planner's statistics for what was just written (a server without autovacuum would have none).
    if (config.DATABASE_URL) await refreshStatistics(library, io);
    return 0;
  });
  if (imported !== 0) return imported;
  if (!config.DATABASE_URL) {
    // On PGlite in an opening of its own, once the import's is collected: ANALYZE touches ~27 MB more of the
    // instance's memory, which the import's instance would add to what the import had grown (the import's peak:
    // 243.5–246 → 239–240 MB at 10,000 files, BENCHMARKS.md).
    await collectGarbage();
    await withLessons(config, io, (library) => refreshStatistics(library, io));
  }
  // After the lessons are committed (on PostgreSQL with the vocabularies computed alongside: what is left here
  // is a failed computation or an unchanged lesson that lacks one): they are usable at once, and an interrupted
  // run only leaves vocabulary to compute (by `vocab-refresh`, `vocab <id>`, or the bot). On a database opened
  // anew: PGlite's memory (its WebAssembly heap, which never shrinks) grew to what the import's statements and
  // ANALYZE needed, and goes with the closed instance instead of staying beside the model and word lists.
  return (await refreshVocabulary(config, io, {})) ? 0 : 1;
}

/**
 * The lessons as one JSON array, printed a lesson at a time: the same text as JSON.stringify(array, null, 2),
 * without holding the array.
 */
async function printJsonArray(lessons: AsyncIterable<Lesson>, io: CliIo): Promise<void> {
  let previous: string | undefined;
  for await (const lesson of lessons) {
    io.out(previous === undefined ? '[' : `${previous},`);
    previous = JSON.stringify(lessonToJson(lesson), null, 2).replace(/^/gmu, '  ');
  }
  io.out(previous === undefined ? '[]' : `${previous}\n]`);
}

/** Set when Ctrl+C turns the terminal's cursor and line wrapping back on in this process (below, at the entry point). */
let interruptsCaught = false;

/** A progress bar only where a person watches (a terminal) and the import is big enough to wait for. */
function progressBar(total: number, what: 'import' | 'files' | 'vocabulary' = 'import'): cliProgress.SingleBar | undefined {
  if (!process.stderr.isTTY || total < 50) return undefined;
  const label = what === 'vocabulary' ? 'vocabulary' : 'importing ';
  const bar = new cliProgress.SingleBar(
    // The cursor hidden and line wrapping off (the library's default) only where an interruption turns them back
    // on (exitOnInterrupt, PostgreSQL): a signal that ends the process itself (PGlite) left the terminal without
    // a cursor and without wrapping. A bar's line fits 80 columns; a narrower terminal wraps it.
    {
      stream: process.stderr,
      format: `${label} [{bar}] {value}/{total} ${what === 'files' ? 'files' : 'lessons'}`,
      hideCursor: interruptsCaught,
      linewrap: !interruptsCaught,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return bar;
}

async function listCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = asUsage(() =>
    parseArgs({ args: [...args], allowPositionals: true, options: { limit: { type: 'string' } } }),
  );
  if (positionals.length > 0) throw new UsageError(`list takes no arguments (got ${positionals.join(' ')})`);
  const limit = values.limit === undefined ? 20 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit must be a positive whole number');
  return withLessons(loadConfig(io.env), io, async (lessons) => {
    const { lessons: newest, total } = await lessons.list(limit);
    if (total === 0) {
      io.out('The library is empty. Import lessons with: npm run lessons -- import examples/lessons examples/library');
      return 0;
    }
    for (const lesson of newest) io.out(`${lesson.date}  ${lesson.id}  ${lesson.title}`);
    io.out(`(${newest.length} of ${total} lessons)`);
    return 0;
  });
}

async function statsCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = asUsage(() =>
    parseArgs({
      args: [...args],
      allowPositionals: true,
      options: { guild: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } },
    }),
  );
  if (positionals.length > 0) throw new UsageError(`stats takes no arguments (got ${positionals.join(' ')})`);
  const limit = values.limit === undefined ? 10 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError('--limit must be a whole number from 1 to 1000');
  const guildId = values.guild;
  if (guildId !== undefined && !/^[0-9]{1,20}$/u.test(guildId)) throw new UsageError('--guild must be a server id (digits)');
  return withReading(loadConfig(io.env), io, async (reading) => {
    const lessons = await reading.mostRead({ guildId, limit });
    if (values.json) {
      const rows = lessons.map((l) => ({ id: l.lessonId, title: l.title, readers: l.readers, lastReadAt: l.lastReadAt?.toISOString() ?? null }));
      io.out(JSON.stringify(rows, null, 2));
      return 0;
    }
    if (lessons.length === 0) {
      io.out(guildId === undefined ? 'No lesson has been read yet.' : `No lesson has been read in server ${guildId} yet.`);
      return 0;
    }
    for (const line of formatMostRead(lessons)) io.out(line);
    return 0;
  });
}

/** The configured database with the CLI's bounds: a batch job's statements may take longer than a command's. */
function openForBatch(config: Config) {
  return openMigratedDatabase(config, undefined, BATCH_TIMEOUTS);
}

/** The reading service over the configured database, opened (and migrated) for one command. */
async function withReading(config: Config, io: CliIo, action: (reading: ReadingService) => Promise<number>): Promise<number> {
  const database = await (io.openDatabase ?? openForBatch)(config);
  try {
    return await action(createReadingService({ db: database.db, now: () => new Date() }));
  } finally {
    await database.close();
  }
}

async function showCommand(command: 'show' | 'export', args: readonly string[], io: CliIo): Promise<number> {
  const { positionals } = asUsage(() => parseArgs({ args: [...args], allowPositionals: true, options: {} }));
  if (positionals.length !== 1) throw new UsageError(`${command} needs exactly one lesson id`);
  const id = positionals[0] as string;
  return withLessons(loadConfig(io.env), io, async (lessons) => {
    const stored = await lessons.find(id);
    if (!stored) {
      io.err(`no lesson with id ${id}`);
      return 1;
    }
    io.out(command === 'export' ? JSON.stringify(lessonToJson(stored.lesson), null, 2) : describeLesson(stored));
    return 0;
  });
}

/**
 * Computes missing or stale vocabularies (every lesson's with `all`) with a progress bar, then refreshes the
 * vocabulary tables' statistics; false if any lesson failed. On PostgreSQL in this thread, the database open;
 * on PGlite in steps, never holding the database and the model at once (refreshInSteps).
 */
async function refreshVocabulary(config: Config, io: CliIo, options: { all?: boolean }): Promise<boolean> {
  boundHeap();
  if (!config.DATABASE_URL) return refreshInSteps(config, io, options);
  return withVocabulary(config, io, async (vocabulary) => {
    let bar: cliProgress.SingleBar | undefined;
    try {
      const outcome = await vocabulary.refresh({
        ...options,
        onStart: (total) => {
          bar = progressBar(total, 'vocabulary');
        },
        onProgress: (done) => bar?.update(done),
      });
      bar?.stop();
      await refreshStatistics(vocabulary, io);
      return reportVocabulary(outcome, io);
    } finally {
      bar?.stop();
    }
  });
}

/**
 * Lessons per step of the refresh in steps: each step's two files hold ~8 KB (the texts) and ~6 KB (the
 * vocabularies) a lesson, in the system's temporary directory; each step opens the database again and starts
 * a worker that loads the model (~1 s each).
 */
const STEP_LESSONS = 5_000;

/**
 * The refresh on PGlite, whose open database is ~90 MB of this process and the vocabulary's model and word lists
 * ~100–150 MB more (both at once: ~290 MB after a 10,000-file import, over the 250 MB the import is held to).
 * In steps of STEP_LESSONS: with the database open, the previous step's vocabularies are stored and the next
 * lessons' texts written to a file; the database is closed (and its memory collected); a worker thread
 * computes the file's vocabularies into another and ends, taking the model with it (src/vocabulary/staged-refresh.ts).
 */
async function refreshInSteps(config: Config, io: CliIo, options: { all?: boolean }): Promise<boolean> {
  const dir = await makeStepDirectory();
  const texts = join(dir, 'lessons.ndjson');
  const computed = join(dir, 'vocabularies.ndjson');
  let bar: cliProgress.SingleBar | undefined;
  const outcome = { computed: 0, failed: [] as { lessonId: string; message: string }[] };
  try {
    let next: string | undefined;
    let scanned = false;
    let toStore = false;
    let done = 0;
    for (;;) {
      // The database closed last (the import's, or the previous step's) goes before this step opens a new one.
      await collectGarbage();
      const chunk = await withVocabulary(config, io, async (vocabulary) => {
        if (toStore) {
          const stored = await vocabulary.storeComputed(computed);
          outcome.computed += stored.stored;
          outcome.failed.push(...stored.failed);
        }
        if (!scanned && done === 0) bar = progressBar(await vocabulary.countPending(options), 'vocabulary');
        const written = scanned ? { written: 0, next: undefined } : await vocabulary.writePendingTexts(texts, { ...options, after: next, limit: STEP_LESSONS });
        if (written.written === 0 && outcome.computed > 0) {
          await refreshStatistics(vocabulary, io);
        }
        return written;
      });
      toStore = false;
      // Nothing written: the library was scanned to its end (writePendingTexts stops early only with `limit` written).
      if (chunk.written === 0) break;
      next = chunk.next;
      scanned = chunk.next === undefined;
      await collectGarbage();
      const before = done;
      try {
        await computeVocabularyFile(texts, computed, (count) => bar?.update(before + count));
      } catch (error) {
        // The worker itself failed (not one lesson): what earlier steps stored stays, the rest is left to do.
        bar?.stop();
        io.err(`vocabulary not computed: ${(error as Error).message} (run vocab-refresh to compute what is missing)`);
        return false;
      }
      done += chunk.written;
      toStore = true;
    }
    bar?.stop();
    return reportVocabulary(outcome, io);
  } finally {
    bar?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The planner's statistics of what a step wrote; a failure is only noted (an optimisation: the bot refreshes them too). */
function refreshStatistics(service: { refreshStatistics(): Promise<void> }, io: CliIo): Promise<void> {
  return service.refreshStatistics().catch((error: unknown) => io.err(`note: statistics not refreshed: ${(error as Error).message}`));
}

/** Prints the lessons whose vocabulary failed (and, to a person watching, how many were computed); false if any failed. */
function reportVocabulary(outcome: RefreshOutcome, io: CliIo): boolean {
  for (const failure of outcome.failed) io.err(`lesson ${failure.lessonId}: vocabulary not computed: ${failure.message}`);
  // Like the progress bar, only where a person watches: stdout's last line stays the import's counts.
  if (process.stderr.isTTY && outcome.computed > 0) io.err(`vocabulary computed for ${outcome.computed} lesson${outcome.computed === 1 ? '' : 's'}`);
  return outcome.failed.length === 0;
}

async function vocabCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = asUsage(() => parseArgs({ args: [...args], allowPositionals: true, options: { json: { type: 'boolean' } } }));
  if (positionals.length !== 1) throw new UsageError('vocab needs exactly one lesson id');
  const id = positionals[0] as string;
  return withLessons(loadConfig(io.env), io, async (lessons, vocabularies) => {
    const stored = await lessons.find(id);
    const vocabulary = stored && (await vocabularies.list(stored.lesson.id));
    if (!stored || !vocabulary) {
      io.err(`no lesson with id ${id}`);
      return 1;
    }
    if (values.json) {
      io.out(JSON.stringify(vocabulary.entries.map(({ word, lemma, pos, definition, sentence }) => ({ word, lemma, pos, definition, sentence })), null, 2));
      return 0;
    }
    io.out(`${stored.lesson.title}\nLevel: ${describeLevel(vocabulary.level)}\n`);
    for (const entry of vocabulary.entries) {
      io.out(`${entry.word}${entry.word.toLowerCase() === entry.lemma ? '' : ` (${entry.lemma})`}, ${entry.pos}: ${entry.definition}\n    "${entry.sentence}"`);
    }
    return 0;
  });
}

async function vocabRefreshCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = asUsage(() => parseArgs({ args: [...args], allowPositionals: true, options: { all: { type: 'boolean' } } }));
  if (positionals.length > 0) throw new UsageError(`vocab-refresh takes no arguments (got ${positionals.join(' ')})`);
  return (await refreshVocabulary(loadConfig(io.env), io, { all: values.all ?? false })) ? 0 : 1;
}

/**
 * The lessons and vocabulary services over the configured database, opened (and migrated) for one command.
 * The CLI computes vocabulary in its own thread (it does nothing else meanwhile); the word lists load only
 * if a vocabulary is actually computed.
 */
async function relatedCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = asUsage(() => parseArgs({ args: [...args], allowPositionals: true, options: { json: { type: 'boolean' } } }));
  if (positionals.length !== 1) throw new UsageError('related needs exactly one lesson id');
  const id = positionals[0] as string;
  return withDiscovery(loadConfig(io.env), io, async (lessons, discovery) => {
    const stored = await lessons.find(id);
    if (!stored) {
      io.err(`no lesson with id ${id}`);
      return 1;
    }
    const entries = relatedToJson(await discovery.related(stored.lesson.id));
    if (values.json) io.out(JSON.stringify(entries, null, 2));
    else if (entries.length === 0) io.out('No related readings.');
    else for (const entry of entries) io.out(`${entry.date ?? '(not in the library)'}  ${entry.id ?? ''}  ${entry.title}  [${entry.reason}]`);
    return 0;
  });
}

async function searchCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = asUsage(() =>
    parseArgs({ args: [...args], allowPositionals: true, options: { json: { type: 'boolean' }, limit: { type: 'string' } } }),
  );
  const text = positionals.join(' ').trim();
  if (text === '') throw new UsageError('search needs some words to search for');
  const limit = values.limit === undefined ? 10 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError('--limit must be a whole number from 1 to 1000');
  return withDiscovery(loadConfig(io.env), io, async (_lessons, discovery) => {
    const results = await discovery.find(text, limit);
    if (values.json) io.out(JSON.stringify(results.map((r) => ({ id: r.id, title: r.title, date: r.date, category: r.category })), null, 2));
    else if (results.length === 0) io.out('No lesson matches that.');
    else for (const r of results) io.out(`${r.date}  ${r.id}  ${r.title}  [${r.category}]`);
    return 0;
  });
}

async function withDiscovery(
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
 * The vocabulary of an import's lessons computed alongside it, in this thread (src/vocabulary/along-import.ts).
 * The heap is bounded from now on, as for the vocabulary step, since the model and word lists are held from now.
 */
async function vocabularyAlongside(): Promise<(trx: Executor) => ImportSideWork> {
  boundHeap();
  const [{ createVocabularyComputer }, { vocabularyAlongImport }] = await Promise.all([
    import('../vocabulary/computer.js'),
    import('../vocabulary/along-import.js'),
  ]);
  const computer = createVocabularyComputer();
  return (trx) => vocabularyAlongImport(trx, computer);
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

/** The vocabulary service over the configured database, opened (and migrated) for one step. */
function withVocabulary<T>(config: Config, io: CliIo, action: (vocabulary: VocabularyService) => Promise<T>): Promise<T> {
  return withLessons(config, io, (_lessons, vocabulary) => action(vocabulary));
}

async function withLessons<T>(
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

/**
 * Whether the CLI runs as its own process: only then does it set V8's flags for itself (not when tests run
 * the CLI in theirs).
 */
let ownProcess = false;

function boundHeap(): void {
  if (ownProcess) v8.setFlagsFromString(`--heap-growing-percent=${CLI_HEAP_GROWING_PERCENT}`);
}

/**
 * Full collections, between the steps of the refresh on PGlite, until the closed PGlite is freed (at most
 * COLLECT_WAIT_MS): its WebAssembly memory (30–60 MB resident) goes only when collected, the instance stays
 * reachable for a moment after close (~0.3 s here), and V8 may not collect it before the worker loads the model.
 */
async function collectGarbage(): Promise<void> {
  if (!ownProcess) return;
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

/**
 * WebAssembly compiled by V8's baseline compiler (Liftoff) only, as `npm start` and the Docker image run the
 * bot (README, "Memory"). PGlite's PostgreSQL is a 10 MB WebAssembly module: by default V8 also compiles its
 * functions with its optimising compiler as they get hot, and what that compiler allocates, on its
 * background threads, stays in the process's memory after the compile. An import into PGlite grew the
 * process that way, not in PGlite's own memory (its 128 MB never grew; ~50 MB of it is ever touched): peak RSS to
 * the commit of 10,000 files 435 → 264 MB (BENCHMARKS.md, "Import"). Set before PGlite is first loaded (the flags
 * are read when the module is compiled); on PostgreSQL the CLI runs no WebAssembly. `--liftoff-only` turns the two
 * tiering flags off through V8's flag implications, which Node 24's V8 applies only to flags given at start-up: set
 * at run time it left the optimising compiler on there (this repository's 10 example lessons peaked at 551 MB
 * against 241 MB with the flag on the command line), so both are set too (232 MB on Node 24, 226 on 22, 259 on 20).
 */
export const CLI_V8_FLAGS = ['--liftoff-only', '--no-wasm-tier-up', '--no-wasm-dynamic-tiering'] as const;

if (isMain(import.meta.url)) {
  for (const flag of CLI_V8_FLAGS) v8.setFlagsFromString(flag);
  ownProcess = true;
  loadDotEnv();
  // Not on PGlite: its database runs in this thread, which a caught signal reaches only between its (long,
  // synchronous) statements, and interrupted there an import failed ~10 s later on "cannot drop active portal".
  // Uncaught, the signal ends the process there (in ~2 s), as it always did.
  if (process.env.DATABASE_URL) {
    exitOnInterrupt(process.argv[2]);
    interruptsCaught = true;
  }
  process.exitCode = await runLessonsCli(process.argv.slice(2));
}
