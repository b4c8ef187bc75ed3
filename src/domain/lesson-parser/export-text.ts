import { articleWordCount, charactersOf, deriveTitle, MAX_TITLE_LENGTH, overLimit, similarReadingTooLong, tooManySimilarReadings, type Lesson } from '../lesson.js';
import { truncateAtWord } from '../text.js';
import { Cursor } from './cursor.js';
import { controlCharacterProblem, halfCharacterProblem, NO_LESSONS, ProblemList } from './errors.js';
import { findControlCharacter, findLoneSurrogate, isInvisible } from '../text.js';
import { parseBody } from './export-body.js';
import { excerpt, lineOverLimit, MAX_EXPORT_LINES, toLines, type Line } from './lines.js';
import { parseMetadata } from './metadata.js';
import {
  endsBody,
  isKnownMetadataLine,
  isStatisticsHeader,
  isSummaryHeader,
  keyValue,
  metadataField,
  similarReadingsCount,
  similarReadingsHeader,
} from './patterns.js';
import { parseStatistics, type SourceStats } from './statistics.js';
import { isKnownZone } from './values.js';
import type { ParseOptions } from './options.js';

/**
 * Reads the source app's plain-text export of one lesson. Sections, in order:
 *
 *     [Title: …]                     optional first line
 *     dialogue ---- article …        see parseBody (repeated copies allowed)
 *     [Similar Readings (N items)]   then exactly N title lines
 *     Summary                        then the summary text
 *     [Statistics]                   then word and read counts
 *     Key: value …                   ID, Category ID, URL, Date, Created, Updated, Last Read
 *
 * Problems are collected section by section, so one run reports as many as it can.
 */
export function parseExportText(text: string, options: ParseOptions): Lesson {
  const problems = new ProblemList(options.file);
  const zone = options.importTimeZone ?? 'UTC';
  if (!isKnownZone(zone)) problems.fail(1, `unknown import time zone "${zone}"`);

  const over = lineOverLimit(text, MAX_EXPORT_LINES);
  if (over !== null) {
    problems.fail(over, `more than ${MAX_EXPORT_LINES.toLocaleString('en-US')} lines; a lesson export has a few dozen (is this one lesson's export?)`);
  }
  const lines = toLines(text);
  if (lines.length === 0) problems.fail(1, NO_LESSONS);
  for (const line of lines) {
    const control = findControlCharacter(line.text);
    if (control) problems.add(line.no, controlCharacterProblem(control));
    // Text read from a file is UTF-8 (which cannot hold one); text given otherwise may.
    const half = findLoneSurrogate(line.text);
    if (half) problems.add(line.no, halfCharacterProblem(half));
  }
  const lastLine = lines[lines.length - 1]?.no ?? 1;
  const cursor = new Cursor(lines);

  const leadingTitle = readLeadingTitle(cursor, problems);
  const bodyLines = cursor.takeUntil(endsBody);
  const body = parseBody(bodyLines, problems, cursor.peek()?.no ?? lastLine);
  // Over a limit: named at the line the (chosen copy's) part starts on.
  const dialogueOver = overLimit('dialogue', charactersOf(body.dialogue.map((turn) => turn.text)));
  if (dialogueOver) problems.add(body.dialogueLine ?? 1, dialogueOver);
  const articleOver = overLimit('article', charactersOf(body.article));
  if (articleOver) problems.add(body.articleLine ?? 1, articleOver);
  const similarReadings = readSimilarReadings(cursor, problems);
  const summary = readSummary(cursor, problems, lastLine);
  const stats = readStatistics(cursor, problems);
  const metadata = parseMetadata(cursor.rest(), problems, zone, lastLine);
  // A title at the top and another among the metadata: which one was meant is not for the parser to guess (until
  // 2026-12-07 the second was dropped without a word).
  if (leadingTitle && metadata?.title && metadata.titleLine !== null) {
    problems.add(metadata.titleLine, `Title: given twice (first on line ${leadingTitle.no}); keep one`);
  }
  problems.throwIfAny();
  // Unreachable: both are only null after a problem was recorded. The check narrows the types.
  if (!metadata || summary === null) return problems.fail(lastLine, 'unreadable export');

  const given = leadingTitle?.text ?? metadata.title;
  const title = given ? truncateAtWord(given, MAX_TITLE_LENGTH) : deriveTitle(body.article, summary);
  if (isInvisible(title)) {
    const line = leadingTitle?.no ?? metadata.titleLine ?? bodyLines[0]?.no ?? 1;
    problems.fail(line, `${given ? 'Title' : 'the title (the article\'s first sentence)'} shows nothing: it has only blank or zero-width characters`);
  }
  return {
    id: metadata.id,
    category: metadata.category,
    url: metadata.url,
    date: metadata.date,
    title,
    summary,
    article: [...body.article],
    dialogue: body.dialogue.map((turn) => ({ speaker: turn.speaker, text: turn.text })),
    similarReadings,
    // No Statistics section at all: the source never counted, so count the article ourselves
    // and treat the lesson as unread. (A section that is there but unreadable is an error.)
    sourceStats: stats ?? { words: articleWordCount(body), readCount: 0 },
    sourceTimes: { created: metadata.created, updated: metadata.updated, lastRead: metadata.lastRead },
  };
}

