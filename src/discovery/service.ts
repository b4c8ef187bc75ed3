import type { Kysely } from 'kysely';
import type { Member } from '../db/discovery.js';
import type { DB } from '../db/schema.js';
import { isSearchableCategory, SEARCH_PAGE_MAX, SEARCH_QUERY_MAX } from '../domain/discovery/custom-ids.js';
import { parseQueryTerms } from '../domain/discovery/text-query.js';
import { safeText } from '../domain/discord-format/index.js';
import { UserError } from '../user-error.js';
import { relatedReadings, type RelatedReadings } from './related.js';
import { searchLibrary, suggestLessons, type FoundLesson, type SearchPage } from './search.js';

export type DiscoveryService = ReturnType<typeof createDiscoveryService>;

/** Related readings, search and lesson suggestions (the only caller of src/db/discovery.ts for commands). */
export function createDiscoveryService(deps: { readonly db: Kysely<DB> }) {
  const { db } = deps;
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
      if (!isSearchableCategory(wanted)) throw new UserError(`There is no category \`${safeText(wanted.slice(0, 40))}\`.`);
      if (!Number.isInteger(page) || page < 1 || page > SEARCH_PAGE_MAX) throw new UserError('That page does not exist.');
      return searchLibrary(db, text, { category: wanted || undefined, page });
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
