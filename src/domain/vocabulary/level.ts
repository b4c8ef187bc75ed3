import type { AnalyzedToken, CefrBand, LessonLevel } from './types.js';

const WORD = /^[a-z]+(?:['’][a-z]+)?$/iu;
const SKIPPED_TAGS = new Set(['PROPN', 'NUM', 'PUNCT', 'SYM', 'X', 'SPACE']);

/**
 * Bands by lexical coverage (how much of a text lies outside the most frequent words). Readers need about
 * 95% of a text's running words to be known to read it comfortably (Laufer; Nation), so:
 * - A2: at most 5% of the words outside the 2,000 most frequent;
 * - B1: at most 10% outside the 2,000 and at most 5% outside the 5,000;
 * - B2: at most 10% outside the 5,000;
 * - C1: more than that.
 */
export function bandFor(outside2k: number, outside5k: number): CefrBand {
  if (outside2k <= 0.05) return 'A2';
  if (outside2k <= 0.1 && outside5k <= 0.05) return 'B1';
  if (outside5k <= 0.1) return 'B2';
  return 'C1';
}

/**
 * The lesson's estimated level from the frequency rank of each running word (its form or its lemma,
 * whichever is more frequent; a word missing from the list counts as rare). Names and numbers are left out:
 * they say nothing about the reader's vocabulary.
 */
export function estimateLevel(
  tokens: readonly AnalyzedToken[],
  namesInText: ReadonlySet<string>,
  /** Each token's rank (tokenRanks in select.ts). */
  ranks: ArrayLike<number>,
): LessonLevel {
  let words = 0;
  let beyond2k = 0;
  let beyond5k = 0;
  tokens.forEach((token, index) => {
    if (SKIPPED_TAGS.has(token.pos) || !WORD.test(token.text)) return;
    const lower = token.text.toLowerCase();
    if (namesInText.has(lower) || (!token.sentenceInitial && token.text !== lower)) return;
    const rank = ranks[index] as number;
    words += 1;
    if (rank > 2000) beyond2k += 1;
    if (rank > 5000) beyond5k += 1;
  });
  const outside2k = words === 0 ? 0 : beyond2k / words;
  const outside5k = words === 0 ? 0 : beyond5k / words;
  return { band: bandFor(outside2k, outside5k), outside2k, outside5k, words };
}

const BAND_NAMES: Readonly<Record<CefrBand, string>> = {
  A2: 'A2 · elementary',
  B1: 'B1 · intermediate',
  B2: 'B2 · upper intermediate',
  C1: 'C1 · advanced',
};

/**
 * Below this many counted English words (names and numbers left out) a share says nothing: a text in another
 * language, of emoji, or of one sentence counted 0–5 words and was rated "A2 · elementary (0% …)".
 */
export const MIN_WORDS_FOR_LEVEL = 20;

export function isRated(level: Pick<LessonLevel, 'words'>): boolean {
  return level.words >= MIN_WORDS_FOR_LEVEL;
}

/** "B2 · upper intermediate (7% of words outside the 5,000 most common)" for the card. */
export function describeLevel(level: Pick<LessonLevel, 'band' | 'outside5k' | 'words'>): string {
  if (!isRated(level)) return `not rated (${level.words} English word${level.words === 1 ? '' : 's'} to go by)`;
  return `${BAND_NAMES[level.band]} (${Math.round(level.outside5k * 100)}% of words beyond the 5,000 most common)`;
}
