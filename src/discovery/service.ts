import type { Kysely } from 'kysely';
import { categoriesContaining, categoriesNamed, libraryCategories } from '../db/lesson-search.js';
import { lessonsReadByMember, type Member } from '../db/related-readings.js';
import type { DB } from '../db/schema.js';
import { categoryDigest, isCategoryDigest, SEARCH_PAGE_MAX, SEARCH_QUERY_MAX } from '../domain/discovery/custom-ids.js';
import { parseQueryTerms } from '../domain/discovery/text-query.js';
import { neutralizeMentions, plainText, safeText } from '../domain/discord-format/index.js';
import { AUTOCOMPLETE_CHOICES_MAX, CHOICE_NAME_MAX, CHOICE_VALUE_MAX } from '../domain/discord-format/limits.js';
import { hasControlCharacter, isInvisible, truncateAtWord } from '../domain/text.js';
import type { LibraryCache } from '../lessons/library-cache.js';
import { UserError } from '../user-error.js';
import { relatedReadings, type RelatedReadings } from './related.js';
import { searchLibrary, suggestLessons, type FoundLesson, type SearchPage } from './search.js';

export type DiscoveryService = ReturnType<typeof createDiscoveryService>;

/** Categories read for a list or for suggestions (a library has a handful, `nhk`, `easy-news`, or thousands). */
const MAX_CATEGORIES = 100;

