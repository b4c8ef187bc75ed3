import { addressEndAcross, escapeAddressPart } from './escape.js';

/** Blocks on one page are separated by a blank line, as paragraphs. */
export const BLOCK_SEPARATOR = '\n\n';
/** Below this a page cannot hold even a short word plus an escape; callers never need less. */
export const MIN_PAGE_CHARS = 10;

/**
 * Packs blocks (paragraphs, dialogue turns; ALREADY ESCAPED) into as few pages as possible, each at
 * most `maxChars` long, in order, blocks separated by a blank line. A block is only split when it
 * alone is longer than a page: at a line break, else a sentence end, else a space, else anywhere
 * safe. A split block starts on a fresh page and its pieces lose only the whitespace at the cut.
 * Blank blocks are dropped and blocks are trimmed (Discord trims page edges anyway).
 */
export function paginate(blocks: readonly string[], maxChars: number): string[] {
  if (!Number.isInteger(maxChars) || maxChars < MIN_PAGE_CHARS) {
    throw new RangeError(`maxChars must be an integer ≥ ${MIN_PAGE_CHARS}, got ${maxChars}`);
  }
  const pages: string[] = [];
  let current = '';
  for (const raw of blocks) {
    const block = raw.trim();
    if (block === '') continue;
    if (block.length > maxChars) {
      if (current !== '') pages.push(current);
      const pieces = splitBlock(block, maxChars);
      pages.push(...pieces.slice(0, -1));
      current = pieces.at(-1) ?? '';
    } else if (current === '') {
      current = block;
    } else if (current.length + BLOCK_SEPARATOR.length + block.length <= maxChars) {
      current += BLOCK_SEPARATOR + block;
    } else {
      pages.push(current);
      current = block;
    }
  }
  if (current !== '') pages.push(current);
  return pages;
}

/** Splits one over-long block into pieces of at most `max` characters. */
export function splitBlock(block: string, max: number): string[] {
  const pieces: string[] = [];
  let rest = block;
  while (rest.length > max) {
    const cut = chooseCut(rest, max);
    pieces.push(rest.slice(0, cut.end));
    // A web address cut in two (one longer than a page is left): its part on the next page is not a link, and would
    // format (escapeMarkdown leaves addresses unescaped) unless escaped now.
    const addressEnd = cut.next === cut.end ? addressEndAcross(rest, cut.end) : undefined;
    rest = addressEnd === undefined ? rest.slice(cut.next) : escapeAddressPart(rest.slice(cut.next, addressEnd)) + rest.slice(addressEnd);
    // The piece after a cut starts a page, i.e. a line: text such as "- " or "1. " that was
    // harmless mid-sentence would now format. Only reached when no safe cut exists.
    if (startsLineMarkup(rest, 0)) rest = escapeLineStart(rest);
  }
  pieces.push(rest);
  return pieces;
}

interface Cut {
  /** The piece is rest.slice(0, end). */
  readonly end: number;
  /** The remainder starts at rest.slice(next): the whitespace at the cut is dropped. */
  readonly next: number;
}

const LINE_BREAK = 0;
const SENTENCE = 1;
const SPACE = 2;
const ANYWHERE = 3;

/**
 * The best place to cut `rest` (longer than `max`) so the first piece fits: the latest cut of the
 * best kind whose remainder cannot start markup and which keeps escapes and surrogate pairs whole,
 * among the cuts between words that fill at least half the page when there are any: a line break
 * near a page's start does not beat every space after it (a 10-character page, "Intro line", then
 * the rest). A word is still never cut where a space before it could be, unless that space is in the page's first
 * quarter (the page would hold a few characters). Falls back to a cut leaving
 * markup only for pathological text (e.g. "- - - - …"), which splitBlock then escapes.
 */
