/** One thing wrong with a lesson file, at a 1-based line of the original text. */
export interface ParseProblem {
  readonly line: number;
  readonly message: string;
}

/**
 * Everything wrong with one lesson file. The parser collects as many problems as it can
 * before throwing, so whoever fixes the file sees them all at once.
 */
export class LessonParseError extends Error {
  override readonly name = 'LessonParseError';

  constructor(
    readonly file: string,
    readonly problems: readonly ParseProblem[],
  ) {
    super(problems.map((problem) => `${file}:${problem.line}: ${problem.message}`).join('\n'));
  }
}

/** Collects problems while a parse goes on; `throwIfAny` ends the parse when something was wrong. */
export class ProblemList {
  private readonly problems: ParseProblem[] = [];

  constructor(private readonly file: string) {}

  add(line: number, message: string): void {
    this.problems.push({ line, message });
  }

  get count(): number {
    return this.problems.length;
  }

  get isEmpty(): boolean {
    return this.count === 0;
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
    // Sorted by line (stable), so the report reads top to bottom like the file.
    const sorted = [...this.problems].sort((a, b) => a.line - b.line);
    return new LessonParseError(this.file, sorted);
  }
}
