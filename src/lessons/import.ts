import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import type { Lesson } from '../domain/lesson.js';
import { LessonParseError, lessonIdLines, MAX_PROBLEMS_PER_FILE, moreProblems, parseLessonFile } from '../domain/lesson-parser/index.js';
import { lockLessonImports, planWithoutJit, prepareLessonUpsert, runLessonUpsert, type PreparedLessonUpsert, type UpsertOutcome } from '../db/lessons.js';
import type { DB, Executor } from '../db/schema.js';
import { lexemeCounts, linkSimilarReadings, type BackwardLimits } from '../discovery/similar-readings.js';
import { readEachInOrder, readInOrder, type LessonSource, type SourceFile, type SourceRead } from './sources.js';

export interface ImportProblem {
  readonly path: string;
  /** Null for a remark about the whole file (how many more problems were found than listed). */
  readonly line: number | null;
  readonly message: string;
  /** For that remark: how many problems it stands for. */
  readonly omitted?: number;
}

export interface ParsedLesson {
  readonly path: string;
  readonly lesson: Lesson;
}

export type ParsedBatch =
  | { readonly ok: true; readonly lessons: readonly ParsedLesson[] }
  | {
      readonly ok: false;
      /** The first problems of each file (MAX_PROBLEMS_PER_FILE), each followed by a line counting the rest. */
      readonly problems: readonly ImportProblem[];
      /** Every problem found, listed or not. */
      readonly problemCount: number;
    };

export function formatProblem(problem: ImportProblem): string {
  return problem.line === null ? `${problem.path}: ${problem.message}` : `${problem.path}:${problem.line}: ${problem.message}`;
}

const NO_FILES: ImportProblem = { path: '<arguments>', line: 1, message: 'no lesson files found' };

/**
 * The checks of one import, file after file: each file parsed, its problems reported as found, and a
 * lesson already seen in an earlier file refused (it keeps only each lesson's id and first file).
 */
class ImportChecker {
  problemCount = 0;
  lessonCount = 0;
  private readonly firstPathById = new Map<string, string>();

  constructor(
    private readonly options: { importTimeZone: string },
    private readonly onProblem: (problem: ImportProblem) => void,
  ) {}

  /** The file's lessons; none when it has a problem (reported), without those refused as duplicates. */
  check(source: LessonSource): Lesson[] {
    let parsed: Lesson[];
    try {
      parsed = parseLessonFile(source.text, { file: source.path, importTimeZone: this.options.importTimeZone });
    } catch (error) {
      if (!(error instanceof LessonParseError)) throw error;
      // One at a time: spreading a huge list into push() overflows the stack.
      for (const problem of error.problems) this.onProblem({ path: source.path, line: problem.line, message: problem.message });
      if (error.omitted > 0) this.onProblem({ path: source.path, line: null, message: moreProblems(error.omitted), omitted: error.omitted });
      this.problemCount += error.problems.length + error.omitted;
      return [];
    }
    const lessons: Lesson[] = [];
    // Lessons already in an earlier file: the first few named on their id's line (looked up once for all), the rest counted.
    const repeated: { index: number; id: string; earlier: string }[] = [];
    let unlisted = 0;
    for (const [index, lesson] of parsed.entries()) {
      const earlier = this.firstPathById.get(lesson.id);
      if (earlier !== undefined) {
        if (repeated.length < MAX_PROBLEMS_PER_FILE) repeated.push({ index, id: lesson.id, earlier });
        else unlisted += 1;
        continue;
      }
      this.firstPathById.set(lesson.id, source.path);
      lessons.push(lesson);
    }
    if (repeated.length > 0) {
      const lines = lessonIdLines(source.text, repeated.map((entry) => entry.index));
      for (const [i, { id, earlier }] of repeated.entries()) {
        this.report({ path: source.path, line: lines[i] ?? 1, message: `lesson ${id} is also in ${earlier}; import it once` });
      }
    }
    if (unlisted > 0) {
      this.problemCount += unlisted;
      this.onProblem({ path: source.path, line: null, message: moreProblems(unlisted), omitted: unlisted });
    }
    this.lessonCount += lessons.length;
    return lessons;
  }

