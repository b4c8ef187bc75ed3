import type { Kysely } from 'kysely';
import { libraryCategories, type Member } from '../db/discovery.js';
import type { DB } from '../db/schema.js';
import { isSearchableCategory, SEARCH_PAGE_MAX, SEARCH_QUERY_MAX } from '../domain/discovery/custom-ids.js';
import { parseQueryTerms } from '../domain/discovery/text-query.js';
import { safeText } from '../domain/discord-format/index.js';
import { UserError } from '../user-error.js';
import { relatedReadings, type RelatedReadings } from './related.js';
import { searchLibrary, suggestLessons, type FoundLesson, type SearchPage } from './search.js';

export type DiscoveryService = ReturnType<typeof createDiscoveryService>;

/** Categories listed (a library has a handful: `nhk`, `easy-news`). */
const MAX_CATEGORIES = 100;

/** Related readings, search and lesson suggestions (the only caller of src/db/discovery.ts for commands). */
export function createDiscoveryService(deps: { readonly db: Kysely<DB> }) {
  const { db } = deps;

  /** What a member is told for a category the library does not have, with those it has. */
  async function noSuchCategory(wanted: string, known?: readonly string[]): Promise<string> {
    const categories = (known ?? (await libraryCategories(db, MAX_CATEGORIES))).filter(isSearchableCategory);
    const name = `There is no category \`${safeText(wanted.slice(0, 40))}\`.`;
    if (categories.length === 0) return name;
    return `${name} The library has: ${categories.slice(0, 10).map((category) => `\`${category}\``).join(', ')}${categories.length > 10 ? ', …' : ''}.`;
  }

  return {
    /** Related readings of a lesson, with this member's read marks (none without a member: the CLI). */
    related(lessonId: string, member?: Member): Promise<RelatedReadings> {
      return relatedReadings(db, lessonId, member);
    },

    /** One page of a search; a member's unusable input gets a clear, private explanation. */
    async search(query: string, category: string | undefined, page = 1): Promise<SearchPage> {
      const text = query.trim();
      if (text.length > SEARCH_QUERY_MAX) throw new UserError(`Search for at most ${SEARCH_QUERY_MAX} characters.`);
      const { phrases, words } = parseQueryTerms(text);
      if (phrases.length + words.length === 0) throw new UserError('Type some words to search for (letters or digits).');
      const wanted = category?.trim() ?? '';
      if (!Number.isInteger(page) || page < 1 || page > SEARCH_PAGE_MAX) throw new UserError('That page does not exist.');
      if (wanted && !isSearchableCategory(wanted)) throw new UserError(await noSuchCategory(wanted));
      if (wanted) {
        const categories = await libraryCategories(db, MAX_CATEGORIES);
        if (!categories.some((known) => known.toLowerCase() === wanted.toLowerCase())) throw new UserError(await noSuchCategory(wanted, categories));
      }
      return searchLibrary(db, text, { category: wanted || undefined, page });
    },

    /** Suggestions for the `category` option of `/lesson search`: the library's categories that contain what was typed. */
    async categoryChoices(typed: string): Promise<{ name: string; value: string }[]> {
      const wanted = typed.trim().toLowerCase();
      const categories = (await libraryCategories(db, MAX_CATEGORIES)).filter(isSearchableCategory);
      const starting = categories.filter((category) => category.toLowerCase().startsWith(wanted));
      const containing = categories.filter((category) => !category.toLowerCase().startsWith(wanted) && category.toLowerCase().includes(wanted));
      return [...starting, ...containing].slice(0, 25).map((category) => ({ name: category, value: category }));
    },

    /** The best `limit` lessons for a search, without Discord's limits on the text (the CLI). */
    async find(text: string, limit: number): Promise<readonly FoundLesson[]> {
      return (await searchLibrary(db, text, { pageSize: limit })).results;
    },

    /** Suggestions for a `lesson` option (autocomplete), from the words index. */
    suggestions(typed: string, limit = 25): Promise<FoundLesson[]> {
      return suggestLessons(db, typed, limit);
    },
  };
}
