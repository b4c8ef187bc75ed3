import type { Kysely } from 'kysely';
import type { Lesson } from '../domain/lesson.js';
import { LessonParseError, moreProblems, parseLessonFile } from '../domain/lesson-parser/index.js';
import { upsertLesson, type UpsertOutcome } from '../db/lessons.js';
import type { DB } from '../db/schema.js';
import { lexemeCounts, linkSimilarReadings } from '../discovery/similar-readings.js';
import type { LessonSource } from './sources.js';

export interface ImportProblem {
  readonly path: string;
  /** Null for a remark about the whole file (how many more problems were found than listed). */
  readonly line: number | null;
  readonly message: string;
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

/** Parses every source and reports every problem in all of them, so one run shows the whole list to fix. */
export function parseSources(sources: readonly LessonSource[], options: { importTimeZone: string }): ParsedBatch {
  const problems: ImportProblem[] = [];
  let problemCount = 0;
  const lessons: ParsedLesson[] = [];
  const firstPathById = new Map<string, string>();
  for (const source of sources) {
    try {
      for (const lesson of parseLessonFile(source.text, { file: source.path, importTimeZone: options.importTimeZone })) {
        const earlier = firstPathById.get(lesson.id);
        if (earlier !== undefined) {
          problemCount += 1;
          problems.push({ path: source.path, line: 1, message: `lesson ${lesson.id} is also in ${earlier}; import it once` });
          continue;
        }
        firstPathById.set(lesson.id, source.path);
        lessons.push({ path: source.path, lesson });
      }
    } catch (error) {
      if (!(error instanceof LessonParseError)) throw error;
      // One at a time: spreading a huge list into push() overflows the stack.
      for (const problem of error.problems) problems.push({ path: source.path, line: problem.line, message: problem.message });
      if (error.omitted > 0) problems.push({ path: source.path, line: null, message: moreProblems(error.omitted) });
      problemCount += error.problems.length + error.omitted;
    }
  }
  if (sources.length === 0) {
    problems.push({ path: '<arguments>', line: 1, message: 'no lesson files found' });
    problemCount += 1;
  }
  return problemCount > 0 ? { ok: false, problems, problemCount } : { ok: true, lessons };
}

export type ImportCounts = Record<UpsertOutcome, number>;

export function formatCounts(counts: ImportCounts): string {
  return `imported ${counts.imported}, updated ${counts.updated}, unchanged ${counts.unchanged}`;
}

/** Writes a parsed batch in one transaction: all of it or, if anything fails, none of it. */
export async function importLessons(
  db: Kysely<DB>,
  lessons: readonly Lesson[],
  onProgress?: (done: number) => void,
): Promise<ImportCounts> {
  return db.transaction().execute(async (trx) => {
    const counts: ImportCounts = { imported: 0, updated: 0, unchanged: 0 };
    const ids = lessons.map((lesson) => lesson.id);
    const changed: Lesson[] = [];
    const unchanged: Lesson[] = [];
    await lexemeCounts.before(trx, ids);
    for (const [index, lesson] of lessons.entries()) {
      const outcome = await upsertLesson(trx, lesson);
      counts[outcome] += 1;
      (outcome === 'unchanged' ? unchanged : changed).push(lesson);
      onProgress?.(index + 1);
    }
    await lexemeCounts.after(trx, ids);
    // Related readings are matched now, so that showing them is a lookup.
    await linkSimilarReadings(trx, changed, unchanged);
    return counts;
  });
}
