/** The parts of speech a vocabulary word can have (content words only). */
export const CONTENT_POS = ['noun', 'verb', 'adjective', 'adverb'] as const;
export type ContentPos = (typeof CONTENT_POS)[number];

export type SentenceSource = 'article' | 'dialogue';

/** One sentence of a lesson, word for word as it stands in the article or a dialogue turn. */
export interface AnalyzedSentence {
  readonly text: string;
  readonly source: SentenceSource;
}

/** One token as the tagger saw it. `pos` is a Universal Dependencies tag (NOUN, VERB, PROPN, NUM, …). */
export interface AnalyzedToken {
  readonly text: string;
  readonly lemma: string;
  readonly pos: string;
  /** Index into the lesson's sentences. */
  readonly sentence: number;
  /** First word of its sentence (its capital letter then says nothing about being a name). */
  readonly sentenceInitial: boolean;
  /** Joined to a hyphen or a dot: a part of a compound ("awaited" in "long-awaited") or of a name ("com" in "Amazon.com"), not a word of its own. */
  readonly inCompound?: boolean;
}

export interface AnalyzedLesson {
  readonly sentences: readonly AnalyzedSentence[];
  readonly tokens: readonly AnalyzedToken[];
}

/** A word of the distractor pool: a base form and how often it is used. */
export interface PoolWord {
  readonly lemma: string;
  readonly count: number;
}

/**
 * What the selection needs to know about English words. Implemented over SUBTLEX-US and WordNet in
 * src/vocabulary/lexicon.ts; tests may pass a small hand-made one.
 */
export interface Lexicon {
  /** Occurrences in SUBTLEX-US (51 million words of subtitles), case-insensitive; 0 when absent. */
  count(word: string): number;
  /** 1 for the most frequent word form; Infinity when absent. */
  rank(word: string): number;
  /** SUBTLEX-US mostly writes it with a capital letter: a name, a day, a place, a nationality. */
  isCapitalized(word: string): boolean;
  /** WordNet has `lemma` as this part of speech (any sense; from the index in memory, no definition read). */
  knows(lemma: string, pos: ContentPos): boolean;
  /** A short definition of `lemma` as this part of speech, from a sense that is not a proper noun; null if none. */
  definition(lemma: string, pos: ContentPos): string | null;
  /** Base forms whose main part of speech is `pos`, rarest first, suitable as quiz distractors. */
  distractorPool(pos: ContentPos): readonly PoolWord[];
  /** Profane or slur words never offered as answers. */
  isOffensive(word: string): boolean;
}

/** One vocabulary entry, as stored and shown. */
export interface VocabularyEntry {
  /** As it appears in the sentence (same letters and case). */
  readonly word: string;
  readonly lemma: string;
  readonly pos: ContentPos;
  readonly definition: string;
  /** The first sentence of the lesson (article first, then dialogue) where the word appears. */
  readonly sentence: string;
  readonly source: SentenceSource;
  /** SUBTLEX-US count of the lemma or the word, whichever is larger (how common the word is). */
  readonly frequency: number;
  /** Three wrong answers for the quiz: same part of speech and form, similar frequency, not in the sentence. */
  readonly distractors: readonly string[];
}

export type CefrBand = 'A2' | 'B1' | 'B2' | 'C1';

export interface LessonLevel {
  readonly band: CefrBand;
  /** Share (0–1) of the lesson's running words outside the 2,000 and 5,000 most frequent English word forms. */
  readonly outside2k: number;
  readonly outside5k: number;
  /** Running words counted (names and numbers left out). */
  readonly words: number;
}
