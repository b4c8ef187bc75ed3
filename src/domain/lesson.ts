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

/** Discord's embed title limit: a lesson title must fit it. */
export const MAX_TITLE_LENGTH = 256;

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
  const source = (article[0] ?? summary).trim();
  const sentence = source.match(/^.+?[.!?](?=\s|$)/u)?.[0] ?? source;
  return truncateAtWord(sentence.replace(/\s+/gu, ' ').trim(), MAX_TITLE_LENGTH);
}

/** Cuts text to at most `max` characters, at a word boundary where one is near, ending with an ellipsis. */
export function truncateAtWord(text: string, max: number): string {
  if (text.length <= max) return text;
  const room = max - 1;
  const cut = text.slice(0, room);
  const lastSpace = cut.lastIndexOf(' ');
  const base = lastSpace > room * 0.6 ? cut.slice(0, lastSpace) : cut;
  return `${base.trimEnd()}…`;
}