  /** check() for a source read from disk: one that could not be read is that file's problem, reported like the others. */
  checkRead(read: SourceRead): Lesson[] {
    if (!('unreadable' in read)) return this.check(read);
    this.report({ path: read.unreadable.path, line: read.unreadable.line, message: read.unreadable.reason });
    return [];
  }

  report(problem: ImportProblem): void {
    this.problemCount += 1;
    this.onProblem(problem);
  }
}

/** Parses every source and reports every problem in all of them, so one run shows the whole list to fix. */
export function parseSources(sources: readonly LessonSource[], options: { importTimeZone: string }): ParsedBatch {
  const problems: ImportProblem[] = [];
  const checker = new ImportChecker(options, (problem) => problems.push(problem));
  const lessons: ParsedLesson[] = [];
  for (const source of sources) {
    for (const lesson of checker.check(source)) lessons.push({ path: source.path, lesson });
  }
  if (sources.length === 0) checker.report(NO_FILES);
  return checker.problemCount > 0 ? { ok: false, problems, problemCount: checker.problemCount } : { ok: true, lessons };
}

/**
 * The first pass of a big import: parses the sources one at a time (the next few read meanwhile), reporting
 * every problem as it is found (so one run shows the whole list to fix: a file that cannot be read, too big or not
 * UTF-8, is one of them), and keeps none of the lessons: memory
 * holds a few files and the lessons' ids, whatever the number of files. The second pass (readLessons) reads
 * them again.
 */
export async function checkSources(
  sources: readonly SourceFile[],
  options: { importTimeZone: string },
  onProblem: (problem: ImportProblem) => void,
): Promise<{ lessons: number; problems: number }> {
  const checker = new ImportChecker(options, onProblem);
  for await (const read of readEachInOrder(sources)) checker.checkRead(read);
  if (sources.length === 0) checker.report(NO_FILES);
  return { lessons: checker.lessonCount, problems: checker.problemCount };
}

/** The files of a one-pass import had problems, each reported as found: the import is rolled back. */
export class ImportRefusedError extends Error {
  override readonly name = 'ImportRefusedError';
  constructor(readonly problems: number) {
    super(`nothing imported: ${problems} problem${problems === 1 ? '' : 's'}`);
  }
}

/**
 * A big import in one pass (the lessons CLI on PostgreSQL, where the database is not the CLI's own to keep
 * closed): each file read and parsed once, its lessons given to the import as they come, a few files in memory
 * at a time. From the first problem on no lesson is given, but every file is still checked and its problems
 * reported as found, as checkSources does, so one run shows the whole list to fix; at the end
 * ImportRefusedError ends the import's transaction with nothing written. `onFile` is told after each file.
 */
export async function* checkedLessons(
  sources: readonly SourceFile[],
  options: { importTimeZone: string },
  onProblem: (problem: ImportProblem) => void,
  onFile?: () => void,
): AsyncGenerator<Lesson> {
  const checker = new ImportChecker(options, onProblem);
  for await (const read of readEachInOrder(sources)) {
    const lessons = checker.checkRead(read);
    onFile?.();
    if (checker.problemCount === 0) yield* lessons;
  }
  if (sources.length === 0) checker.report(NO_FILES);
  if (checker.problemCount > 0) throw new ImportRefusedError(checker.problemCount);
}

/** A file checked by the first pass of an import no longer reads the same in the second (it changed meanwhile). */
export class SourceChangedError extends Error {
  override readonly name = 'SourceChangedError';
}

/**
 * The second pass of a big import: the lessons of sources checked by checkSources, read and parsed again
 * one file at a time. A problem now (a file changed since it was checked) throws SourceChangedError, which
 * ends the import's transaction with nothing written.
 */
