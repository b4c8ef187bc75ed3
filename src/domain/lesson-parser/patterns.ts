import type { Line } from './lines.js';

/** Line shapes that give an export its structure. Lines are already tidied (see `toLines`). */

/**
 * `Similar Readings (5 items)`, also `(5)`; the count is optional so a header without one still reads. `(5)` was
 * no header: it and its titles were read as the article's last paragraphs, and the lesson imported without a word.
 */
const SIMILAR_READINGS = /^similar readings(?: ?\((\d+)(?: items?)?\))? ?:?$/iu;
/** The count on a line of its own after a bare `Similar Readings` header (copied from the app, the two may part). */
const SIMILAR_READINGS_COUNT = /^\((\d+)(?: items?)?\)$/iu;
const SUMMARY = /^summary ?:?$/iu;
const STATISTICS = /^statistics ?:?$/iu;
/**
 * The dashes between the dialogue and the article: a line of three or more dashes of any kind, as a person retyping
 * `----` may type them (hyphen-minus, the hyphens, figure and en dash, em dash, horizontal bar, minus sign, the
 * full-width hyphen-minus of a Japanese keyboard, box drawing), mixed or not; or of two long ones (`——`). A line of en
 * dashes was no separator: the whole dialogue became the article's first paragraphs, and the title its first turn.
 */
const SEPARATOR = /^(?:[-‐‑‒–—―−－─]{3,}|[—―]{2,})$/u;

/**
 * `A: text` or `Ken: text`: a short name of up to three capitalised words, then the turn.
 * Only the first colon counts, so the text may contain colons; a space must follow it, so a
 * URL (`https://…`) never looks like a speaker.
 */
const SPEAKER_LINE = /^([\p{Lu}\p{Lo}][\p{L}\p{M}'’.-]*(?: [\p{Lu}\p{Lo}][\p{L}\p{M}'’.-]*){0,2}) ?[:：] (.+)$/u;
const MAX_SPEAKER_LENGTH = 24;

/** `Key: value` in the metadata block; the value may be empty (`Last Read:`). */
const KEY_VALUE = /^(\p{L}[\p{L}\p{N} _-]{0,39}?) ?[:：] ?(.*)$/u;

export type MetadataField = 'title' | 'id' | 'category' | 'url' | 'date' | 'created' | 'updated' | 'lastRead';

/** Keys compare without case, spaces or punctuation, so `Category ID`, `category_id` and `CategoryID` agree. */
const METADATA_KEYS: Readonly<Record<string, MetadataField>> = {
  title: 'title',
  id: 'id',
  categoryid: 'category',
  category: 'category',
  url: 'url',
  date: 'date',
  created: 'created',
  updated: 'updated',
  lastread: 'lastRead',
};

export function similarReadingsHeader(line: Line): { count: number | null } | null {
  const match = SIMILAR_READINGS.exec(line.text);
  if (!match) return null;
  return { count: match[1] === undefined ? null : Number(match[1]) };
}

/** `(5 items)` alone on a line: the count of the bare `Similar Readings` header just before it. */
export function similarReadingsCount(line: Line): number | null {
  const match = SIMILAR_READINGS_COUNT.exec(line.text);
  return match ? Number(match[1]) : null;
}

export const isSummaryHeader = (line: Line): boolean => SUMMARY.test(line.text);
export const isStatisticsHeader = (line: Line): boolean => STATISTICS.test(line.text);
export const isSeparator = (line: Line): boolean => SEPARATOR.test(line.text);

export function speakerLine(line: Line): { speaker: string; text: string } | null {
  const match = SPEAKER_LINE.exec(line.text);
  if (!match?.[1] || !match[2] || match[1].length > MAX_SPEAKER_LENGTH) return null;
  return { speaker: match[1], text: match[2] };
}

export function keyValue(line: Line): { key: string; value: string } | null {
  const match = KEY_VALUE.exec(line.text);
  if (!match?.[1]) return null;
  return { key: match[1], value: match[2] ?? '' };
}

/** The lesson field a metadata key names, or null for keys the parser does not use. */
export function metadataField(key: string): MetadataField | null {
  const normalised = key.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
  return Object.hasOwn(METADATA_KEYS, normalised) ? (METADATA_KEYS[normalised] ?? null) : null;
}

/** A line like `ID: …` or `Date: …`: where the metadata block starts when nothing else marks it. */
export function isKnownMetadataLine(line: Line): boolean {
  const pair = keyValue(line);
  return pair !== null && metadataField(pair.key) !== null;
}

/** Any line that ends the dialogue and article blocks. */
export function endsBody(line: Line): boolean {
  return (
    similarReadingsHeader(line) !== null || isSummaryHeader(line) || isStatisticsHeader(line) || isKnownMetadataLine(line)
  );
}
