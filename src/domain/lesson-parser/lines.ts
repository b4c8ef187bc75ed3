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
 * Where the text goes past `max` lines (CRLF, lone CR and LF each end one, as toLines counts): the 1-based
 * number of the first line over, or null when it has at most `max`. Stops there, without splitting anything.
 */
export function lineOverLimit(text: string, max: number): number | null {
  let lines = 1;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code === 10 || (code === 13 && text.charCodeAt(i + 1) !== 10)) {
      lines += 1;
      if (lines > max) return lines;
    }
  }
  return null;
}

/**
 * Splits an export into its non-blank lines. CRLF, lone CR and LF each end one line, so the
 * numbers match what an editor shows. Runs of spaces and tabs collapse to one space and the
 * ends are trimmed: exports pass through mail clients and editors that add both freely, and
 * no field of a lesson depends on them. Blank lines only separate blocks, so they are dropped.
 */
export function toLines(text: string): Line[] {
  const lines: Line[] = [];
  stripBom(text)
    .split(/\r\n|\r|\n/u)
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
