import { truncateAtWord } from './text.js';
/** One speaker's turn in a lesson's learner dialogue. */
export interface DialogueLine {
  readonly speaker: string;
  readonly text: string;
}

/**
 * A lesson as the library knows it: exactly the fields of the documented JSON format.
 * Times are ISO 8601 strings in UTC; `date` is the article's calendar date (YYYY-MM-DD).
 */
export interface Lesson {
  readonly id: string;
  readonly category: string;
  readonly url: string;
  readonly date: string;
  readonly title: string;
  readonly summary: string;
  readonly article: readonly string[];
  readonly dialogue: readonly DialogueLine[];
  readonly similarReadings: readonly string[];
  readonly sourceStats: { readonly words: number; readonly readCount: number };
  readonly sourceTimes: { readonly created: string; readonly updated: string; readonly lastRead: string | null };
}

/** A lesson's texts, read apart from the rest (an article or a dialogue may hold 200,000 characters). */
export type LessonPart = 'article' | 'dialogue';

/**
 * A lesson without its texts (article, dialogue, similar-reading titles): what its card, and every command
 * that only names it, shows. At most ~21 KB (a summary of 20,000 characters) where a whole lesson may be ~0.5 MB.
 */
export type LessonHead = Omit<Lesson, LessonPart | 'similarReadings'>;

/** Discord's embed title limit: a lesson title must fit it. */
export const MAX_TITLE_LENGTH = 256;

/**
 * The most a lesson may hold: characters of its article, dialogue and summary, and similar-reading titles. A
 * news article is a few thousand characters, its dialogue fewer, and the reading app lists about five similar
 * readings (headlines); these leave room for the longest feature, and keep a lesson's search index within
 * PostgreSQL's 1 MB text-search vector (200,000 characters of words all different made ~500 KB; a 1.6 MB article,
 * or a 2 MB similar-reading title, of such words failed the import with "string is too long for tsvector") and
 * its vocabulary's analysis short.
 */
export const LESSON_LIMITS = {
  article: 200_000,
  dialogue: 200_000,
  summary: 20_000,
  similarReadings: 100,
  similarReadingTitle: 1_000,
  /** A category id (`nhk`) and a JSON dialogue's speaker name: a 5,000-character category overflowed its index's entry. */
  category: 100,
  speaker: 100,
} as const;

/** Characters of a lesson's part (its paragraphs' or turns' texts together). */
export function charactersOf(texts: readonly string[]): number {
  return texts.reduce((sum, text) => sum + text.length, 0);
}

/** The problem with a part over its limit, or null. */
export function overLimit(part: 'article' | 'dialogue' | 'summary', characters: number): string | null {
  const max = LESSON_LIMITS[part];
  if (characters <= max) return null;
  return `the ${part} is ${characters.toLocaleString('en-US')} characters long; a lesson's ${part} may hold at most ${max.toLocaleString('en-US')} (split it into several lessons)`;
}

/** The problem with a similar-reading title longer than a headline can be (`is … characters long; …`), or null. */
export function similarReadingTooLong(characters: number): string | null {
  const max = LESSON_LIMITS.similarReadingTitle;
  return characters <= max
    ? null
    : `is ${characters.toLocaleString('en-US')} characters long; a similar-reading title may hold at most ${max.toLocaleString('en-US')}`;
}

/** The problem with a list of more similar readings than a lesson may hold, or null. */
export function tooManySimilarReadings(count: number): string | null {
  const max = LESSON_LIMITS.similarReadings;
  return count <= max ? null : `${count.toLocaleString('en-US')} similar readings; a lesson may list at most ${max}`;
}

