import { occursIn, wordsOf } from './sentence.js';
import type { AnalyzedLesson, AnalyzedToken, ContentPos, Lexicon } from './types.js';

/** Universal Dependencies tags of content words, and the part of speech they become. */
const CONTENT_TAGS: Readonly<Record<string, ContentPos>> = { NOUN: 'noun', VERB: 'verb', ADJ: 'adjective', ADV: 'adverb' };
const LETTERS = /^[a-z]+$/iu;
export const MIN_WORDS = 8;
export const MAX_WORDS = 12;
/** Past the first 8, a word joins the list only if it is outside this many most frequent word forms. */
export const EXTRA_WORD_MIN_RANK = 10_000;

export interface VocabularyCandidate {
  readonly word: string;
  readonly lemma: string;
  readonly pos: ContentPos;
  readonly definition: string;
  readonly sentence: number;
  readonly frequency: number;
  readonly rank: number;
  /** Order of first appearance in the lesson. */
  readonly order: number;
}

/**
 * Lower-cased forms that the lesson writes with a capital letter in the middle of a sentence and never in
 * lower case: names ("Hegseth", "Nakatani"), places, days, titles of office.
 */
export function capitalizedOnlyWords(tokens: readonly AnalyzedToken[]): Set<string> {
  const capitalized = new Set<string>();
  const lower = new Set<string>();
  for (const token of tokens) {
    const key = token.text.toLowerCase();
    if (token.text === key) lower.add(key);
    else if (!token.sentenceInitial) capitalized.add(key);
  }
  for (const key of lower) capitalized.delete(key);
  return capitalized;
}

/** A token that could be a vocabulary word, before ranking; null with the reason it cannot. */
export function contentWord(
  token: AnalyzedToken,
  lexicon: Lexicon,
  namesInText: ReadonlySet<string>,
): { pos: ContentPos; lemma: string; definition: string } | null {
  const pos = CONTENT_TAGS[token.pos];
  if (pos === undefined) return null; // PROPN, NUM, function words, punctuation
  const surface = token.text.toLowerCase();
  const lemma = token.lemma.toLowerCase();
  if (!LETTERS.test(surface) || !LETTERS.test(lemma) || lemma.length < 3) return null; // numbers, codes, "U.S."
  if (!token.sentenceInitial && token.text !== surface) return null; // "Defense Minister", "Hegseth" mid-sentence
  if (namesInText.has(surface) || namesInText.has(lemma)) return null;
  if (lexicon.isCapitalized(surface) || lexicon.isCapitalized(lemma)) return null; // "Saturday", "Singapore", "Pete"
  const definition = lexicon.definition(lemma, pos); // none for unknown names; proper-noun senses skipped
  if (definition === null) return null;
  return { pos, lemma, definition };
}

/**
 * The lesson's vocabulary: content words (one per lemma), rarest first by SUBTLEX-US count, at least
 * {@link MIN_WORDS} when the lesson has that many, and up to {@link MAX_WORDS} while they stay rare
 * (outside the {@link EXTRA_WORD_MIN_RANK} most frequent forms). Returned in order of first appearance.
 */
export function selectVocabulary(lesson: AnalyzedLesson, lexicon: Lexicon): VocabularyCandidate[] {
  const names = capitalizedOnlyWords(lesson.tokens);
  const byLemma = new Map<string, VocabularyCandidate>();
  const sentenceWords = new Map<number, Set<string>>();
  const wordsOfSentence = (index: number, text: string) => {
    let words = sentenceWords.get(index);
    if (words === undefined) sentenceWords.set(index, (words = wordsOf(text)));
    return words;
  };
  lesson.tokens.forEach((token, order) => {
    const key = token.lemma.toLowerCase();
    if (byLemma.has(key)) return;
    const content = contentWord(token, lexicon, names);
    if (content === null) return;
    const sentence = lesson.sentences[token.sentence];
    if (sentence === undefined || !occursIn(token.text, wordsOfSentence(token.sentence, sentence.text))) return;
    const frequency = Math.max(lexicon.count(token.text), lexicon.count(content.lemma));
    const rank = Math.min(lexicon.rank(token.text), lexicon.rank(content.lemma));
    byLemma.set(content.lemma, { word: token.text, lemma: content.lemma, pos: content.pos, definition: content.definition, sentence: token.sentence, frequency, rank, order });
  });
  const rarestFirst = [...byLemma.values()].sort((a, b) => a.frequency - b.frequency || a.order - b.order);
  const chosen = rarestFirst.filter((candidate, index) => index < MIN_WORDS || (index < MAX_WORDS && candidate.rank > EXTRA_WORD_MIN_RANK));
  return chosen.sort((a, b) => a.order - b.order);
}
