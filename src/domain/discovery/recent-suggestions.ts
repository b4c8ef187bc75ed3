import { autocompleteWords } from './text-query.js';

/**
 * Lesson autocomplete from the newest lessons, in memory. A member typing a lesson's words wants the recent
 * lessons first, and a common word start ("ma") is in many of them: answered here, it needs no database
 * round trip; the database's index answers what is rarer (see RecentSuggestions.match).
 */

/** A lesson as a suggestion shows it. */
export interface SuggestedLesson {
  readonly id: string;
  readonly title: string;
  readonly date: string;
  readonly category: string;
}

/** A lesson with the words of its title and summary, as the database's autocomplete index holds them. */
export interface LessonWords extends SuggestedLesson {
  /** Every word of title and summary: accents folded, lower case (PostgreSQL's `newsdesk_words`); the title's with `titleOnly`. */
  readonly words: readonly string[];
  /** Those of the title. */
  readonly titleWords: readonly string[];
  /**
   * Its summary's words are not here (it has more than RECENT_WORDS_PER_LESSON words): it is known to match only
   * where its title does, and where it could match by its summary the database answers.
   */
  readonly titleOnly?: boolean;
}

/**
 * A lesson of more distinct title and summary words than this is held by its title's words only (a news summary
 * has 40–80; the format allows 20,000 characters, ~2,500 distinct words).
 */
export const RECENT_WORDS_PER_LESSON = 400;

/** A suggestion with what orders it: whether every typed word starts a word of its title. */
export interface RankedSuggestion extends SuggestedLesson {
  readonly inTitle: boolean;
}

export interface RecentMatch {
  /** Title matches first, then the rest; each newest first. */
  readonly lessons: readonly RankedSuggestion[];
  /**
   * At least `limit` of the newest lessons match, and no lesson held by its title only could be among them: older ones
   * would come after them, so this is the answer.
   */
  readonly full: boolean;
}