const WORD = /[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu;

/** Counts words the way a reader would: runs of letters or digits, keeping contractions and hyphenated words whole. */
export function countWords(text: string): number {
  return text.match(WORD)?.length ?? 0;
}

export function articleWordCount(lesson: Pick<Lesson, 'article'>): number {
  return lesson.article.reduce((sum, paragraph) => sum + countWords(paragraph), 0);
}

export function dialogueWordCount(lesson: Pick<Lesson, 'dialogue'>): number {
  return lesson.dialogue.reduce((sum, line) => sum + countWords(line.text), 0);
}

/**
 * Whether a lesson's dialogue (article) has anything to read, by its stored word count: a JSON lesson's
 * `"dialogue": []` and an export without a dialogue have none, and neither do turns of only punctuation or emoji.
 * Without one its button is not shown and opening it is refused (nothing is recorded as read).
 */
export function hasWordsIn(counts: { readonly dialogueWords: number; readonly articleWords: number }, part: LessonPart): boolean {
  return (part === 'dialogue' ? counts.dialogueWords : counts.articleWords) > 0;
}

/** Learners read slower than natives: 150 words a minute, rounded up, at least one minute. */
export const LEARNER_WORDS_PER_MINUTE = 150;

export function readingMinutes(words: number): number {
  return Math.max(1, Math.ceil(words / LEARNER_WORDS_PER_MINUTE));
}

/**
 * The export has no title: use the article's first sentence, cut at a word boundary
 * to fit Discord's title limit.
 */
export function deriveTitle(article: readonly string[], summary: string): string {
  const source = (article[0] ?? summary).replace(/\s+/gu, ' ').trim();
  return truncateAtWord(firstSentence(source), MAX_TITLE_LENGTH);
}

/**
 * Sentence-ending punctuation, with any closing quotes or brackets, before a space or the end; or Japanese and
 * Chinese sentence ends (`。` `！` `？`, the half-width `｡`, the full-width `．` but not in a number), which no
 * space follows: with any closing quotes or brackets before a space or the end, or without one (`。」と言った`
 * goes on: the quote's sentence ended, not the sentence). Without them a Japanese or Chinese article's title was
 * its first paragraph cut at 256 characters.
 * The bounded repeats keep a long run of dots linear (unbounded ones backtrack quadratically).
 */
const SENTENCE_END = /[.!?]{1,8}["'”’)\]]{0,3}(?=\s|$)|(?:[。｡！？]|．(?![0-9０-９])){1,8}(?:["'”’)\]」』）】〕〉》]{1,3}(?=\s|$)|(?!["'”’)\]」』）】〕〉》]))/gu;

/**
 * Capitalised abbreviations whose period does not end a sentence ("Mr. Tanaka", "Gen. Smith").
 * Lower-case words are left out on purpose: "he said no." ends one.
 */
const ABBREVIATIONS = new Set([
  'Mr', 'Mrs', 'Ms', 'Dr', 'Prof', 'St', 'Jr', 'Sr', 'Gen', 'Lt', 'Col', 'Sgt', 'Capt', 'Gov', 'Sen', 'Rep', 'Rev',
  'Inc', 'Ltd', 'Co', 'Corp', 'No', 'Mt', 'Ft', 'vs', 'Jan', 'Feb', 'Mar', 'Apr', 'Jun', 'Jul', 'Aug', 'Sep', 'Sept',
  'Oct', 'Nov', 'Dec',
]);

/** Dotted initials and acronyms: "U.S", "e.g", "J" (the final period is not part of the word). */
const INITIALS = /^(?:\p{L}\.)*\p{L}$/u;

/** The text up to the end of its first sentence, not fooled by "U.S." or "Mr."; all of it if none ends. */
function firstSentence(text: string): string {
  // Leading punctuation ("... and then") is no sentence: one needs a letter or digit.
  const firstWordChar = text.search(/[\p{L}\p{N}]/u);
  if (firstWordChar === -1) return text;
  for (const match of text.matchAll(SENTENCE_END)) {
    if (match.index < firstWordChar) continue;
    if (match[0] === '.' && isAbbreviation(text, match.index)) continue;
    return text.slice(0, match.index + match[0].length);
  }
  return text;
}

/** Whether the word just before the period at `dot` is an abbreviation. */
function isAbbreviation(text: string, dot: number): boolean {
  const word = text.slice(text.lastIndexOf(' ', dot) + 1, dot).replace(/^["'“‘([]+/u, '');
  return ABBREVIATIONS.has(word) || INITIALS.test(word);
}

