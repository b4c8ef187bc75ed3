/**
 * Cuts text to at most `max` characters, at a word boundary where one is near (in the last 40 %), ending
 * with an ellipsis; never leaves half a surrogate pair, and with `escaped` never half a Markdown escape (`\`).
 * The one truncation used for titles, autocomplete names and everything placed in Discord's limits.
 */
export function truncateAtWord(text: string, max: number, options: { escaped?: boolean } = {}): string {
  if (text.length <= max) return text;
  if (max < 1) return '';
  return `${cutAtWord(text, max - 1, options)}…`;
}

/** A word cut (truncateAtWord) goes back to the last space when what it keeps is over this share of the room. */
export const WORD_CUT_SHARE = 0.6;

/** What truncateAtWord keeps of `text` (longer than `room`) before its ellipsis: at most `room` characters. */
export function cutAtWord(text: string, room: number, options: { escaped?: boolean } = {}): string {
  let base = text.slice(0, room);
  const lastSpace = base.lastIndexOf(' ');
  if (lastSpace > room * WORD_CUT_SHARE) base = base.slice(0, lastSpace);
  base = base.trimEnd();
  if (/[\uD800-\uDBFF]$/u.test(base)) base = base.slice(0, -1);
  if (options.escaped && /(?:^|[^\\])(?:\\\\)*\\$/u.test(base)) base = base.slice(0, -1);
  return base;
}

/*
 * Checks on text that came from outside (lesson files, members' options), shared by the parser,
 * the lookups and the views, so every path refuses or cleans the same characters.
 */

/** C0 control characters except tab, line feed and carriage return: PostgreSQL refuses U+0000, and none is text. */
const C0_CONTROLS = '\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F';
const CONTROL_CHARACTER = new RegExp(`[${C0_CONTROLS}]`, 'u');

/** The first control character in `text` as `U+0000`, or null when there is none. */
export function findControlCharacter(text: string): string | null {
  const match = CONTROL_CHARACTER.exec(text);
  return match ? codePoint(match[0]) : null;
}

export function hasControlCharacter(text: string): boolean {
  return CONTROL_CHARACTER.test(text);
}

/** Half of a character: a UTF-16 surrogate without its pair (a JSON `\ud83d` escape can hold one; UTF-8 cannot). */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** The first lone surrogate in `text` as `U+D83D`, or null when the text is well formed. */
export function findLoneSurrogate(text: string): string | null {
  const match = LONE_SURROGATE.exec(text);
  return match ? codePoint(match[0]) : null;
}

/**
 * Characters a terminal acts on rather than shows: the C0 controls above, a carriage return not ending a line,
 * DEL, and C1 controls (U+009B is an 8-bit terminal's CSI). A file name may hold any of them; a lesson's text only
 * DEL, C1 and carriage returns (the parser refuses the others). Also the bidirectional embeddings, overrides and
 * isolates (U+202A–U+202E, U+2066–U+2069): a title holding U+202E turned the rest of a `search` line around in a
 * terminal that shows right-to-left text ("Trojan Source"); the marks (U+200E, U+200F) stay, as right-to-left
 * titles use them.
 */
const TERMINAL_CONTROLS = new RegExp(`[${C0_CONTROLS}\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]|\\r(?!\\n)`, 'gu');

/**
 * Text for a terminal: each control character written as its escape `\u001b`, so a file named with an escape
 * sequence is shown, not obeyed. The escape is JSON's own, so JSON output keeps its meaning.
 */
export function terminalSafe(text: string): string {
  return text.replace(TERMINAL_CONTROLS, (char) => `\\u${(char.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`);
}

export function codePoint(char: string): string {
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Characters that show nothing: white space, control characters (C0, DEL, C1: the views remove them), format
 * characters (zero-width space and joiners, bidirectional marks, the BOM, the soft hyphen), the blank "filler"
 * letters some scripts have, and the rest of Unicode's default-ignorable characters: the variation selectors
 * (U+FE00–U+FE0F, U+E0100–U+E01EF, Mongolian U+180B–U+180F), marks that only choose a glyph, so a title of them
 * alone showed as a blank card title until 2026-12-07.
 */
const INVISIBLE = /[\s\p{Cc}\p{Cf}\p{Z}\p{Default_Ignorable_Code_Point}\u115F\u2800\u3164\uFFA0]|\u034F|\u1160|\u17B4|\u17B5/gu;

/** True when the text would show as nothing at all (empty, spaces, or only zero-width characters). */
export function isInvisible(text: string): boolean {
  return text.replace(INVISIBLE, '') === '';
}

/**
 * Bidirectional controls (embeddings, overrides, isolates and marks). One U+202E in a title reverses
 * the rest of the line it is shown on, so displayed text never carries them.
 */
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/gu;

export function stripBidiControls(text: string): string {
  return text.replace(BIDI_CONTROLS, '');
}
