import { z } from 'zod';
import { charactersOf, LESSON_LIMITS, MAX_TITLE_LENGTH, overLimit, similarReadingTooLong, tooManySimilarReadings, type Lesson } from '../lesson.js';
import { isSupportedYear, SUPPORTED_YEARS } from '../dates.js';
import { codePoint, findControlCharacter, findLoneSurrogate, hasControlCharacter, isInvisible } from '../text.js';
import { controlCharacterProblem, halfCharacterProblem, MAX_PROBLEMS_PER_FILE, NO_LESSONS, ProblemList } from './errors.js';
import { scanJson } from './json-lines.js';
import { excerpt, stripBom } from './lines.js';
import type { ParseOptions } from './options.js';
import { MAX_SOURCE_STAT } from './statistics.js';
import { isHttpUrl, isIsoDate, normaliseIsoTime, normaliseUuid } from './values.js';

/** Every field's type error reads `missing` or `expected …`, rather than zod's generic wording. */
const expected =
  (what: string) =>
  (issue: { readonly input?: unknown }): string =>
    issue.input === undefined ? 'missing' : `expected ${what}`;

/**
 * Any string of a lesson: control characters (U+0000 above all, which PostgreSQL refuses) are never text, nor half
 * a character (a `\ud83d` escape without its pair, left by an exporter that cut text by length: PostgreSQL stored it
 * as U+FFFD and Discord refuses a message holding one).
 */
const text = (what: string) =>
  z
    .string({ error: expected(what) })
    .refine((value) => !hasControlCharacter(value), {
      error: (issue) => controlCharacterProblem(findControlCharacter(String(issue.input)) ?? 'U+0000'),
      abort: true,
    })
    .refine((value) => findLoneSurrogate(value) === null, {
      error: (issue) => halfCharacterProblem(findLoneSurrogate(String(issue.input)) ?? 'U+D800'),
      abort: true,
    });

/**
 * A text shown to members: its surrounding spaces and line breaks are dropped, as the export format's lines are (a
 * category `" misc "` was stored as given, and a category filter for `misc` missed it).
 */
const nonBlank = (what: string) => text(what).trim().refine((value) => value !== '', { error: 'must not be blank' });

/** A string checked and rewritten by `normalise` (null = invalid): ids lowercased, times moved to UTC. */
const normalised = (what: string, normalise: (value: string) => string | null, check?: (value: string) => string | null) =>
  text(what).transform((value, context) => {
    const result = normalise(value);
    const problem = result === null ? `expected ${what}` : (check?.(result) ?? null);
    if (result !== null && problem === null) return result;
    context.issues.push({ code: 'custom', message: problem ?? `expected ${what}`, input: value });
    return z.NEVER;
  });

const inSupportedYears = (isoDateOrTime: string): boolean => isSupportedYear(Number(isoDateOrTime.slice(0, 4)));
const supportedTime = (iso: string): string | null => (inSupportedYears(iso) ? null : `expected a time in the ${SUPPORTED_YEARS}`);

const count = z
  .int({ error: expected('a non-negative integer') })
  .min(0, { error: 'expected a non-negative integer' })
  .max(MAX_SOURCE_STAT, { error: `expected at most ${MAX_SOURCE_STAT}` });
const TIME = 'an ISO 8601 time with Z or an offset, e.g. 2025-06-02T07:14:00.000Z';

const atMost = (max: number) => `must be at most ${max} characters`;

/** A refinement with a message computed from the value (null: fine), for limits that say how far over they are. */
const within =
  <T>(problem: (value: T) => string | null) =>
  (value: T, context: z.RefinementCtx): void => {
    const message = problem(value);
    if (message !== null) context.addIssue({ code: 'custom', message, input: value });
  };

/**
 * An array whose entries are checked (`entries`) only when the part can hold that many (`tooMany` gives null): each bad
 * entry is a problem, and a 2 MB lesson of a million (`"similarReadings":[0,0,…]`) made a million, every one of them held,
 * so a 10 MiB file took 102 s and 4 GB before it was refused. Its count is then its one problem.
 */
function counted<T extends z.ZodType<unknown, unknown[]>>(typeError: (issue: { readonly input?: unknown }) => string, tooMany: (count: number) => string | null, entries: T) {
  return z
    .array(z.unknown(), { error: typeError })
    .superRefine(within((items: readonly unknown[]) => tooMany(items.length)))
    .pipe(entries);
}

/** An article or dialogue of more paragraphs or turns than its characters allow (each holds one at least), or null. */
function moreEntriesThanCharacters(part: 'article' | 'dialogue', count: number, entries: string): string | null {
  const max = LESSON_LIMITS[part];
  if (count <= max) return null;
  return `the ${part} has ${count.toLocaleString('en-US')} ${entries}; a lesson's ${part} may hold at most ${max.toLocaleString('en-US')} characters (split it into several lessons)`;
}

