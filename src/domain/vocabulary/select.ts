import { occursIn, wordsOf } from './sentence.js';
import { americanSpelling, regularBases } from './spelling.js';
import type { AnalyzedLesson, AnalyzedToken, ContentPos, Lexicon } from './types.js';

/** Universal Dependencies tags of content words, and the part of speech they become. */
const CONTENT_TAGS: Readonly<Record<string, ContentPos>> = { NOUN: 'noun', VERB: 'verb', ADJ: 'adjective', ADV: 'adverb' };
const LETTERS = /^[a-z]+$/iu;
export const MIN_WORDS = 8;
export const MAX_WORDS = 12;
/** Past the first 8, a word joins the list only if it is outside this many most frequent word forms. */
export const EXTRA_WORD_MIN_RANK = 10_000;
/** Everyday words, never listed: the 1,000 most frequent word forms ("town", "children", "week"). */
export const EVERYDAY_WORDS = 1_000;
/** Words after which a verb is the tagger's mistake for a noun ("contain the blazes"). */
const DETERMINERS = new Set(['the', 'a', 'an', 'its', 'their', 'his', 'our', 'your', 'my']);

/** Numbers written as words ("fifteen", "trillion", "third"): numbers, not vocabulary. */
const NUMBER_WORDS = new Set(
  [
    'zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen',
    'twenty thirty forty fifty sixty seventy eighty ninety hundred thousand million billion trillion quadrillion zillion dozen',
    'first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth fifteenth sixteenth',
    'seventeenth eighteenth nineteenth twentieth thirtieth fortieth fiftieth sixtieth seventieth eightieth ninetieth hundredth',
    'thousandth millionth billionth trillionth',
  ]
    .join(' ')
    .split(' '),
);

/** Months that are also common words in lower case. */
const COMMON_WORD_MONTHS = new Set(['march', 'may', 'august']);

/** Days and months: names, even where WordNet or the subtitles also know a common word ("march", "august"). */
const CALENDAR_NAMES = new Set(
  'monday tuesday wednesday thursday friday saturday sunday january february march april may june july august september october november december'.split(' '),
);

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

/**
 * Each token's frequency rank (its form's or its lemma's, whichever is more frequent; the lexicon ignores case),
 * looked up once for the selection and the level, which both need most of them.
 */
export function tokenRanks(tokens: readonly AnalyzedToken[], lexicon: Pick<Lexicon, 'rank'>): Float64Array {
  return Float64Array.from(tokens, (token) => Math.min(lexicon.rank(token.text), lexicon.rank(token.lemma)));
}

/**
 * The lemma in the text's own spelling: the tagger gives American lemmas ("organisers" → "organizer",
 * "equaliser" → "equalizer"), so a British word gets the British base form when WordNet knows it.
 */
export function lemmaInTextSpelling(surface: string, taggerLemma: string, pos: ContentPos, lexicon: Pick<Lexicon, 'definition'>): string {
  if (americanSpelling(surface) === surface) return taggerLemma;
  const american = americanSpelling(taggerLemma);
  const base = regularBases(surface).find((candidate) => candidate !== taggerLemma && americanSpelling(candidate) === american);
  return base !== undefined && lexicon.definition(base, pos) !== null ? base : taggerLemma;
}

export function contentWord(
  token: AnalyzedToken,
  lexicon: Lexicon,
  namesInText: ReadonlySet<string>,
  next: AnalyzedToken | undefined,
  previous: AnalyzedToken | undefined,
  /** The token's rank (tokenRanks). */
  rank: number,
): { pos: ContentPos; lemma: string; definition: string } | null {
  let pos = CONTENT_TAGS[token.pos];
  if (pos === undefined) return null; // PROPN, NUM, function words, punctuation
  if (token.inCompound) return null; // "awaited" of "long-awaited", "changer" of "game-changer"
  const surface = token.text.toLowerCase();
  if (pos === 'verb' && previous !== undefined && previous.sentence === token.sentence && DETERMINERS.has(previous.text.toLowerCase())) {
    // "help contain the blazes": a verb right after a determiner is a noun the tagger misread.
    if (/(ing|ed)$/u.test(surface)) return null;
    pos = 'noun';
  }
  if (!LETTERS.test(surface)) return null; // numbers, codes, "U.S."
  // Everyday words first: most tokens stop here, before any definition is read.
  if (rank <= EVERYDAY_WORDS) return null;
  const lemma = lemmaInTextSpelling(surface, token.lemma.toLowerCase(), pos, lexicon);
  if (!LETTERS.test(lemma) || lemma.length < 3) return null;
  if (!token.sentenceInitial && token.text !== surface) return null; // "Defense Minister", "Hegseth" mid-sentence
  // At the start of a sentence, a capitalised word followed by another is the first word of a name
  // ("Reform UK said", "Liberal Democrat leader", "Chancellor Rachel Reeves").
  if (token.text !== surface && next !== undefined && next.sentence === token.sentence && next.text !== 'I' && next.text !== next.text.toLowerCase()) return null;
  // A capital after the first letter is an acronym or a name even at the start of a sentence ("NASA", "GDP", "McKinsey").
  if (token.text.slice(1) !== surface.slice(1)) return null;
  if (NUMBER_WORDS.has(surface) || NUMBER_WORDS.has(lemma)) return null; // "fifteen", "trillion", "third"
  // "March" or "August" with a capital is the month, also at the start of a sentence; "Saturday" in any case.
  // Only the verb "march" ("marched") and the adjective "august" stay, in lower case.
  if (CALENDAR_NAMES.has(surface) && token.text !== surface) return null;
  if ((CALENDAR_NAMES.has(surface) || CALENDAR_NAMES.has(lemma)) && !COMMON_WORD_MONTHS.has(lemma)) return null;
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
export function selectVocabulary(
  lesson: AnalyzedLesson,
  lexicon: Lexicon,
  /** capitalizedOnlyWords of the lesson's tokens. */
  names: ReadonlySet<string>,
  /** tokenRanks of the lesson's tokens. */
  ranks: ArrayLike<number>,
): VocabularyCandidate[] {
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
    const content = contentWord(token, lexicon, names, lesson.tokens[order + 1], lesson.tokens[order - 1], ranks[order] as number);
    if (content === null || byLemma.has(content.lemma)) return;
    const sentence = lesson.sentences[token.sentence];
    if (sentence === undefined || !occursIn(token.text, wordsOfSentence(token.sentence, sentence.text))) return;
    // How common the word is: its form, its lemma, or the tagger's (American) lemma, whichever is most used.
    const frequency = Math.max(lexicon.count(token.text), lexicon.count(content.lemma), lexicon.count(token.lemma));
    const rank = Math.min(lexicon.rank(token.text), lexicon.rank(content.lemma), lexicon.rank(token.lemma));
    if (rank <= EVERYDAY_WORDS) return;
    byLemma.set(content.lemma, { word: token.text, lemma: content.lemma, pos: content.pos, definition: content.definition, sentence: token.sentence, frequency, rank, order });
  });
  const rarestFirst = [...byLemma.values()].sort((a, b) => a.frequency - b.frequency || a.order - b.order);
  const chosen = rarestFirst.filter((candidate, index) => index < MIN_WORDS || (index < MAX_WORDS && candidate.rank > EXTRA_WORD_MIN_RANK));
  return chosen.sort((a, b) => a.order - b.order);
}