function chooseCut(rest: string, max: number): Cut {
  const best: (Cut | undefined)[] = [undefined, undefined, undefined, undefined];
  const late: (Cut | undefined)[] = [undefined, undefined, undefined];
  const halfPage = Math.ceil(max / 2);
  let fallback: Cut | undefined;
  for (let i = 1; i <= max; i++) {
    if (isSpace(rest, i - 1) || !keepsPairsWhole(rest, i)) continue;
    let next = i;
    while (isSpace(rest, next)) next++;
    let kind: number;
    if (next > i) kind = rest.slice(i, next).includes('\n') ? LINE_BREAK : endsSentence(rest, i) ? SENTENCE : SPACE;
    else kind = endsCjkSentence(rest, i) ? SENTENCE : ANYWHERE;
    const cut = { end: i, next };
    fallback = cut;
    if (!startsLineMarkup(rest, next)) {
      best[kind] = cut;
      if (i >= halfPage && kind !== ANYWHERE) late[kind] = cut;
    }
  }
  const chosen = late.slice(0, ANYWHERE).find((cut) => cut !== undefined) ?? best.find((cut) => cut !== undefined) ?? fallback ?? { end: max, next: max };
  if (chosen.end >= max / 4) return chosen;
  // A better kind of cut only in the page's first quarter ("Why? " then words) loses to the latest space after it.
  const betweenWords = best.slice(0, ANYWHERE).reduce<Cut | undefined>((latest, cut) => (cut && (!latest || cut.end > latest.end) ? cut : latest), undefined);
  if (betweenWords && betweenWords.end >= max / 4) return betweenWords;
  // A space only in the page's first quarter (a dialogue turn's "🔵 **A:**", then one word of thousands of characters)
  // would leave a page of a few characters: the long word is cut instead, late in the page.
  const anywhere = best[ANYWHERE];
  if (anywhere && anywhere.end >= halfPage) return anywhere;
  return chosen;
}

function isSpace(text: string, i: number): boolean {
  const c = text[i];
  return c === ' ' || c === '\n' || c === '\t' || c === '\r';
}

const CLOSERS = new Set(['"', "'", '”', '’', '»', ')', ']']);

/** Whether text[0, i) ends a sentence: . ! ? or …, possibly followed by closing quotes or brackets. */
function endsSentence(text: string, i: number): boolean {
  let j = i - 1;
  while (j > 0 && CLOSERS.has(text[j] ?? '')) j--;
  const c = text[j];
  return (c === '.' || c === '!' || c === '?' || c === '…') && text[j - 1] !== '\\';
}

/** CJK sentences end with full-width punctuation and no space. */
function endsCjkSentence(text: string, i: number): boolean {
  const c = text[i - 1];
  return c === '。' || c === '！' || c === '？';
}

/** Whether cutting before text[i] keeps surrogate pairs and backslash escapes whole. */
function keepsPairsWhole(text: string, i: number): boolean {
  const code = text.charCodeAt(i - 1);
  if (code >= 0xd800 && code <= 0xdbff) return false; // first half of a surrogate pair
  let slashes = 0;
  while (i - 1 - slashes >= 0 && text[i - 1 - slashes] === '\\') slashes++;
  return slashes % 2 === 0; // an odd run ends in an escape still waiting for its character
}

// What formats at the start of a line: a quote, heading, subtext or bullet marker, or an item
// number, each followed by a space ("-based" or "#1" are plain text).
const LINE_MARKUP = /(?:>{1,3}|#{1,3}|-#|[-*+]|[0-9]+[.)])[ \t]/uy;

function startsLineMarkup(text: string, at: number): boolean {
  LINE_MARKUP.lastIndex = at;
  return LINE_MARKUP.test(text);
}

/** Escapes the markup starting a line: `- x` → `\- x`, `1. x` → `1\. x` (a backslash before a digit would show). */
function escapeLineStart(text: string): string {
  const numbered = /^[0-9]+(?=[.)])/u.exec(text);
  return numbered ? `${numbered[0]}\\${text.slice(numbered[0].length)}` : `\\${text}`;
}