/** One lesson in the documented JSON format; unknown keys are errors, so typos do not pass silently. */
export const lessonJsonSchema = z.strictObject(
  {
    id: normalised('a UUID', normaliseUuid),
    category: nonBlank('a category id')
      .max(LESSON_LIMITS.category, { error: atMost(LESSON_LIMITS.category) })
      .refine((category) => category.trim() === '' || !isInvisible(category), { error: 'shows nothing: it has only blank or zero-width characters' }),
    url: text('an http(s) URL').trim().refine(isHttpUrl, { error: 'expected an http(s) URL' }),
    date: text('YYYY-MM-DD')
      .refine(isIsoDate, { error: 'expected YYYY-MM-DD', abort: true })
      .refine(inSupportedYears, { error: `expected a date in the ${SUPPORTED_YEARS}` }),
    title: nonBlank('a title')
      .max(MAX_TITLE_LENGTH, { error: atMost(MAX_TITLE_LENGTH) })
      .refine((title) => title.trim() === '' || !isInvisible(title), { error: 'shows nothing: it has only blank or zero-width characters' }),
    summary: nonBlank('the summary text').superRefine(within((summary) => overLimit('summary', summary.length))),
    article: counted(
      expected('an array of paragraphs'),
      (count) => moreEntriesThanCharacters('article', count, 'paragraphs'),
      z
        .array(nonBlank('a paragraph'))
        .min(1, { error: 'expected at least one paragraph' })
        .superRefine(within((paragraphs) => overLimit('article', charactersOf(paragraphs)))),
    ),
    dialogue: counted(
      expected('an array of {"speaker", "text"} objects'),
      (count) => moreEntriesThanCharacters('dialogue', count, 'turns'),
      z
        .array(
          z.strictObject(
            {
              speaker: nonBlank('the speaker').max(LESSON_LIMITS.speaker, { error: atMost(LESSON_LIMITS.speaker) }),
              text: nonBlank('the text'),
            },
            { error: expected('an object {"speaker", "text"}') },
          ),
        )
        .superRefine(within((turns) => overLimit('dialogue', charactersOf(turns.map((turn) => turn.text))))),
    ),
    similarReadings: counted(
      expected('an array of titles'),
      tooManySimilarReadings,
      z.array(nonBlank('a title').superRefine(within((title) => similarReadingTooLong(title.length)))),
    ),
    sourceStats: z.strictObject({ words: count, readCount: count }, { error: expected('an object {"words", "readCount"}') }),
    sourceTimes: z.strictObject(
      {
        created: normalised(TIME, normaliseIsoTime, supportedTime),
        updated: normalised(TIME, normaliseIsoTime, supportedTime),
        lastRead: normalised(`${TIME}, or null`, normaliseIsoTime, supportedTime).nullable(),
      },
      { error: expected('an object {"created", "updated", "lastRead"}') },
    ),
  },
  { error: expected('a lesson object') },
);

/** A lesson as written in the JSON format (the schema's output: its input takes any array where it counts the entries first). */
export type LessonJson = z.output<typeof lessonJsonSchema>;

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

/** A schema problem, before its line is known. */
interface Issue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/**
 * Reads a JSON file holding one lesson object or a non-empty array of them. Every problem names the
 * line its value starts on. JSON times carry their own offset, so `importTimeZone` does not apply.
 *
 * Bounded for hostile files: problems are described for the first lessons only (up to
 * MAX_PROBLEMS_PER_FILE) and merely counted after that, and lines are looked up for those few.
 */
export function parseLessonJson(text: string, options: ParseOptions): Lesson[] {
  const problems = new ProblemList(options.file);
  const source = stripBom(text);
  const scan = scanJson(source);
  if (!scan.ok) return problems.fail(scan.line, scan.tooDeep ? scan.message : `invalid JSON: ${scan.message}`);
  const data = parseJson(source, problems);
  if (Array.isArray(data) && data.length === 0) return problems.fail(1, NO_LESSONS);
  if (!Array.isArray(data) && (typeof data !== 'object' || data === null)) {
    return problems.fail(1, 'expected a lesson object or an array of lesson objects');
  }

  const items: readonly unknown[] = Array.isArray(data) ? data : [data];
  const described: Issue[] = [];
  const lessons: Lesson[] = [];
  let unlisted = 0;
  /** Each lesson id's first place in the file: a second copy is named on its own line, not at line 1 by the import. */
  const firstById = new Map<string, number>();
  for (const [index, item] of items.entries()) {
    const result = validateLesson(item);
    if (result.ok) {
      const id = result.lesson.id.toLowerCase();
      const first = firstById.get(id);
      if (first === undefined) {
        firstById.set(id, index);
        lessons.push(result.lesson);
      } else if (described.length < MAX_PROBLEMS_PER_FILE) {
        described.push({ path: [index, 'id'], message: `lesson ${index + 1}: the id ${result.lesson.id} is lesson ${first + 1}'s too (a lesson goes in a file once)` });
      } else {
        unlisted += 1;
      }
      continue;
    }
    // Problems are described until the cap is reached, within a lesson too (one lesson may hold a million unknown keys);
    // the rest are only counted (the list keeps the first by line).
    const room = MAX_PROBLEMS_PER_FILE - described.length;
    const lessonIssues = room > 0 ? describeIssues(item, result.issues, Array.isArray(data) ? [index] : [], Array.isArray(data) ? `lesson ${index + 1}: ` : '', room) : [];
    for (const issue of lessonIssues) described.push(issue);
    unlisted += countIssues(result.issues) - lessonIssues.length;
  }
  if (described.length === 0) return lessons;

  const located = scanJson(source, described.map((issue) => issue.path));
  const lines = located.ok ? located.lines : undefined;
  for (const issue of described) problems.add(lines?.lineOf(issue.path) ?? 1, issue.message);
  problems.addUnlisted(unlisted);
  problems.throwIfAny();
  return lessons;
}

