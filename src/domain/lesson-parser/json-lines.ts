/**
 * A small JSON scanner whose only job is line numbers: JSON.parse says neither where a bad
 * value sits nor (in Node 20, for many errors) where the syntax breaks. It walks the text once,
 * recording the line each value starts on, and reports the first syntax error with its line.
 * It keeps an explicit stack instead of recursing, so deeply nested input cannot overflow, and refuses nesting
 * deeper than any lesson file needs (MAX_NESTING) before JSON.parse would build it.
 * Lines are recorded only for the paths asked for (a few problems), so memory stays small
 * however many values the document holds.
 */

export type JsonPath = readonly (string | number)[];

/** `tooDeep`: valid JSON perhaps, but refused (nested deeper than MAX_NESTING, or a property twice in one object): no "invalid JSON". */
export type JsonScan =
  | { readonly ok: true; readonly lines: JsonLines }
  | { readonly ok: false; readonly line: number; readonly message: string; readonly tooDeep: boolean };

/** Where each value of a parsed document starts. */
export class JsonLines {
  constructor(private readonly starts: ReadonlyMap<string, number>) {}

  /** The line of the value at `path`, or of its nearest ancestor that exists (a missing key points at its object). */
  lineOf(path: readonly PropertyKey[]): number {
    for (let length = path.length; length >= 0; length -= 1) {
      const line = this.starts.get(pathKey(path.slice(0, length)));
      if (line !== undefined) return line;
    }
    return 1;
  }
}

/**
 * Checks the syntax, and records where the values at `wanted` (and their ancestors, for
 * `lineOf`'s fallback) start. Without `wanted` it is a syntax check only.
 */
export function scanJson(text: string, wanted: readonly (readonly PropertyKey[])[] = []): JsonScan {
  const keys = new Set<string>();
  for (const path of wanted) for (let length = 0; length <= path.length; length += 1) keys.add(pathKey(path.slice(0, length)));
  const scanner = new Scanner(text, keys);
  try {
    scanner.run();
    return { ok: true, lines: new JsonLines(scanner.starts) };
  } catch (error) {
    if (error instanceof JsonSyntaxProblem) return { ok: false, line: error.line, message: error.message, tooDeep: error.tooDeep };
    throw error;
  }
}