export async function* readLessons(sources: readonly SourceFile[], options: { importTimeZone: string }): AsyncGenerator<Lesson> {
  let first: ImportProblem | undefined;
  const checker = new ImportChecker(options, (problem) => {
    first ??= problem;
  });
  for await (const source of readInOrder(sources)) {
    const lessons = checker.check(source);
    if (first) throw new SourceChangedError(`${source.path} changed while it was imported: ${formatProblem(first)}`);
    yield* lessons;
  }
}

export type ImportCounts = Record<UpsertOutcome, number>;

export function formatCounts(counts: ImportCounts): string {
  return `imported ${counts.imported}, updated ${counts.updated}, unchanged ${counts.unchanged}`;
}

/**
 * Lessons written at a time inside an import's one transaction: what the import holds in memory, whatever
 * its size (IMPORT_BATCH_SIZE; a lesson is a few kilobytes).
 */
export const DEFAULT_IMPORT_BATCH = 250;

/** Lessons read while a batch is written before the event loop gets a turn (~1 ms of parsing each): see importLessons. */
const LESSONS_PER_TURN = 8;

export interface ImportOptions {
  /** Lessons per batch (DEFAULT_IMPORT_BATCH). */
  readonly batchSize?: number;
  /** How the titles of lessons imported before are linked to this import's (linkSimilarReadings; tests make them small). */
  readonly backward?: Partial<BackwardLimits>;
  /**
   * Titles matched in PostgreSQL's parallel workers (where it runs them): true always, false never; by default in a
   * library of PARALLEL_MATCHING_FROM_LESSONS lessons or more (tests compare the two).
   */
  readonly parallelMatching?: boolean;
  /** Called after each lesson is written, with how many are. */
  readonly onProgress?: (done: number) => void;
  /**
   * Work on the written lessons done alongside the import in its transaction, committed with it (the lessons
   * CLI: their vocabulary, computed while the database writes and matches): told each batch's new and changed
   * lessons once they are written, finished before the commit, stopped if the import fails.
   */
  readonly alongside?: (trx: Executor) => ImportSideWork;
  /**
   * When another import is being written: wait for it (the CLI, whose statements may take 120 s), or refuse at
   * once with ImportBusyError (a member's upload, answered within seconds). Imports run one at a time.
   */
  readonly whenBusy?: 'wait' | 'refuse';
}

/** Another import is being written (whenBusy: 'refuse'); nothing of this one was. */
export class ImportBusyError extends Error {
  override readonly name = 'ImportBusyError';
}

/** See ImportOptions.alongside. */
export interface ImportSideWork {
  /** Lessons the import just wrote (new or changed). */
  written(lessonIds: readonly string[]): void;
  /** Every lesson of the import is written (its titles are matched next): no more `written`. */
  allWritten(): void;
  /** The import waits for `waiting` (the database): the work may use this thread until it settles. */
  during<T>(waiting: Promise<T>): Promise<T>;
  /** Every lesson is written and linked: do what is left; resolves when no statement of it runs. */
  finish(): Promise<unknown>;
  /** The import failed: stop after the statement in flight; never rejects. */
  stop(): Promise<void>;
}

/**
 * Writes lessons in one transaction: all of them or, if anything fails (a write, or the lessons' source
 * throwing), none of them. The lessons are consumed as they come, a batch at a time, so an import of
 * 10,000 files holds at most two batches of lessons (the one being written and the next, read meanwhile)
 * and the ids of all. A batch is written in one statement (upsertLessons' statement, built while the batch
 * before is written); a lesson whose id is already in the batch starts the next one, so it is written after its
 * first copy, as one at a time would. Their similar-reading titles are matched once every lesson is written, in
 * batches too (see linkSimilarReadings).
 */
