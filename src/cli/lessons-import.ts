import { parseArgs } from 'node:util';
import { rm } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import type cliProgress from 'cli-progress';
import { loadConfig, type Config } from '../config.js';
import { saysServerDown } from '../db/down-gate.js';
import type { Executor } from '../db/schema.js';
import { lessonToJson } from '../domain/lesson-parser/index.js';
import type { Lesson } from '../domain/lesson.js';
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
import { listSources } from '../lessons/sources.js';
import { computeVocabularyFile } from '../vocabulary/file-computer.js';
import type { RefreshOutcome } from '../vocabulary/service.js';
import { makeStepDirectory } from './step-files.js';
import {
  asUsage,
  boundHeap,
  collectGarbage,
  progressBar,
  refreshStatistics,
  UsageError,
  withLessons,
  withVocabulary,
  type CliIo,
} from './lessons-support.js';

/** `lessons import` and the vocabulary step after it (also `lessons vocab-refresh`). */

/**
 * A relative path as the operator meant it: npm runs a script in the package's folder, and says in INIT_CWD where
 * `npm run lessons -- import library` was typed (from `examples/`, that path was not found until 2026-12-07).
 */
export function fromCallersDirectory(path: string, env: NodeJS.ProcessEnv, cwd = process.cwd()): string {
  const typedIn = env.INIT_CWD;
  if (path === '-' || isAbsolute(path) || !typedIn || resolve(typedIn) === resolve(cwd)) return path;
  return resolve(typedIn, path);
}

export async function importCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = asUsage(() =>
    parseArgs({ args: [...args], allowPositionals: true, options: { 'dry-run': { type: 'boolean' }, json: { type: 'boolean' } } }),
  );
  if (positionals.length === 0) throw new UsageError('import needs at least one file, directory or -');
  if (values.json && !values['dry-run']) throw new UsageError('--json goes with --dry-run');
  const config = loadConfig(io.env);
  const options = { importTimeZone: config.IMPORT_TIMEZONE };
  // On PGlite the import's own peak is the process's (PGlite is ~90 MB of it): the heap stays near what it keeps.
  if (!config.DATABASE_URL) boundHeap();
  const sources = await listSources(positionals.map((path) => fromCallersDirectory(path, io.env)), io.stdin);
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
  // A bigger import than IMPORT_VOCABULARY_AT_MOST files leaves it to the bot's background job: the vocabulary
  // is ~2 ms of a core a lesson, and with it 10,000 files took 25–45 s on two cores, not the <= 20 s of issue 11.
  const alongside = config.DATABASE_URL && sources.length <= config.IMPORT_VOCABULARY_AT_MOST ? await vocabularyAlongside() : undefined;
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
  // run only leaves vocabulary to compute (by `vocab-refresh`, `vocab <id>`, or the bot). More than
  // IMPORT_VOCABULARY_AT_MOST lessons left: the bot's job computes them (reportLeftToBot). On a database opened
  // anew: PGlite's memory (its WebAssembly heap, which never shrinks) grew to what the import's statements and
  // ANALYZE needed, and goes with the closed instance instead of staying beside the model and word lists.
  return (await refreshVocabulary(config, io, { leaveAbove: config.IMPORT_VOCABULARY_AT_MOST })) ? 0 : 1;
}

/**
 * Says that the vocabulary of `pending` lessons is left to the bot's background job (on PostgreSQL a running bot
 * was told, and starts it now); stdout's last line stays the import's counts.
 */