const pathKey = (path: readonly PropertyKey[]): string => path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${JSON.stringify(String(part))}`)).join('');

class JsonSyntaxProblem extends Error {
  constructor(
    readonly line: number,
    message: string,
    readonly tooDeep = false,
  ) {
    super(message);
  }
}

/**
 * Containers nested deeper than this are refused. A lesson file's deepest value is 4 levels down
 * (`[lesson].dialogue[turn].speaker`); JSON.parse of a 10 MiB file of `[` builds 5 million arrays (~600 MB).
 */
export const MAX_NESTING = 32;

/** A container being scanned; `path` is null below the depth where lines are still recorded. */
type Frame =
  | { readonly kind: 'object'; readonly path: JsonPath | null; key: string; readonly keys: Set<string> }
  | { readonly kind: 'array'; readonly path: JsonPath | null; index: number };

/**
 * Lines are recorded down to this depth only. A lesson's deepest value is
 * `[lesson].dialogue[turn].speaker` (4 steps), and copying ever longer paths would make
 * pathological nesting quadratic in memory.
 */
const MAX_RECORDED_DEPTH = 8;

const UNRECORDED_ARRAY: Frame = { kind: 'array', path: null, index: 0 };

/** What the scanner expects next. */
type Mode = 'value' | 'key' | 'after' | 'done';

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const HEX4 = /[0-9a-fA-F]{4}/y;
const SIMPLE_ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);

class Scanner {
  readonly starts = new Map<string, number>();
  private readonly stack: Frame[] = [];
  private pos = 0;
  private line = 1;

  constructor(
    private readonly text: string,
    private readonly wanted: ReadonlySet<string>,
  ) {}

  run(): void {
    let mode: Mode = 'value';
    while (mode !== 'done') {
      this.skipWhitespace();
      if (mode === 'value') mode = this.value();
      else if (mode === 'key') mode = this.key();
      else mode = this.after();
    }
  }

  private value(): Mode {
    const path = this.wanted.size > 0 ? this.currentPath() : null;
    if (path) {
      const key = pathKey(path);
      if (this.wanted.has(key)) this.starts.set(key, this.line);
    }
    const char = this.text[this.pos];
    // Arrays whose lines are not recorded share one frame (no path copied for them); each object has its keys.
    if (char === '{') return this.open({ kind: 'object', path, key: '', keys: new Set() }, '}', 'key');
    if (char === '[') return this.open(path ? { kind: 'array', path, index: 0 } : UNRECORDED_ARRAY, ']', 'value');
    if (char === '"') this.string();
    else if (char === '-' || (char !== undefined && char >= '0' && char <= '9')) this.number();
    else this.literal();
    return 'after';
  }

  private open(frame: Frame, closer: string, firstMode: Mode): Mode {
    if (this.stack.length >= MAX_NESTING) {
      throw new JsonSyntaxProblem(this.line, `nested more than ${MAX_NESTING} levels deep (a lesson file needs at most 4)`, true);
    }
    this.pos += 1;
    this.skipWhitespace();
    if (this.text[this.pos] === closer) {
      this.pos += 1;
      return 'after';
    }
    this.stack.push(frame);
    return firstMode;
  }

  private key(): Mode {
    if (this.text[this.pos] !== '"') this.fail('expected a double-quoted property name');
    const key = JSON.parse(this.string()) as string;
    this.skipWhitespace();
    if (this.text[this.pos] !== ':') this.fail("expected ':' after a property name");
    this.pos += 1;
    const top = this.stack[this.stack.length - 1];
    if (top?.kind === 'object') {
      // JSON.parse keeps the last of two alike and drops the first without a word: a hand-edited file's
      // second "title" would replace the first unseen. Valid JSON syntax, so a problem of its own (no "invalid").
      if (top.keys.has(key)) throw new JsonSyntaxProblem(this.line, `the property ${JSON.stringify(key)} appears twice in one object`, true);
      top.keys.add(key);
      if (top.path) top.key = key;
    }
    return 'value';
  }

  private after(): Mode {
    const top = this.stack[this.stack.length - 1];
    const char = this.text[this.pos];
    if (!top) {
      if (char !== undefined) this.fail('unexpected text after the end of the JSON value');
      return 'done';
    }
    const closer = top.kind === 'array' ? ']' : '}';
    if (char === ',') {
      this.pos += 1;
      if (top.kind === 'object') return 'key';
      if (top.path) top.index += 1;
      return 'value';
    }
    if (char === undefined) this.fail(`unexpected end of input (expected ',' or '${closer}')`);
    if (char !== closer) this.fail(`expected ',' or '${closer}', found ${shown(char.codePointAt(0) ?? 0)}`);
    this.pos += 1;
    this.stack.pop();
    return 'after';
  }

  /** Skips a string literal and returns its source text, quotes included. */
  private string(): string {
    const start = this.pos;
    this.pos += 1;
    for (;;) {
      const char = this.text[this.pos];
      if (char === undefined) this.fail('unterminated string');
      if (char === '"') break;
      if (char === '\\') this.escape();
      else if (char.charCodeAt(0) < 0x20) this.fail('control character (such as a line break) inside a string');
      else this.pos += 1;
    }
    this.pos += 1;
    return this.text.slice(start, this.pos);
  }

  private escape(): void {
    const kind = this.text[this.pos + 1] ?? '';
    if (SIMPLE_ESCAPES.has(kind)) {
      this.pos += 2;
      return;
    }
    HEX4.lastIndex = this.pos + 2;
    if (kind !== 'u' || !HEX4.test(this.text)) this.fail('invalid escape in a string');
    this.pos += 6;
  }

  private number(): void {
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (!match) this.fail('invalid number');
    this.pos += match[0].length;
  }

  private literal(): void {
    const word = ['true', 'false', 'null'].find((candidate) => this.text.startsWith(candidate, this.pos));
    if (word === undefined) this.fail(this.pos < this.text.length ? `unexpected character ${shown(this.text.codePointAt(this.pos) ?? 0)}` : 'unexpected end of input');
    this.pos += word.length;
  }

  private skipWhitespace(): void {
    for (let char = this.text[this.pos]; char === ' ' || char === '\t' || char === '\n' || char === '\r'; char = this.text[this.pos]) {
      // CRLF, lone CR and LF each end one line, as in the export reader.
      if (char === '\n' || (char === '\r' && this.text[this.pos + 1] !== '\n')) this.line += 1;
      this.pos += 1;
    }
  }

  private currentPath(): JsonPath | null {
    const top = this.stack[this.stack.length - 1];
    if (!top) return [];
    if (!top.path || top.path.length >= MAX_RECORDED_DEPTH) return null;
    return [...top.path, top.kind === 'object' ? top.key : top.index];
  }

  private fail(message: string): never {
    throw new JsonSyntaxProblem(this.line, message);
  }
}

/** A character for a message: `'x'`, or its code point when it would not show (a control character, a blank). */
function shown(codePoint: number): string {
  const char = String.fromCodePoint(codePoint);
  return codePoint < 0x20 || codePoint === 0x7f || /[\s\p{Cf}]/u.test(char) ? `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}` : `'${char}'`;
}
