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
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
