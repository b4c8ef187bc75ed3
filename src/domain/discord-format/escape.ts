import { cutAtWord, isInvisible, stripBidiControls, truncateAtWord, WORD_CUT_SHARE } from '../text.js';

/*
 * Lesson text is data, not markup: it must render literally whatever it contains. Discord's parser
 * treats a backslash before any ASCII punctuation as "this character, literally", so escaping is
 * always a backslash. Apply each function once: escaping is not idempotent (`\` becomes `\\`).
 */

// Characters that format anywhere in a line: bold/italic, underline, strike, code, spoiler, the
// escape itself, and the brackets of masked links ([text](url)).
const INLINE_MARKUP = /[\\*_~`|[\]]/gu;
// Characters that format only at the start of a line: quotes, headings and subtext (`-#`), bullets.
const LINE_START_MARKUP = /^([ \t]*)([>#+-])/gmu;
// Numbered list items: "1. text". Escape the dot, keep the number readable.
const NUMBERED_ITEM = /^([ \t]*[0-9]+)([.)])(?=[ \t])/gmu;
// Discord's angle-bracket markup other than mentions: timestamps `<t:…>`, custom emoji `<:name:id>` and
// `<a:name:id>`, command mentions `</name:id>`, server navigation `<id:…>`.
const ANGLE_MARKUP = /<(?=t:|a:|id:|[:/])/gu;
const ZWSP = '\u200b';

// A web address as Discord links it in text (simple-markdown's url rule, which Discord's parser uses): nothing in it
// formats, and a backslash put in it would be part of the link (`…/20250531\_12/` opens `…/20250531/_12/`).
const WEB_ADDRESS = /https?:\/\/[^\s<]+[^<.,:;"')\]\s]/gu;
// What follows an address up to the next space or `<`: only the closing punctuation Discord leaves out of its link.
const CLOSING = /[.,:;"')\]]*/uy;
// Discord's angle markup right after that (ANGLE_MARKUP).
const ANGLE_AFTER = /<(?=t:|a:|id:|[:/])/uy;

export function escapeMarkdown(text: string): string {
  let escaped = '';
  let from = 0;
  for (const address of text.matchAll(WEB_ADDRESS)) {
    if (address.index < from) continue;
    escaped += escapeInline(text.slice(from, address.index)) + address[0];
    from = address.index + address[0].length;
    // A backslash after the address is not closing punctuation: Discord's link would take it (the link opens another
    // page) and end after it, and a `<t:…>` behind it would format. So the closing punctuation is shown as it is (a `]`
    // alone formats nothing: every `[` outside an address is escaped), and angle markup is broken as mentions are.
    CLOSING.lastIndex = from;
    const closing = CLOSING.exec(text)?.[0] ?? '';
    escaped += closing;
    from += closing.length;
    ANGLE_AFTER.lastIndex = from;
    if (ANGLE_AFTER.test(text)) {
      escaped += `<${ZWSP}`;
      from += 1;
    }
  }
  escaped += escapeInline(text.slice(from));
  // Web addresses start with a letter: the markup of a line's start is never in one.
  return escaped.replace(LINE_START_MARKUP, '$1\\$2').replace(NUMBERED_ITEM, '$1\\$2');
}

/**
 * Where Discord links a web address in `text` (as `escapeMarkdown` leaves it): `[start, end)` of each. Markup put
 * inside one (a word made bold) becomes part of the link.
 */
export function webAddressSpans(text: string): [number, number][] {
  return [...text.matchAll(WEB_ADDRESS)].map((address) => [address.index, address.index + address[0].length]);
}

/** Escapes markup that formats anywhere in a line (not the markup of a line's start), web addresses included. */
function escapeInline(text: string): string {
  return text.replace(INLINE_MARKUP, '\\$&').replace(ANGLE_MARKUP, '\\<');
}

/**
 * The part of a web address after a cut, which Discord no longer links, escaped as text: its markup, and a web address
 * inside it (`…?u=https://…`) broken (`https\://`), which Discord would link, showing its escapes, and a later cut escape again.
 */
export function escapeAddressPart(part: string): string {
  return escapeInline(part).replace(/(?<=https?):(?=\/\/)/gu, '\\:');
}

/**
 * The end of the web address Discord links in shown (escaped) text that a cut at `at` splits, if one does: the part
 * after the cut is no longer a link, and formats unless escaped (escapeAddressPart).
 */
export function addressEndAcross(shown: string, at: number): number | undefined {
  // An address holds no space and no `<`: it is in the run of other characters around the cut.
  let start = at;
  while (start > 0 && !/[\s<]/u.test(shown[start - 1] ?? '')) start--;
  let end = at;
  while (end < shown.length && !/[\s<]/u.test(shown[end] ?? '')) end++;
  for (const address of shown.slice(start, end).matchAll(WEB_ADDRESS)) {
    const from = start + address.index;
    const to = from + address[0].length;
    if (from < at && at < to) return to;
  }
  return undefined;
}

/**
 * Breaks every mention with a zero-width space so it shows as text and can never ping, even if a
 * message were ever sent without `allowed_mentions: { parse: [] }` (defence in depth).
 * `@everyone`/`@here`, and user, role and channel mentions `<@1>`, `<@!1>`, `<@&1>`, `<#1>`.
 * Idempotent: an already broken mention is left alone.
 */
export function neutralizeMentions(text: string): string {
  return text.replace(/@(everyone|here)/giu, `@${ZWSP}$1`).replace(/<([@#])(?!\u200b)/gu, `<$1${ZWSP}`);
}

/**
 * Control characters other than tab, line feed and carriage return, DEL and the C1 controls (U+0080–U+009F): the
 * parser refuses the C0 ones in lessons, but what a member typed may hold any (a NUL in a time zone or a search),
 * and a lesson DEL or C1 (a NEL, U+0085, from text decoded with the wrong code page); none shows anything useful.
 */
// eslint-disable-next-line no-control-regex -- removing control characters is the point
const HIDDEN_CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/gu;

/**
 * Lesson or member text made safe to place in a message: no markup, no mentions, no bidirectional
 * controls (one U+202E would reverse the rest of the line it is shown on), no control characters.
 */
export function safeText(text: string): string {
  return escapeMarkdown(neutralizeMentions(stripBidiControls(text).replace(HIDDEN_CONTROLS, '')));
}

/**
 * Text for places Discord shows without markdown (autocomplete choices, thread names): only the
 * bidirectional and other control characters go.
 */
export function plainText(text: string): string {
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  return stripBidiControls(text).replace(/[\u0000-\u001F\u007F-\u009F]/gu, ' ');
}

/** A title to show, or `fallback` when it would show as nothing (only blank or zero-width characters). */
export function visibleOr(text: string, fallback: string): string {
  return isInvisible(text) ? fallback : text;
}

/**
 * Cuts already-escaped text to `max` characters (truncateAtWord, never splitting an escape), never inside a link.
 * Discord links a web address together with what follows it up to a space, so an address cut by the cut, or ending
 * at it, took the "…" into its link, which opened another page. Now a cut address is left out whole, as a word is,
 * when what stays before it is near the cut (the last 40 %); otherwise its start is shown as text, not linked
 * (escapeAddressPart: `https\://…`, shown as `https://…`). An address kept whole gets the "…" after a space.
 */
export function clip(escaped: string, max: number): string {
  if (escaped.length <= max || max < 1) return truncateAtWord(escaped, max, { escaped: true });
  const room = max - 1;
  const addresses = webAddressSpans(escaped);
  let base = cutAtWord(escaped, room, { escaped: true });
  for (;;) {
    const start = linkedIntoEllipsis(base);
    if (start === undefined) return `${base}…`;
    const whole = addresses.find(([from]) => from === start);
    if (whole && whole[1] <= base.length) {
      if (base.length + 2 <= max) return `${base} …`;
      if (whole[1] + 2 <= max) return `${base.slice(0, whole[1])} …`;
    }
    const before = base.slice(0, start);
    if (before.trimEnd().length > room * WORD_CUT_SHARE) {
      base = before.trimEnd();
      continue;
    }
    return `${before}${unlinkedStart(base.slice(start), room - before.length)}…`;
  }
}

/** Where the web address starts that Discord would link into an ellipsis put after `base`, if one would. */
function linkedIntoEllipsis(base: string): number | undefined {
  const shown = `${base}…`;
  let last: RegExpExecArray | undefined;
  for (const address of shown.matchAll(WEB_ADDRESS)) last = address;
  return last && last.index + last[0].length === shown.length ? last.index : undefined;
}

/** The longest start of a cut web address that, shown as text (escapeAddressPart), fits in `room` characters. */
function unlinkedStart(part: string, room: number): string {
  for (let end = Math.min(part.length, room); end > 0; end--) {
    if (/[\uD800-\uDBFF]/u.test(part[end - 1] ?? '')) continue;
    const shown = escapeAddressPart(part.slice(0, end));
    if (shown.length <= room) return shown;
  }
  return '';
}
