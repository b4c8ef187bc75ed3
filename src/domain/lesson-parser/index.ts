import type { Lesson } from '../lesson.js';
import { parseExportText } from './export-text.js';
import { parseLessonJson } from './json.js';
import { stripBom } from './lines.js';
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