export async function importLessons(
  db: Kysely<DB>,
  lessons: Iterable<Lesson> | AsyncIterable<Lesson>,
  options: ImportOptions = {},
): Promise<ImportCounts> {
  const size = Math.max(1, options.batchSize ?? DEFAULT_IMPORT_BATCH);
  return db.transaction().execute(async (trx) => {
    const counts: ImportCounts = { imported: 0, updated: 0, unchanged: 0 };
    const written: string[] = [];
    const unchangedWithTitles: string[] = [];
    let done = 0;
    // Every lesson of the import once (lower case): what it counted before the import is taken out once,
    // before its first copy is written; what it counts after, once every copy is (lexemeCounts).
    const seen = new Set<string>();
    if (!(await lockLessonImports(trx, { wait: options.whenBusy !== 'refuse' }))) {
      throw new ImportBusyError('another import is being written to the library');
    }
    await planWithoutJit(trx);
    await lexemeCounts.start(trx);
    const side = options.alongside?.(trx);
    // The import waits on the database: the work alongside it may use this thread meanwhile.
    const waitFor = <T>(waiting: Promise<T>): Promise<T> => (side ? side.during(waiting) : waiting);
    const write = async (batch: readonly Lesson[], upsert: PreparedLessonUpsert) => {
      const firstCopies = batch.map((lesson) => lesson.id).filter((id) => !seen.has(id.toLowerCase()));
      for (const id of firstCopies) seen.add(id.toLowerCase());
      await lexemeCounts.before(trx, firstCopies);
      const outcomes = await runLessonUpsert(trx, upsert);
      const writtenNow: string[] = [];
      for (const [index, lesson] of batch.entries()) {
        const outcome = outcomes[index] ?? 'unchanged';
        counts[outcome] += 1;
        if (outcome !== 'unchanged') writtenNow.push(lesson.id);
        else if (lesson.similarReadings.length > 0) unchangedWithTitles.push(lesson.id);
        done += 1;
        options.onProgress?.(done);
      }
      for (const id of writtenNow) written.push(id);
      side?.written(writtenNow);
    };
    // The batch being written while the next is read (the source may parse files meanwhile): one at a time.
    let writing: Promise<void> | undefined;
    const startWriting = async (batch: readonly Lesson[]) => {
      // Its statement is built while the batch before is written (hashes, JSON, parameters: ~50 ms of this
      // thread for 250 lessons), so the database does not wait for it once that one is done.
      const upsert = prepareLessonUpsert(trx, batch);
      if (writing) await waitFor(writing);
      writing = write(batch, upsert);
      // Awaited before the next batch or at the end; until then a failure must not count as unhandled.
      writing.catch(() => undefined);
    };
    try {
      let batch: Lesson[] = [];
      let inBatch = new Set<string>();
      let sinceTurn = 0;
      for await (const lesson of lessons) {
        // A source that reads and parses its files synchronously (the CLI's) resolves each lesson in the same turn of
        // the event loop: the write in flight would not hear its statement's answer, nor send its next one, before
        // the whole next batch is parsed. Every few lessons the answers get in, and the database works meanwhile.
        if (writing && ++sinceTurn >= LESSONS_PER_TURN) {
          sinceTurn = 0;
          await nextTurn();
        }
        const key = lesson.id.toLowerCase();
        if (inBatch.has(key)) {
          await startWriting(batch);
          batch = [];
          inBatch = new Set();
        }
        batch.push(lesson);
        inBatch.add(key);
        if (batch.length >= size) {
          await startWriting(batch);
          batch = [];
          inBatch = new Set();
        }
      }
      if (batch.length > 0) await startWriting(batch);
      if (writing) await waitFor(writing);
      side?.allWritten();
      await waitFor(lexemeCounts.after(trx, [...seen]));
      await waitFor(lexemeCounts.apply(trx));
      // Related readings are matched now, so that showing them is a lookup.
      await waitFor(
        linkSimilarReadings(trx, written, unchangedWithTitles, {
          batchSize: size,
          ...(options.backward ? { backward: options.backward } : {}),
          ...(options.parallelMatching === undefined ? {} : { parallel: options.parallelMatching }),
        }),
      );
      await side?.finish();
    } finally {
      // Whatever failed (the source, a write), no statement of this transaction is still running at its end.
      await writing?.catch(() => undefined);
      await side?.stop();
    }
    return counts;
  });
}
