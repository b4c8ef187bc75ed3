import { describe, expect, it } from 'vitest';
import { RecentSuggestions, suggestionWords, type LessonWords } from '../../src/domain/discovery/recent-suggestions.js';

/** A lesson of the window: its title's words and its summary's (already folded, as the database gives them). */
function lesson(id: string, date: string, title: string, summary = ''): LessonWords {
  const words = (text: string) => text.toLowerCase().split(/\s+/u).filter(Boolean);
  return { id, title, date, category: 'nhk', titleWords: words(title), words: [...words(title), ...words(summary)] };
}

// Newest first, as newestLessonWords returns them.
const WINDOW = [
  lesson('a', '2026-03-05', 'Market opens higher', 'Traders cheer'),
  lesson('b', '2026-03-04', 'Ferry service resumes', 'The market for tickets reopens'),
  lesson('c', '2026-03-03', 'Marathon in the city', 'Runners crowd the market square'),
  lesson('d', '2026-03-02', 'Zoo welcomes a panda', 'Visitors queue'),
  lesson('e', '2026-03-01', 'Markets fall', 'Zoo shares drop'),
];
const index = RecentSuggestions.build(WINDOW);
const ids = (typed: string[], limit = 25) => index.match(typed, limit).lessons.map((l) => l.id);

describe('suggestions from the newest lessons in memory', () => {
  it('a word start finds every word it begins, title matches first, each newest first', () => {
    expect(ids(['mar'])).toEqual(['a', 'c', 'e', 'b']);
    expect(index.match(['mar'], 25).lessons.map((l) => l.inTitle)).toEqual([true, true, true, false]);
    expect(ids(['market'])).toEqual(['a', 'e', 'b', 'c']);
    expect(ids(['markets'])).toEqual(['e']);
  });

  it('every typed word must start a word, in title or summary; a title match needs them all in the title', () => {
    expect(ids(['market', 'zoo'])).toEqual(['e']);
    expect(index.match(['market', 'zoo'], 25).lessons.map((l) => l.inTitle)).toEqual([false]);
    expect(ids(['zoo', 'panda'])).toEqual(['d']);
    expect(index.match(['zoo', 'panda'], 25).lessons.map((l) => l.inTitle)).toEqual([true]);
    expect(ids(['market', 'panda'])).toEqual([]);
  });

  it('finds word starts at either end of the sorted words, and nothing for a start no word has', () => {
    // "a" is the first word in order (in d's title), "zoo" the last.
    expect(ids(['a'])).toEqual(['d']);
    expect(ids(['zoo'])).toEqual(['d', 'e']);
    expect(ids(['b'])).toEqual([]);
    expect(ids(['zz'])).toEqual([]);
    expect(ids(['cheer'])).toEqual(['a']);
  });

  it('is the whole answer only when at least `limit` of the newest lessons match', () => {
    expect(index.match(['mar'], 4).full).toBe(true);
    expect(index.match(['mar'], 5).full).toBe(false);
    expect(ids(['mar'], 2)).toEqual(['a', 'c']);
  });

  it('with no words, the newest lessons', () => {
    expect(ids([], 3)).toEqual(['a', 'b', 'c']);
    expect(index.match([], 5).full).toBe(true);
    expect(index.match([], 6).full).toBe(false);
    expect(RecentSuggestions.build([]).match(['mar'], 25)).toEqual({ lessons: [], full: false });
  });

  it('the same lesson listed once whatever its words repeat', () => {
    const repeated = RecentSuggestions.build([lesson('x', '2026-01-01', 'Tea tea tea', 'Tea again')]);
    expect(repeated.match(['tea'], 25).lessons.map((l) => l.id)).toEqual(['x']);
  });

  it('a lesson held by its title only (a summary of hundreds of words) is matched by its title, and leaves an answer its summary could change to the database', () => {
    const titleOnly = (id: string, date: string, title: string): LessonWords => ({ ...lesson(id, date, title), titleOnly: true });
    const held = RecentSuggestions.build([titleOnly('t', '2026-03-06', 'Markets rally'), ...WINDOW, titleOnly('u', '2026-02-28', 'Bridge closes')]);
    const heldIds = (typed: string[], limit: number) => held.match(typed, limit).lessons.map((l) => l.id);
    // Its title: a title match like any.
    expect(heldIds(['mar'], 25)).toEqual(['t', 'a', 'c', 'e', 'b']);
    expect(held.match(['mar'], 4).full).toBe(true);
    // Title matches fill the answer: no summary match could come before them.
    expect(held.match(['market'], 2)).toMatchObject({ full: true });
    expect(heldIds(['market'], 2)).toEqual(['t', 'a']);
    // 't' is newer than the summary match shown ('b', "tickets"): its summary might hold the word.
    expect(held.match(['tick'], 1)).toMatchObject({ full: false });
    expect(heldIds(['tick'], 1)).toEqual(['b']);
    // 'u' is older than the summary matches shown: it cannot change the answer.
    const older = RecentSuggestions.build([...WINDOW, titleOnly('u', '2026-02-28', 'Bridge closes')]);
    expect(older.match(['tick'], 1)).toMatchObject({ full: true });
    expect(older.match(['mar'], 4)).toMatchObject({ full: true });
  });
});

describe('the words suggestions can match in memory', () => {
  it('built in slices, with a pause between them, answers exactly as built at once', async () => {
    let pauses = 0;
    const sliced = await RecentSuggestions.buildInSlices(WINDOW, async () => void (pauses += 1), 2);
    // Five lessons, two a slice: three slices, the work paused after each.
    expect(pauses).toBe(3);
    for (const typed of [['mar'], ['market', 'zoo'], ['z'], [], ['nothing'], ['m', 'o']]) {
      for (const limit of [1, 2, 25]) expect(sliced.match(typed, limit)).toEqual(index.match(typed, limit));
    }
    expect((await RecentSuggestions.buildInSlices([], async () => void (pauses += 1))).match([], 5)).toEqual({ lessons: [], full: false });
  });

  it('folds ASCII words and digits as the database does, and drops a one-letter word just begun', () => {
    expect(suggestionWords('Market')).toEqual(['market']);
    expect(suggestionWords('harbour ZO')).toEqual(['harbour', 'zo']);
    expect(suggestionWords('harbour z')).toEqual(['harbour']);
    expect(suggestionWords('2024 budget')).toEqual(['2024', 'budget']);
    expect(suggestionWords('   ')).toEqual([]);
  });

  it('leaves to the database what its parser may fold or split otherwise', () => {
    expect(suggestionWords('zür')).toBeUndefined();
    expect(suggestionWords('don’t')).toBeUndefined();
    expect(suggestionWords('e-mail')).toBeUndefined();
    expect(suggestionWords('covid19')).toBeUndefined();
  });
});
