import type { Lesson } from '../lesson.js';
import { parseExportText } from './export-text.js';
import { parseLessonJson } from './json.js';
import { scanJson } from './json-lines.js';
import { stripBom, toLines } from './lines.js';
import { keyValue, metadataField } from './patterns.js';
import type { ParseOptions } from './options.js';

export { LessonParseError, MAX_PROBLEMS_PER_FILE, moreProblems, NO_LESSONS, type ParseProblem } from './errors.js';
export { parseExportText } from './export-text.js';
export { lessonJsonSchema, lessonToJson, parseLessonJson, type LessonJson } from './json.js';
export type { ParseOptions } from './options.js';

/**
 * Reads a lesson file of either format, chosen by content rather than by file name (exports
 * get renamed): JSON when the text, after a BOM and whitespace, starts with `{` or `[`.
 * Throws only LessonParseError.
 */
export function parseLessonFile(text: string, options: ParseOptions): Lesson[] {
  return looksLikeJson(text) ? parseLessonJson(text, options) : [parseExportText(text, options)];
}

function looksLikeJson(text: string): boolean {
  const first = stripBom(text).trimStart()[0];
  return first === '{' || first === '[';
}

/**
 * The lines of the ids of a file's lessons (`indexes`: their places among the file's lessons, from 0), for problems
 * about those lessons as a whole (the import's "also in another file"); 1 where one cannot be found. Only looked up
 * for such problems, all of a file's at once: JSON is scanned once more for those paths, an export's lines split again.
 */
export function lessonIdLines(text: string, indexes: readonly number[]): number[] {
  const source = stripBom(text);
  if (looksLikeJson(source)) {
    const inArray = source.trimStart().startsWith('[');
    const paths = indexes.map((index) => (inArray ? [index, 'id'] : ['id']));
    const located = scanJson(source, paths);
    return paths.map((path) => (located.ok ? located.lines.lineOf(path) : 1));
  }
  // An export holds one lesson, and its metadata block is its end: its `ID:` is the last line with that key.
  let found = 1;
  for (const line of toLines(source)) {
    const pair = keyValue(line);
    if (pair && metadataField(pair.key) === 'id') found = line.no;
  }
  return indexes.map(() => found);
}