/** A `Title: …` first line; an empty one counts as absent. A second one after it is named (it was read as the dialogue). */
function readLeadingTitle(cursor: Cursor, problems: ProblemList): { text: string; no: number } | null {
  const first = cursor.peek();
  const pair = first && keyValue(first);
  if (!pair || metadataField(pair.key) !== 'title') return null;
  cursor.next();
  for (let again = cursor.peek(); again && isTitleLine(again); again = cursor.peek()) {
    problems.add(again.no, `Title: given twice (first on line ${first.no}); keep one`);
    cursor.next();
  }
  return pair.value ? { text: pair.value, no: first.no } : null;
}

function isTitleLine(line: Line): boolean {
  const pair = keyValue(line);
  return pair !== null && metadataField(pair.key) === 'title';
}

/**
 * A section header inside the section being read (Summary, then Statistics, come once each and in this order): named
 * on its line, where it was read as that section's text ("Summary" and a list of similar readings became summary text).
 */
function reportMisplacedHeaders(lines: readonly Line[], problems: ProblemList, section: 'Summary' | 'Statistics', headerLine: number): void {
  for (const line of lines) {
    if (isSummaryHeader(line)) {
      problems.add(line.no, section === 'Summary' ? `a second Summary section (the first starts on line ${headerLine}); keep one` : 'the Summary section comes before Statistics, not after it');
    } else if (similarReadingsHeader(line)) {
      problems.add(line.no, `Similar Readings comes before the Summary section, not inside ${section}`);
    } else if (isStatisticsHeader(line)) {
      problems.add(line.no, `a second Statistics section (the first starts on line ${headerLine}); keep one`);
    }
  }
}

/**
 * `Similar Readings (N items)` then exactly N titles: the count decides, so a title that itself
 * begins with `Summary:` is still a title. Only a bare `Summary` header can cut the list short.
 */
function readSimilarReadings(cursor: Cursor, problems: ProblemList): string[] {
  const header = cursor.peek();
  const parsed = header && similarReadingsHeader(header);
  if (!header || !parsed) return [];
  cursor.next();
  // `(5 items)` on the line after a bare header is its count (it was taken for the first title).
  const countLine = parsed.count === null ? cursor.peek() : undefined;
  const countOnItsLine = countLine ? similarReadingsCount(countLine) : null;
  if (countOnItsLine !== null) cursor.next();
  const count = parsed.count ?? countOnItsLine;
  if (count === null) {
    const titles = cursor.takeUntil(endsSimilarReadings);
    const many = tooManySimilarReadings(titles.length);
    if (many) problems.add(header.no, many);
    checkTitleLengths(titles, problems);
    return titles.map(lineText);
  }

  const many = tooManySimilarReadings(count);
  if (many) problems.add(header.no, many);
  const titles = cursor.takeAtMost(count, isSummaryHeader);
  if (titles.length < count) {
    const end = cursor.peek() ? `the Summary header on line ${cursor.peek()?.no}` : 'the end of the file';
    problems.add(header.no, `Similar Readings announces ${count} items, but only ${titles.length} lines come before ${end}`);
  } else {
    expectSummaryAfterTitles(cursor, problems, header, count);
  }
  checkTitleLengths(titles, problems);
  return titles.map(lineText);
}

/** A similar-reading title longer than a headline is named on its own line. */
function checkTitleLengths(titles: readonly Line[], problems: ProblemList): void {
  titles.forEach((title, index) => {
    const long = similarReadingTooLong(title.text.length);
    if (long) problems.add(title.no, `similar reading ${index + 1} ${long}`);
  });
}

/** Without a count, the titles run until the next section. */
const endsSimilarReadings = (line: Line): boolean =>
  isSummaryHeader(line) || isStatisticsHeader(line) || isKnownMetadataLine(line);

function expectSummaryAfterTitles(cursor: Cursor, problems: ProblemList, header: Line, count: number): void {
  const after = cursor.peek();
  if (!after || isSummaryHeader(after)) return;
  // Resynchronise on the Summary header so the later sections still get checked. Without
  // one, the count is not the problem: readSummary reports the missing section instead.
  if (!cursor.skipTo(isSummaryHeader)) return;
  problems.add(
    after.no,
    `expected the Summary header after the ${count} similar readings announced on line ${header.no}, found "${excerpt(after.text)}"`,
  );
}

/** `Summary` then its text up to Statistics or the metadata; several lines join into one paragraph. */
function readSummary(cursor: Cursor, problems: ProblemList, lastLine: number): string | null {
  const header = cursor.peek();
  if (!header || !isSummaryHeader(header)) {
    const where = header ? `before line ${header.no}` : 'before the end of the file';
    problems.add(header?.no ?? lastLine, `missing the Summary section: expected a "Summary" line ${where}`);
    return null;
  }
  cursor.next();
  const lines = cursor.takeUntil((line) => isStatisticsHeader(line) || isKnownMetadataLine(line));
  reportMisplacedHeaders(lines, problems, 'Summary', header.no);
  if (lines.length === 0) {
    problems.add(header.no, 'the Summary section is empty');
    return null;
  }
  const summary = lines.map(lineText).join(' ');
  const over = overLimit('summary', summary.length);
  if (over) problems.add(header.no, over);
  return summary;
}

/** The Statistics section, or null when the export has none (see the fallback in parseExportText). */
function readStatistics(cursor: Cursor, problems: ProblemList): SourceStats | null {
  const header = cursor.peek();
  if (!header || !isStatisticsHeader(header)) return null;
  cursor.next();
  const lines = cursor.takeUntil(isKnownMetadataLine);
  reportMisplacedHeaders(lines, problems, 'Statistics', header.no);
  return parseStatistics(header, lines, problems);
}

const lineText = (line: Line): string => line.text;
