/** A non-blank line of an export, tidied, with its 1-based number in the original file. */
export interface Line {
  readonly no: number;
  readonly text: string;
}

const BOM = '\uFEFF';

/** Removes a leading UTF-8 byte order mark, which editors on Windows like to add. */
export function stripBom(text: string): string {
  return text.startsWith(BOM) ? text.slice(BOM.length) : text;
}

/**
 * The most lines a text export may have, blank ones included: a real one has a few dozen (its blocks repeated by
 * the copy-paste artefact included). Splitting 10 MiB of one-character lines into lines held ~600 MB.
 */
export const MAX_EXPORT_LINES = 50_000;

/**
 * What ends a line: CRLF, and alone LF, CR, NEL (U+0085, of text from EBCDIC systems), LINE SEPARATOR (U+2028) and
 * PARAGRAPH SEPARATOR (U+2029), Unicode's line ends (The Unicode Standard, 5.8). Until 2026-12-07 only the first
 * three ended one: a file whose lines ended in the others was read as one line, its fields run together.
 */
const LINE_END = /\r\n|[\n\r\u0085\u2028\u2029]/u;

/**
 * Where the text goes past `max` lines (each LINE_END ends one, as toLines counts): the 1-based number of the first
 * line over, or null when it has at most `max`. Stops there, without splitting anything.
 */
export function lineOverLimit(text: string, max: number): number | null {
  let lines = 1;
  for (let i = 0; i < text.length; i += 1) {
    if (endsLine(text, i)) {
      lines += 1;
      if (lines > max) return lines;
    }
  }
  return null;
}

/** The 1-based line the text's character at `index` is on, as toLines numbers them. */
export function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i += 1) if (endsLine(text, i)) line += 1;
  return line;
}

/** Whether the character at `i` ends a line (LINE_END, one at a time: the CR of a CRLF does not, its LF does). */
function endsLine(text: string, i: number): boolean {
  const code = text.charCodeAt(i);
  return code === 10 || (code === 13 && text.charCodeAt(i + 1) !== 10) || code === 0x85 || code === 0x2028 || code === 0x2029;
}

/**
 * Splits an export into its non-blank lines. Each LINE_END ends one line, so the numbers match what an
 * editor shows. Runs of spaces and tabs collapse to one space and the
 * ends are trimmed: exports pass through mail clients and editors that add both freely, and
 * no field of a lesson depends on them. Blank lines only separate blocks, so they are dropped.
 */
export function toLines(text: string): Line[] {
  const lines: Line[] = [];
  stripBom(text)
    .split(LINE_END)
    .forEach((raw, index) => {
      const tidy = raw.replace(/[ \t]+/gu, ' ').trim();
      if (tidy !== '') lines.push({ no: index + 1, text: tidy });
    });
  return lines;
}

/** Long lines are cut in messages so that one problem stays on one readable line. */
export function excerpt(text: string, max = 60): string {
  if (text.length <= max) return text;
  // Never half a surrogate pair (an emoji) before the ellipsis.
  const cut = /[\uD800-\uDBFF]/u.test(text[max - 2] ?? '') ? max - 2 : max - 1;
  return `${text.slice(0, cut)}…`;
}
