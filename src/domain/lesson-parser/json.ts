import { z } from 'zod';
import { MAX_TITLE_LENGTH, type Lesson } from '../lesson.js';
import { ProblemList } from './errors.js';
import { scanJson, type JsonLines } from './json-lines.js';
import { stripBom } from './lines.js';
import type { ParseOptions } from './options.js';
import { isHttpUrl, isIsoDate, normaliseIsoTime, normaliseUuid } from './values.js';

/** Every field's type error reads `missing` or `expected …`, rather than zod's generic wording. */
const expected =
  (what: string) =>
  (issue: { readonly input?: unknown }): string =>
    issue.input === undefined ? 'missing' : `expected ${what}`;

const nonBlank = (what: string) =>
  z.string({ error: expected(what) }).refine((value) => value.trim() !== '', { error: 'must not be blank' });

/** A string checked and rewritten by `normalise` (null = invalid): ids lowercased, times moved to UTC. */
const normalised = (what: string, normalise: (value: string) => string | null) =>
  z.string({ error: expected(what) }).transform((value, context) => {
    const result = normalise(value);
    if (result !== null) return result;
    context.issues.push({ code: 'custom', message: `expected ${what}`, input: value });
    return z.NEVER;
  });

const count = z.int({ error: expected('a non-negative integer') }).min(0, { error: 'expected a non-negative integer' });
const TIME = 'an ISO 8601 time with Z or an offset, e.g. 2025-06-02T07:14:00.000Z';

/** One lesson in the documented JSON format; unknown keys are errors, so typos do not pass silently. */
export const lessonJsonSchema = z.strictObject(
  {
    id: normalised('a UUID', normaliseUuid),
    category: nonBlank('a category id'),
    url: z.string({ error: expected('an http(s) URL') }).refine(isHttpUrl, { error: 'expected an http(s) URL' }),
    date: z.string({ error: expected('YYYY-MM-DD') }).refine(isIsoDate, { error: 'expected YYYY-MM-DD' }),
    title: nonBlank('a title').refine((title) => title.length <= MAX_TITLE_LENGTH, {
      error: `must be at most ${MAX_TITLE_LENGTH} characters`,
    }),
    summary: nonBlank('the summary text'),
    article: z
      .array(nonBlank('a paragraph'), { error: expected('an array of paragraphs') })
      .min(1, { error: 'expected at least one paragraph' }),
    dialogue: z.array(
      z.strictObject(
        { speaker: nonBlank('the speaker'), text: nonBlank('the text') },
        { error: expected('an object {"speaker", "text"}') },
      ),
      { error: expected('an array of {"speaker", "text"} objects') },
    ),
    similarReadings: z.array(nonBlank('a title'), { error: expected('an array of titles') }),
    sourceStats: z.strictObject({ words: count, readCount: count }, { error: expected('an object {"words", "readCount"}') }),
    sourceTimes: z.strictObject(
      {
        created: normalised(TIME, normaliseIsoTime),
        updated: normalised(TIME, normaliseIsoTime),
        lastRead: normalised(`${TIME}, or null`, normaliseIsoTime).nullable(),
      },
      { error: expected('an object {"created", "updated", "lastRead"}') },
    ),
  },
  { error: expected('a lesson object') },
);

/** A lesson as written in the JSON format. */
export type LessonJson = z.input<typeof lessonJsonSchema>;

/** The JSON form of a lesson, keys in the documented order (JSON.stringify keeps it). */
export function lessonToJson(lesson: Lesson): LessonJson {
  return {
    id: lesson.id,
    category: lesson.category,
    url: lesson.url,
    date: lesson.date,
    title: lesson.title,
    summary: lesson.summary,
    article: [...lesson.article],
    dialogue: lesson.dialogue.map((turn) => ({ speaker: turn.speaker, text: turn.text })),
    similarReadings: [...lesson.similarReadings],
    sourceStats: { words: lesson.sourceStats.words, readCount: lesson.sourceStats.readCount },
    sourceTimes: {
      created: lesson.sourceTimes.created,
      updated: lesson.sourceTimes.updated,
      lastRead: lesson.sourceTimes.lastRead,
    },
  };
}

/**
 * Reads a JSON file holding one lesson object or an array of them (an empty array is an empty
 * library, not an error). Every problem names the line its value starts on. JSON times carry
 * their own offset, so `importTimeZone` does not apply.
 */
export function parseLessonJson(text: string, options: ParseOptions): Lesson[] {
  const problems = new ProblemList(options.file);
  const source = stripBom(text);
  const scan = scanJson(source);
  if (!scan.ok) return problems.fail(scan.line, `invalid JSON: ${scan.message}`);
  const data = parseJson(source, problems);

  if (Array.isArray(data)) {
    const lessons = data.map((item, index) => validate(item, [index], `lesson ${index + 1}: `, scan.lines, problems));
    problems.throwIfAny();
    return lessons.filter((lesson): lesson is Lesson => lesson !== null);
  }
  if (typeof data !== 'object' || data === null) {
    return problems.fail(1, 'expected a lesson object or an array of lesson objects');
  }
  const lesson = validate(data, [], '', scan.lines, problems);
  problems.throwIfAny();
  return lesson ? [lesson] : [];
}

/** The scanner already accepted the text, so JSON.parse failing here would be a scanner bug; still report it politely. */
function parseJson(source: string, problems: ProblemList): unknown {
  try {
    return JSON.parse(source) as unknown;
  } catch (error) {
    return problems.fail(1, `invalid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function validate(
  item: unknown,
  prefix: readonly number[],
  label: string,
  lines: JsonLines,
  problems: ProblemList,
): Lesson | null {
  const result = lessonJsonSchema.safeParse(item);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) problems.add(lines.lineOf([...path, key]), `${label}${where([...issue.path, key])}unknown key`);
    } else {
      problems.add(lines.lineOf(path), `${label}${where(issue.path)}${issue.message}`);
    }
  }
  return null;
}

/** `dialogue[2].speaker: ` for a field, nothing for the lesson itself. */
function where(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '';
  const text = path.map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`)).join('');
  return `${text}: `;
}
