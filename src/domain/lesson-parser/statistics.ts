import type { ProblemList } from './errors.js';
import type { Line } from './lines.js';

export interface SourceStats {
  readonly words: number;
  readonly readCount: number;
}

type Stat = keyof SourceStats;

/** The largest word or read count a lesson may carry: the database stores them as 32-bit integers. */
export const MAX_SOURCE_STAT = 2_147_483_647;

/**
 * A count's digits (thousands separated by commas or not), at most this many characters: a count is at most
 * MAX_SOURCE_STAT (13 characters with its commas), and one longer than a safe integer is unreadable anyway. Unbounded,
 * each digit of a long run was the start of a match that read the run to its end: a Statistics line of 25,000 digits
 * took 8 s to check, of 100,000 78 s (a 2 MiB upload ran into the parser's 30 s; the CLI, days on a 10 MiB file).
 */
const NUMBER = '\\d[\\d,]{0,29}';

/** `Words: 417`, `Read Count: 1`: a label, a colon, then the number (a longer run of digits is no count). */
const LABEL_THEN_NUMBER = new RegExp(`(words?|read ?counts?)\\s*:\\s*(${NUMBER})(?![\\d,])`, 'giu');
/**
 * `417 Words`, and the export's glued form `417` / `Words1` / `Read CountDetails`, where each
 * number sits just before its label and `Details` is a button's caption with no number.
 * Without a colon the number always belongs to the label after it.
 */
const NUMBER_THEN_LABEL = new RegExp(`(?<!\\d|\\d,)(${NUMBER})\\s*(words?|read ?counts?)`, 'giu');

/**
 * Reads the Statistics section. The section exists, so both numbers must be found; an
 * unreadable section is reported at its header line.
 */
export function parseStatistics(header: Line, lines: readonly Line[], problems: ProblemList): SourceStats | null {
  const found = new Map<Stat, number>();
  const text = lines.map((line) => line.text).join('\n');
  const rest = collect(text, LABEL_THEN_NUMBER, { label: 1, digits: 2 }, found);
  collect(rest, NUMBER_THEN_LABEL, { label: 2, digits: 1 }, found);

  const words = found.get('words');
  const readCount = found.get('readCount');
  if (words !== undefined && readCount !== undefined) {
    const over = [words > MAX_SOURCE_STAT && `the word count ${words}`, readCount > MAX_SOURCE_STAT && `the read count ${readCount}`].filter(Boolean);
    if (over.length === 0) return { words, readCount };
    problems.add(header.no, `Statistics: ${over.join(' and ')} ${over.length === 1 ? 'is' : 'are'} more than ${MAX_SOURCE_STAT} (is it a typo?)`);
    return null;
  }
  const missing = [words === undefined && 'the word count', readCount === undefined && 'the read count'].filter(Boolean);
  problems.add(header.no, `Statistics: cannot read ${missing.join(' or ')} (expected e.g. "417 Words" and "1 Read Count")`);
  return null;
}

/**
 * Records each label's first number found by `pattern` and returns the text with the matches
 * blanked out (same length, so indices hold), so a later pattern cannot read the same digits again.
 */
function collect(text: string, pattern: RegExp, groups: { label: number; digits: number }, found: Map<Stat, number>): string {
  // The text between the matches and the blanks for them, joined once at the end: rebuilt after each match, a section
  // of 250,000 of them ("1 Words 1 Words …") took minutes.
  const pieces: string[] = [];
  let end = 0;
  for (const match of text.matchAll(pattern)) {
    const label = match[groups.label] ?? '';
    const value = Number((match[groups.digits] ?? '').replace(/,/gu, ''));
    const stat: Stat = label.toLowerCase().startsWith('word') ? 'words' : 'readCount';
    if (!found.has(stat) && Number.isSafeInteger(value)) found.set(stat, value);
    pieces.push(text.slice(end, match.index), ' '.repeat(match[0].length));
    end = match.index + match[0].length;
  }
  pieces.push(text.slice(end));
  return pieces.join('');
}