/** Related readings, search and lesson suggestions (for commands, the only caller of src/db/lesson-search.ts and src/db/related-readings.ts). */
export function createDiscoveryService(deps: {
  readonly db: Kysely<DB>;
  readonly cache?: LibraryCache | undefined;
  /** True while queries queue for a database connection: category suggestions then skip the database (main.ts). */
  readonly databaseBusy?: (() => boolean) | undefined;
}) {
  const { db } = deps;
  // A lesson's related readings are the library's (its stored similar readings, then lessons by content:
  // three statements, the heaviest a command runs): cached per lesson, emptied by any change to the library.
  // Only the asking member's read marks are looked up every time.
  const relatedByLesson = deps.cache?.area<RelatedReadings>(['library']);

  /**
   * What a member is told for a category the library does not have, with those it has: each name cut to
   * SHOWN_CATEGORY_MAX characters, so ten of them fit a message's 2,000 whatever they hold (escaped, a name may double).
   */
  async function noSuchCategory(wanted: string): Promise<string> {
    const categories = (await libraryCategories(db, MAX_CATEGORIES)).filter((category) => !isInvisible(category));
    const name = `There is no category ${shownCategory(wanted)}.`;
    if (categories.length === 0) return name;
    return `${name} The library has: ${categories.slice(0, 10).map(shownCategory).join(', ')}${categories.length > 10 ? ', …' : ''}.`;
  }

  /** One page of a search; a member's unusable input gets a clear, private explanation. */
  async function search(query: string, category: string | undefined, page = 1): Promise<SearchPage> {
    const text = query.trim();
    // Characters as Discord counts them (the option's max_length): an emoji is one.
    if ([...text].length > SEARCH_QUERY_MAX) throw new UserError(`Search for at most ${SEARCH_QUERY_MAX} characters.`);
    const { phrases, words } = parseQueryTerms(text);
    if (phrases.length + words.length === 0) throw new UserError(NOTHING_TO_SEARCH);
    const wanted = category?.trim() ?? '';
    if (!Number.isInteger(page) || page < 1 || page > SEARCH_PAGE_MAX) throw new UserError('That page does not exist.');
    // Every category of the library, not its first MAX_CATEGORIES (until 2026-12-07 one past them was refused).
    if (wanted && (await categoriesNamed(db, wanted)).length === 0) throw new UserError(await noSuchCategory(wanted));
    const found = await searchLibrary(db, text, { category: wanted || undefined, page });
    // Signs PostgreSQL reads no word in (`½`, `①`) are told as punctuation and emoji are above, not "no lesson matches".
    if (found.nothingSearchable) throw new UserError(NOTHING_TO_SEARCH);
    return found;
  }

  return {
    /** Related readings of a lesson, with this member's read marks (none without a member: the CLI). */
    async related(lessonId: string, member?: Member): Promise<RelatedReadings> {
      if (!relatedByLesson) return relatedReadings(db, lessonId, member);
      let computed: RelatedReadings | undefined;
      const cached = await relatedByLesson.get(lessonId.toLowerCase(), async () => (computed = await relatedReadings(db, lessonId, member)));
      // Just computed: with this member's marks already. From the cache: another member's, looked up afresh.
      if (computed) return computed;
      const read = member ? await lessonsReadByMember(db, member, cached.lessons.map((lesson) => lesson.id)) : new Set<string>();
      return { ...cached, lessons: cached.lessons.map((lesson) => ({ ...lesson, read: read.has(lesson.id) })) };
    },

    search,

    /**
     * A page of a search from its paging button, whose id carries the category as categoryInId gives it: a
     * digest is looked up among the library's categories (gone since: the member is told to search again).
     */
    async searchPage(query: string, carriedCategory: string, page: number): Promise<SearchPage> {
      if (!isCategoryDigest(carriedCategory)) return search(query, carriedCategory || undefined, page);
      const category = (await libraryCategories(db)).find((known) => categoryDigest(known) === carriedCategory);
      if (category === undefined) throw new UserError('That search’s category is no longer in the library. Search again with `/lesson search`.');
      return search(query, category, page);
    },

    /** Suggestions for the `category` option of `/lesson search`: the library's categories that contain what was typed. */
    async categoryChoices(typed: string): Promise<{ name: string; value: string }[]> {
      // Under a backlog none are suggested (Discord shows none and the member types on), as for lesson suggestions:
      // an autocomplete answer cannot be deferred past Discord's 3 seconds.
      if (deps.databaseBusy?.()) return [];
      const wanted = typed.trim();
      // No category a choice can offer holds it (a choice's value is at most 100 characters; a category, no control character).
      if (wanted.length > CHOICE_VALUE_MAX || hasControlCharacter(wanted)) return [];
      // Those starting with it first. A category that shows nothing (stored before the parsers refused one) cannot be
      // a choice: Discord wants a name. A choice's name and value are at most 100 characters (a category is at most
      // 100, but an older one may be longer). Each is rare: the first MAX_CATEGORIES matches leave enough.
      return (await categoriesContaining(db, wanted, MAX_CATEGORIES))
        .filter((category) => !isInvisible(plainText(category)) && category.length <= CHOICE_VALUE_MAX)
        .slice(0, AUTOCOMPLETE_CHOICES_MAX)
        // The name shown has its mentions broken, as a lesson suggestion's; the value is the category as stored.
        .map((category) => ({ name: truncateAtWord(neutralizeMentions(plainText(category)), CHOICE_NAME_MAX), value: category }));
    },

    /**
     * The best `limit` lessons for a search, without Discord's limits on the text (the CLI), and whether nothing
     * was found because every word is too common to be searched, or because it holds no word at all.
     */
    async find(
      text: string,
      limit: number,
    ): Promise<{ readonly results: readonly FoundLesson[]; readonly onlyCommonWords: boolean; readonly nothingSearchable: boolean }> {
      const page = await searchLibrary(db, text, { pageSize: limit });
      return { results: page.results, onlyCommonWords: page.onlyCommonWords === true, nothingSearchable: page.nothingSearchable === true };
    },

    /** Suggestions for a `lesson` option (autocomplete), from the words index. */
    suggestions(typed: string, limit = 25): Promise<FoundLesson[]> {
      return suggestLessons(db, typed, limit);
    },
  };
}

/** Told to a member whose search holds no word: only punctuation, emoji or signs (`!!!`, `🎉`, `""`, `½`). */
export const NOTHING_TO_SEARCH = 'Type some words to search for (letters or digits).';

/** Characters of a category a message shows (cut at a word, never in the middle of a character). */
const SHOWN_CATEGORY_MAX = 60;

/** A category as a message shows it: in a code span (shown as typed) unless a backtick would end it, else escaped. */
function shownCategory(category: string): string {
  const cut = truncateAtWord(category, SHOWN_CATEGORY_MAX);
  return cut.includes('`') ? safeText(cut) : `\`${plainText(cut)}\``;
}
