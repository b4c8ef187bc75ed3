/** One thing wrong with a lesson file, at a 1-based line of the original text. */
export interface ParseProblem {
  readonly line: number;
  readonly message: string;
}

/** An empty file, or an empty JSON array: a mistake whatever the format (a failed download, the wrong file). */
export const NO_LESSONS = 'no lessons in this file';

/** For a control character found in a lesson file (PostgreSQL refuses U+0000, and none of them is text). */
export function controlCharacterProblem(codePoint: string): string {
  return `contains the control character ${codePoint}, which lesson text may not hold (remove it)`;
}

/** Half a character: a UTF-16 surrogate without its pair (PostgreSQL stores U+FFFD; Discord refuses a message with one). */
export function halfCharacterProblem(codePoint: string): string {
  return `contains half a character (${codePoint}, a UTF-16 surrogate without its pair: text cut in the middle of an emoji?); fix or remove it`;
}

/**
 * At most this many problems are kept per file (the first ones by line); the rest are only counted.
 * A hostile file can hold millions of problems: listing them all would cost memory and time, and
 * nobody reads past the first screenful anyway.
 */
export const MAX_PROBLEMS_PER_FILE = 50;

/**
 * Everything wrong with one lesson file: the first problems by line, and how many more were found.
 * The parser collects as many problems as it can before throwing, so whoever fixes the file sees
 * them at once.
 */
export class LessonParseError extends Error {
  override readonly name = 'LessonParseError';

  constructor(
    readonly file: string,
    readonly problems: readonly ParseProblem[],
    /** Problems found beyond the listed ones. */
    readonly omitted = 0,
  ) {
    const lines = problems.map((problem) => `${file}:${problem.line}: ${problem.message}`);
    if (omitted > 0) lines.push(`${file}: ${moreProblems(omitted)}`);
    super(lines.join('\n'));
  }
}

/** "and 3 more problems (not listed)". */
export function moreProblems(count: number): string {
  return `and ${count} more problem${count === 1 ? '' : 's'} not listed (only the first ${MAX_PROBLEMS_PER_FILE} of a file are shown)`;
}

/**
 * Collects problems while a parse goes on; `throwIfAny` ends the parse when something was wrong.
 * Keeps the first MAX_PROBLEMS_PER_FILE by line (memory stays bounded whatever the file) and counts the rest.
 */
export class ProblemList {
  /** Sorted by line; equal lines keep the order they were added in. */
  private readonly kept: ParseProblem[] = [];
  private total = 0;

  constructor(
    private readonly file: string,
    private readonly limit = MAX_PROBLEMS_PER_FILE,
  ) {}

  add(line: number, message: string): void {
    this.total += 1;
    const { kept } = this;
    const last = kept[kept.length - 1];
    if (kept.length >= this.limit && last !== undefined && last.line <= line) return;
    // Insert after every problem on the same or an earlier line (stable), then drop the latest one if over.
    let at = kept.length;
    while (at > 0 && (kept[at - 1] as ParseProblem).line > line) at -= 1;
    kept.splice(at, 0, { line, message });
    if (kept.length > this.limit) kept.pop();
  }

  /** Problems that were found and counted but are not worth describing one by one. */
  addUnlisted(count: number): void {
    this.total += count;
  }

  get count(): number {
    return this.total;
  }

  get isEmpty(): boolean {
    return this.total === 0;
  }

  /** Throws right away: for problems after which nothing else in the file can be trusted. */
  fail(line: number, message: string): never {
    this.add(line, message);
    throw this.toError();
  }

  throwIfAny(): void {
    if (!this.isEmpty) throw this.toError();
  }

  private toError(): LessonParseError {
    return new LessonParseError(this.file, [...this.kept], this.total - this.kept.length);
  }
}
