import { clip, safeText, webAddressSpans } from '../discord-format/escape.js';
import { BUTTON_LABEL_MAX } from '../discord-format/limits.js';
import { paginate } from '../discord-format/paginate.js';
import { PAGE_DESCRIPTION_MAX } from '../discord-format/pages.js';
import { truncateAtWord } from '../text.js';
import { describeLevel } from './level.js';
import type { LessonLevel, VocabularyEntry } from './types.js';

const SENTENCE_MAX = 600;
const WORD = (word: string) => new RegExp(`(?<![\\p{L}\\p{N}])${word.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&')}(?![\\p{L}\\p{N}])`, 'giu');

/** Raw characters kept on each side of the word in a sentence too long to show whole. */
const SENTENCE_WINDOW = 120;
/** At most this many characters of a word cut at the window's edge are left out to cut at a space instead. */
const WORD_CUT_MAX = 30;

/**
 * The sentence, escaped, with the vocabulary word in bold (the word is letters only, so bolding it is safe), within
 * SENTENCE_MAX: a longer one is cut around the word's first place before it is escaped, so a cut never falls inside
 * the bold (cut after, `**ubiquit…` showed stray asterisks) nor an escape.
 */
export function sentenceWithWord(sentence: string, word: string): string {
  const whole = bolded(sentence, word);
  if (whole.length <= SENTENCE_MAX) return whole;
  const [match] = placesOf(sentence, word);
  if (!match) return clip(whole, SENTENCE_MAX);
  let start = Math.max(0, match.index - SENTENCE_WINDOW);
  let end = Math.min(sentence.length, match.index + match[0].length + SENTENCE_WINDOW);
  // Never half a word at either edge ("…environmental organisati…"): the cut moves to the nearest space inside the
  // window, if one is within WORD_CUT_MAX of the edge and before the word (a longer run of letters is cut as it was).
  const wordEnd = match.index + match[0].length;
  if (start > 0 && /\S/u.test(sentence.charAt(start - 1))) {
    const space = sentence.slice(start, Math.min(match.index, start + WORD_CUT_MAX)).search(/\s/u);
    if (space !== -1) start += space + 1;
  }
  if (end < sentence.length && /\S/u.test(sentence.charAt(end))) {
    const from = Math.max(wordEnd, end - WORD_CUT_MAX);
    const space = sentence.slice(from, end).search(/\s\S*$/u);
    if (space !== -1) end = from + space;
  }
  // Never half a character at either edge.
  if (/[\uDC00-\uDFFF]/u.test(sentence.charAt(start)) && start > 0) start += 1;
  if (/[\uD800-\uDBFF]/u.test(sentence.charAt(end - 1)) && end < sentence.length) end -= 1;
  // Never inside a web address, nor at its end: Discord linked the cut address with the "…" (as clip says), which
  // opened another page. The cut is before it (the word's place is outside every address).
  const cutAddress = end < sentence.length ? webAddressSpans(sentence).find(([from, to]) => from < end && end <= to) : undefined;
  if (cutAddress) end = Math.max(wordEnd, sentence.slice(0, cutAddress[0]).trimEnd().length);
  const shown = `${start > 0 ? '…' : ''}${bolded(sentence.slice(start, end), word)}${end < sentence.length ? '…' : ''}`;
  // Within the limit unless the word itself is hundreds of letters long.
  return shown.length <= SENTENCE_MAX ? shown : clip(shown, SENTENCE_MAX);
}

/**
 * The word's places in the sentence, outside web addresses: Discord links an address whole, so a word made bold in one
 * (`https://…/**legislation**\_2026`) put the asterisks, and the escapes after them, into the link, which opened
 * another page.
 */
function placesOf(sentence: string, word: string): RegExpExecArray[] {
  const addresses = webAddressSpans(sentence);
  return [...sentence.matchAll(WORD(word))].filter((match) => !addresses.some(([start, end]) => match.index < end && match.index + match[0].length > start));
}

function bolded(sentence: string, word: string): string {
  let shown = '';
  let from = 0;
  for (const match of placesOf(sentence, word)) {
    shown += `${safeText(sentence.slice(from, match.index))}**${match[0]}**`;
    from = match.index + match[0].length;
  }
  return shown + safeText(sentence.slice(from));
}

/** One entry of the list: word, base form and part of speech, definition, and its sentence quoted. */
export function vocabularyBlock(entry: VocabularyEntry, index: number): string {
  const head = entry.word.toLowerCase() === entry.lemma ? `**${index + 1}. ${safeText(entry.word)}**` : `**${index + 1}. ${safeText(entry.word)}** → ${safeText(entry.lemma)}`;
  const where = entry.source === 'article' ? 'article' : 'dialogue';
  return `${head} · *${entry.pos}*\n${safeText(entry.definition)}\n> ${sentenceWithWord(entry.sentence, entry.word)} *(${where})*`;
}

/** The list as embed descriptions (pages), each within Discord's limit. */
export function vocabularyPages(entries: readonly VocabularyEntry[]): string[] {
  const pages = paginate(
    entries.map((entry, i) => vocabularyBlock(entry, i)),
    PAGE_DESCRIPTION_MAX,
  );
  return pages.length > 0 ? pages : ['*No vocabulary was found for this lesson: it has no rare content words.*'];
}

export function levelLine(level: LessonLevel): string {
  return `Level: ${describeLevel(level)}`;
}

/** A choice as a button label (Discord: at most 80 characters). */
export function choiceLabel(choice: string): string {
  return truncateAtWord(choice, BUTTON_LABEL_MAX);
}