/** Title matches first, then newest, then by id: the database's order (`order by in_title desc, article_date desc, id`). */
export function suggestionOrder(a: RankedSuggestion, b: RankedSuggestion): number {
  if (a.inTitle !== b.inTitle) return a.inTitle ? -1 : 1;
  if (a.date !== b.date) return a.date < b.date ? 1 : -1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Each typed word is a bit of a 32-bit mask (MAX_QUERY_TERMS is 12). */
const MAX_WORDS = 31;

/**
 * The typed words, folded as the database folds them, when that can be done here: words of ASCII letters or of
 * digits. Others (accents, apostrophes, hyphens, letters beside digits) are left to PostgreSQL's parser, which may
 * fold or split them otherwise: undefined.
 */
export function suggestionWords(typed: string): string[] | undefined {
  const words = autocompleteWords(typed).map((word) => word.toLowerCase());
  if (words.length > MAX_WORDS || !words.every((word) => /^(?:[a-z]+|[0-9]+)$/u.test(word))) return undefined;
  return words;
}

/** The newest lessons' words, sorted, each with the lessons it is in: a word start finds its words by binary search. */
export class RecentSuggestions {
  private constructor(
    /** Newest first (article date, then id), as the database orders suggestions. */
    private readonly lessons: readonly SuggestedLesson[],
    /** Every distinct word, in code-unit order: the words a start begins are consecutive. */
    private readonly words: readonly string[],
    /** Word i's postings are postings[starts[i] .. starts[i + 1]). */
    private readonly starts: Int32Array,
    /** A lesson's index × 2, plus 1 when the word is in its title. */
    private readonly postings: Int32Array,
    /** 1 for a lesson held by its title's words only (LessonWords.titleOnly). */
    private readonly titleOnly: Uint8Array,
  ) {}

  /** `newestFirst`: lessons by article date, newest first, then id (the order suggestions take). */
  static build(newestFirst: readonly LessonWords[]): RecentSuggestions {
    const lists = new Map<string, number[]>();
    addPostings(lists, newestFirst, 0, newestFirst.length);
    return RecentSuggestions.fromPostings(newestFirst, lists);
  }

  /**
   * The same, `sliceSize` lessons at a time with `pause()` awaited between slices: the bot builds it from 2,000
   * lessons (~84,000 words) every time the library changes, ~20–40 ms of work that in one piece held every
   * interaction behind it (BENCHMARKS.md, "The suggestions' rebuild").
   */
  static async buildInSlices(newestFirst: readonly LessonWords[], pause: () => Promise<void>, sliceSize = 250): Promise<RecentSuggestions> {
    const lists = new Map<string, number[]>();
    for (let from = 0; from < newestFirst.length; from += sliceSize) {
      addPostings(lists, newestFirst, from, Math.min(newestFirst.length, from + sliceSize));
      await pause();
    }
    return RecentSuggestions.fromPostings(newestFirst, lists);
  }

  private static fromPostings(newestFirst: readonly LessonWords[], lists: ReadonlyMap<string, number[]>): RecentSuggestions {
    // The default order compares UTF-16 code units, as `<` does in firstAtOrAfter.
    const words = [...lists.keys()].sort();
    const starts = new Int32Array(words.length + 1);
    let total = 0;
    words.forEach((word, i) => {
      starts[i] = total;
      total += lists.get(word)!.length;
    });
    starts[words.length] = total;
    const postings = new Int32Array(total);
    words.forEach((word, i) => postings.set(lists.get(word)!, starts[i]!));
    const lessons = newestFirst.map(({ id, title, date, category }) => ({ id, title, date, category }));
    return new RecentSuggestions(lessons, words, starts, postings, Uint8Array.from(newestFirst, (lesson) => (lesson.titleOnly ? 1 : 0)));
  }

  /** The newest lessons having every typed word as the start of a word of title or summary (no words: the newest). */
  match(typedWords: readonly string[], limit: number): RecentMatch {
    const all = typedWords.length === 0 ? 0 : (2 ** Math.min(typedWords.length, MAX_WORDS) - 1) | 0;
    const anywhere = new Int32Array(this.lessons.length);
    const inTitle = new Int32Array(this.lessons.length);
    typedWords.slice(0, MAX_WORDS).forEach((start, bit) => {
      const mask = 1 << bit;
      for (let w = this.firstAtOrAfter(start); w < this.words.length && this.words[w]!.startsWith(start); w++) {
        for (let p = this.starts[w]!; p < this.starts[w + 1]!; p++) {
          const posting = this.postings[p]!;
          const lesson = posting >> 1;
          anywhere[lesson]! |= mask;
          if (posting & 1) inTitle[lesson]! |= mask;
        }
      }
    });
    const titled: number[] = [];
    const others: number[] = [];
    // The newest lesson held by its title only that its title does not match: its summary may.
    let undecided = -1;
    for (let i = 0; i < this.lessons.length; i++) {
      if (anywhere[i] !== all) {
        if (undecided < 0 && this.titleOnly[i] === 1) undecided = i;
        continue;
      }
      (inTitle[i] === all ? titled : others).push(i);
    }
    const chosen = [...titled, ...others].slice(0, limit);
    // Where it could be among the summary matches shown (newer than the last of them), this is not the answer.
    const lastShown = others[limit - titled.length - 1];
    const open = undecided >= 0 && lastShown !== undefined && undecided < lastShown;
    return {
      lessons: chosen.map((i) => ({ ...this.lessons[i]!, inTitle: inTitle[i] === all })),
      full: titled.length + others.length >= limit && !open,
    };
  }

  private firstAtOrAfter(start: string): number {
    let low = 0;
    let high = this.words.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.words[middle]! < start) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

/** Each word's postings for lessons [from, to) of `newestFirst` (their index × 2, plus 1 for a title word). */
function addPostings(lists: Map<string, number[]>, newestFirst: readonly LessonWords[], from: number, to: number): void {
  for (let index = from; index < to; index++) {
    const lesson = newestFirst[index]!;
    const title = new Set(lesson.titleWords);
    // A lesson's words come distinct (a tsvector's lexemes); a repeat would only repeat its posting.
    for (const word of lesson.words) {
      let list = lists.get(word);
      if (!list) lists.set(word, (list = []));
      list.push(index * 2 + (title.has(word) ? 1 : 0));
    }
  }
}