/**
 * zod's Standard Schema entry point: the same checks and issues as safeParse, without building a
 * ZodError (and its stack trace) per lesson, which made files of many bad lessons three times slower.
 */
function validateLesson(item: unknown): { ok: true; lesson: Lesson } | { ok: false; issues: readonly z.core.$ZodIssue[] } {
  const result = lessonJsonSchema['~standard'].validate(item);
  if (result instanceof Promise) throw new TypeError('the lesson schema has no asynchronous checks');
  if (result.issues) return { ok: false, issues: result.issues as readonly z.core.$ZodIssue[] };
  return { ok: true, lesson: result.value };
}

/** The scanner already accepted the text, so JSON.parse failing here would be a scanner bug; still report it politely. */
function parseJson(source: string, problems: ProblemList): unknown {
  try {
    return JSON.parse(source) as unknown;
  } catch (error) {
    return problems.fail(1, `invalid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** As many as describeIssues would describe: an unknown-keys issue is one problem per key. */
function countIssues(issues: readonly z.core.$ZodIssue[]): number {
  let count = 0;
  for (const issue of issues) count += issue.code === 'unrecognized_keys' ? issue.keys.length : 1;
  return count;
}

/**
 * A lesson's first `max` problems (countIssues counts them all), by line as the file has them: first those at the
 * lesson's own line (a key missing), then key by key in the file's order (JSON.parse keeps it), each key's in zod's
 * (an array's by index). Only these are described and have their lines looked up: one lesson may hold millions (an
 * unknown key each, or bad dialogue turns), and describing and looking up them all held gigabytes.
 */
function describeIssues(item: unknown, issues: readonly z.core.$ZodIssue[], prefix: readonly number[], label: string, max: number): Issue[] {
  const described: Issue[] = [];
  const unknownKey = (path: readonly PropertyKey[], key: string): void => {
    if (described.length < max) described.push({ path: [...prefix, ...path, key], message: `${label}${where([...path, key])}unknown key` });
  };
  const describe = (issue: z.core.$ZodIssue): void => {
    if (issue.code !== 'unrecognized_keys') {
      if (described.length < max) described.push({ path: [...prefix, ...issue.path], message: `${label}${where(issue.path)}${issue.message}` });
      return;
    }
    for (const key of issue.keys) {
      if (described.length >= max) return;
      unknownKey(issue.path, key);
    }
  };
  if (countIssues(issues) <= max || typeof item !== 'object' || item === null) {
    for (const issue of issues) describe(issue);
    return described;
  }
  const byKey = new Map<string, z.core.$ZodIssue[]>();
  for (const issue of issues) {
    const [key] = issue.path;
    if (key === undefined) {
      if (issue.code !== 'unrecognized_keys') describe(issue); // the lesson's unknown keys: named in the walk below, in the file's order
      continue;
    }
    if (!Object.hasOwn(item, key)) describe(issue); // missing: at the lesson's line
    else {
      const ofKey = byKey.get(String(key)) ?? [];
      if (ofKey.length < max) ofKey.push(issue); // each is at least one problem: no more are ever described
      byKey.set(String(key), ofKey);
    }
  }
  for (const key of Object.keys(item)) {
    if (described.length >= max) break;
    if (Object.hasOwn(lessonJsonSchema.shape, key)) for (const issue of byKey.get(key) ?? []) describe(issue);
    else unknownKey([], key);
  }
  return described;
}

/** `dialogue[2].speaker: ` for a field, nothing for the lesson itself. */
function where(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '';
  const text = path.map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${keyName(String(part))}`)).join('');
  return `${text}: `;
}

/** A key as a message shows it: control characters as `U+0000` (an unknown key may hold anything), cut if long. */
function keyName(key: string): string {
  // eslint-disable-next-line no-control-regex -- showing control characters is the point
  return excerpt(key.replace(/[\u0000-\u001F\u007F]/gu, (char) => codePoint(char)));
}
