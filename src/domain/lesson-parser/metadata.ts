import { isSupportedYear, SUPPORTED_YEARS } from '../dates.js';
import { LESSON_LIMITS } from '../lesson.js';
import { isInvisible } from '../text.js';
import type { ProblemList } from './errors.js';
import { excerpt, type Line } from './lines.js';
import { keyValue, metadataField, type MetadataField } from './patterns.js';
import { isHttpUrl, normaliseUuid, parseExportDate, parseExportTime } from './values.js';

export interface Metadata {
  readonly title: string | null;
  /** The line of `Title:`, when there is one. */
  readonly titleLine: number | null;
  readonly id: string;
  readonly category: string;
  readonly url: string;
  readonly date: string;
  readonly created: string;
  readonly updated: string;
  readonly lastRead: string | null;
}

type RequiredField = Exclude<MetadataField, 'title' | 'lastRead'>;

/** How each required key is written in an export, for messages. */
const LABELS: Readonly<Record<RequiredField, string>> = {
  id: 'ID',
  category: 'Category ID',
  url: 'URL',
  date: 'Date',
  created: 'Created',
  updated: 'Updated',
};

/** A value reader: the normalised value, or an explanation of what was expected. */
type Reader = (value: string, zone: string) => { value: string } | { expected: string };

const read =
  (normalise: (value: string, zone: string) => string | null, expected: string): Reader =>
  (value, zone) => {
    const normalised = normalise(value, zone);
    if (normalised === null) return { expected };
    // Dates and times: a real one, but in a year PostgreSQL cannot store or no news lesson has.
    if (/^\d{4}-\d{2}-\d{2}/u.test(normalised) && !isSupportedYear(Number(normalised.slice(0, 4)))) {
      return { expected: `a date in the ${SUPPORTED_YEARS}` };
    }
    return { value: normalised };
  };

const TIME_EXPECTED = 'a time like 2025/06/02 07:14';

const READERS: Readonly<Record<RequiredField, Reader>> = {
  id: read(normaliseUuid, 'a UUID'),
  category: read(
    // Counted in characters (code points), as the JSON format's schema counts: both formats take the same lessons.
    // One that shows nothing (only zero-width or bidirectional characters) could not be named or picked.
    (value) => (isInvisible(value) || [...value].length > LESSON_LIMITS.category ? null : value),
    `a category id such as nhk, of at most ${LESSON_LIMITS.category} characters`,
  ),
  url: read((value) => (isHttpUrl(value) ? value : null), 'an http(s) URL'),
  date: read(parseExportDate, 'a date like "May 31, 2025" or 2025-05-31'),
  created: read(parseExportTime, TIME_EXPECTED),
  updated: read(parseExportTime, TIME_EXPECTED),
};

/** `Last Read` is empty, `-` or `Never` for a lesson nobody opened. */
const NEVER_READ = /^(?:|-+|never|n\/a|none)$/iu;

/**
 * Reads the `Key: value` lines at the end of an export. Keys are matched without case; keys
 * the lesson has no field for are ignored, because the source app adds some over time.
 * Missing keys are reported where the block starts (or at the file's last line without one).
 */
export function parseMetadata(lines: readonly Line[], problems: ProblemList, zone: string, lastLine: number): Metadata | null {
  const before = problems.count;
  const entries = collectEntries(lines, problems);
  const blockLine = lines[0]?.no ?? lastLine;
  const value = (field: RequiredField): string => {
    const entry = entries.get(field);
    if (!entry) {
      problems.add(blockLine, `missing "${LABELS[field]}:" line in the metadata`);
      return '';
    }
    const result = READERS[field](entry.value, zone);
    if ('value' in result) return result.value;
    problems.add(entry.line, `${entry.key}: expected ${result.expected}, found "${excerpt(entry.value)}"`);
    return '';
  };
  const metadata: Metadata = {
    title: entries.get('title')?.value || null,
    titleLine: entries.get('title')?.line ?? null,
    id: value('id'),
    category: value('category'),
    url: value('url'),
    date: value('date'),
    created: value('created'),
    updated: value('updated'),
    lastRead: readLastRead(entries.get('lastRead'), zone, problems),
  };
  return problems.count === before ? metadata : null;
}

interface Entry {
  readonly line: number;
  readonly key: string;
  readonly value: string;
}

function collectEntries(lines: readonly Line[], problems: ProblemList): Map<MetadataField, Entry> {
  const entries = new Map<MetadataField, Entry>();
  for (const line of lines) {
    const pair = keyValue(line);
    if (!pair) {
      problems.add(line.no, `expected a "Key: value" metadata line, found "${excerpt(line.text)}"`);
      continue;
    }
    const field = metadataField(pair.key);
    if (field === null) continue;
    const earlier = entries.get(field);
    if (earlier) problems.add(line.no, `${pair.key}: given twice (first on line ${earlier.line})`);
    else entries.set(field, { line: line.no, key: pair.key, value: pair.value });
  }
  return entries;
}

function readLastRead(entry: Entry | undefined, zone: string, problems: ProblemList): string | null {
  if (!entry || NEVER_READ.test(entry.value)) return null;
  const time = parseExportTime(entry.value, zone);
  if (time !== null && !isSupportedYear(Number(time.slice(0, 4)))) {
    problems.add(entry.line, `${entry.key}: expected a date in the ${SUPPORTED_YEARS}, found "${excerpt(entry.value)}"`);
    return null;
  }
  if (time === null) {
    problems.add(entry.line, `${entry.key}: expected ${TIME_EXPECTED}, "Never" or nothing, found "${excerpt(entry.value)}"`);
  }
  return time;
}