function reportLeftToBot(pending: number, config: Config, io: CliIo, told = false): void {
  const lessons = `${pending} lesson${pending === 1 ? '' : 's'}`;
  const when = told ? 'a running bot starts now, else the bot at its start' : 'the bot at its next start';
  io.err(
    `vocabulary of ${lessons} left to the bot's background job (more than IMPORT_VOCABULARY_AT_MOST=${config.IMPORT_VOCABULARY_AT_MOST}; ${when}); ` +
      'a lesson asked for meanwhile gets its own at once, and "npm run lessons -- vocab-refresh" computes them all now',
  );
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
 * Computes missing or stale vocabularies (every lesson's with `all`) with a progress bar, then refreshes the
 * vocabulary tables' statistics; false if any lesson failed. On PostgreSQL in this thread, the database open;
 * on PGlite in steps, never holding the database and the model at once (refreshInSteps).
 */
async function refreshVocabulary(config: Config, io: CliIo, options: RefreshChoice): Promise<boolean> {
  boundHeap();
  if (!config.DATABASE_URL) return refreshInSteps(config, io, options);
  return withVocabulary(config, io, async (vocabulary) => {
    let bar: cliProgress.SingleBar | undefined;
    // Counted once: for the choice, then for the progress bar (the refresh counts only when asked to, with onStart).
    const { leaveAbove } = options;
    const pending = leaveAbove === undefined ? undefined : await vocabulary.countPending({ all: options.all ?? false });
    if (pending !== undefined && leaveAbove !== undefined && pending > leaveAbove) {
      // The lessons are committed whatever happens here: a notice that cannot be sent only delays the bots' job.
      const told = await vocabulary.askBotsToCatchUp().then(
        () => true,
        (error: unknown) => {
          io.err(`note: running bots not told (${(error as Error).message}): they compute the vocabulary at their next start`);
          return false;
        },
      );
      reportLeftToBot(pending, config, io, told);
      return true;
    }
    try {
      if (pending !== undefined) bar = progressBar(pending, 'vocabulary');
      const outcome = await vocabulary.refresh({
        ...(options.all === undefined ? {} : { all: options.all }),
        ...(pending === undefined ? { onStart: (total: number) => void (bar = progressBar(total, 'vocabulary')) } : {}),
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
async function refreshInSteps(config: Config, io: CliIo, options: RefreshChoice): Promise<boolean> {
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
        if (!scanned && done === 0) {
          const pending = await vocabulary.countPending(options);
          if (options.leaveAbove !== undefined && pending > options.leaveAbove) return { written: 0, next: undefined, left: pending };
          bar = progressBar(pending, 'vocabulary');
        }
        const written = scanned ? { written: 0, next: undefined } : await vocabulary.writePendingTexts(texts, { ...options, after: next, limit: STEP_LESSONS });
        if (written.written === 0 && outcome.computed > 0) {
          await refreshStatistics(vocabulary, io);
        }
        return written;
      });
      toStore = false;
      if ('left' in chunk) {
        reportLeftToBot(chunk.left, config, io);
        return true;
      }
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

/** What a refresh computes: every lesson's (`all`) or the missing and stale; none when more than `leaveAbove` (the bot's job). */
interface RefreshChoice {
  readonly all?: boolean;
  readonly leaveAbove?: number;
}

/** Prints the lessons whose vocabulary failed (and, to a person watching, how many were computed); false if any failed. */
function reportVocabulary(outcome: RefreshOutcome, io: CliIo): boolean {
  for (const failure of outcome.failed) io.err(`lesson ${failure.lessonId}: vocabulary not computed: ${failure.message}`);
  // Like the progress bar, only where a person watches: stdout's last line stays the import's counts.
  if (process.stderr.isTTY && outcome.computed > 0) io.err(`vocabulary computed for ${outcome.computed} lesson${outcome.computed === 1 ? '' : 's'}`);
  return outcome.failed.length === 0;
}

export async function vocabRefreshCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = asUsage(() => parseArgs({ args: [...args], allowPositionals: true, options: { all: { type: 'boolean' } } }));
  if (positionals.length > 0) throw new UsageError(`vocab-refresh takes no arguments (got ${positionals.join(' ')})`);
  return (await refreshVocabulary(loadConfig(io.env), io, { all: values.all ?? false })) ? 0 : 1;
}
