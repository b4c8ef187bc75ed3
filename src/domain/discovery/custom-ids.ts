import { createHash } from 'node:crypto';
import { CUSTOM_ID_MAX } from '../discord-format/limits.js';

/**
 * Search paging, under the lesson module's prefix `l` (action code `s`, used by no other lesson button):
 * `l:s:<page>:<category>:<query>` shows that page of a search. The query is the rest of the id (it may
 * contain `:`), so the search needs no state on the bot's side and its pages work after restarts. The category
 * is carried as categoryInId gives it (itself, or a digest of it).
 * (Related readings and search results open cards with catch-up's `l:o:<uuid>`, progress/catchup-ids.ts.)
 */
export type DiscoveryButton = {
  readonly action: 'search';
  readonly page: number;
  /** As categoryInId carries it ('' for none): the category itself, or `~` and its digest. */
  readonly category: string;
  readonly query: string;
};

/** Limits on the `/lesson search` options so that every page's custom id fits Discord's 100 characters. */
export const SEARCH_QUERY_MAX = 70;
export const SEARCH_CATEGORY_MAX = 20;
export const SEARCH_PAGE_MAX = 999;
const CATEGORY = /^[\p{L}\p{N}_.-]*$/u;

/** A category short and plain enough to ride in a paging id as it is. */
export function isSearchableCategory(category: string): boolean {
  return category.length <= SEARCH_CATEGORY_MAX && CATEGORY.test(category);
}

const DIGEST = /^~[A-Za-z0-9_-]{10}$/u;

/**
 * A category as a search's paging ids carry it: itself when short and plain (every id made before 2026-12-07
 * carried one of these), else `~` and a digest of it in lower case (a category may be 100 characters of
 * anything: `World News / Asia`), which the next page looks up among the library's categories.
 */
export function categoryInId(category: string): string {
  return isSearchableCategory(category) ? category : categoryDigest(category);
}

/** `~` and 10 characters of the SHA-256 of the category in lower case (categories compare without case). */
export function categoryDigest(category: string): string {
  return `~${createHash('sha256').update(category.toLowerCase()).digest('base64url').slice(0, 10)}`;
}

export function isCategoryDigest(carried: string): boolean {
  return DIGEST.test(carried);
}

const isCarriedCategory = (carried: string) => isSearchableCategory(carried) || isCategoryDigest(carried);

/** Characters as Discord counts them (code points): the `query` option's max_length is 70 of these. */
const characters = (text: string) => [...text].length;

/**
 * The paging ids of a search page, or null when they cannot carry its query: Discord counts a query's 70 characters in
 * code points, the id's 100 here in UTF-16 units (never fewer than Discord's), so a query of emoji or other astral
 * characters may not fit as typed. It is then carried as its terms (`terms`: its words and "phrases", what the search
 * uses of it), and without paging when even those do not fit.
 */
export function searchPagingIds(search: { readonly category: string; readonly query: string; readonly terms: string }, pages: readonly number[]): string[] | null {
  for (const query of [search.query, search.terms]) {
    const ids = pages.map((page) => searchId(page, search.category, query));
    if (query.length > 0 && characters(query) <= SEARCH_QUERY_MAX && ids.every((id) => id.length <= CUSTOM_ID_MAX)) {
      return pages.map((page) => encodeDiscoveryId({ action: 'search', page, category: search.category, query }));
    }
  }
  return null;
}

const searchId = (page: number, category: string, query: string) => `l:s:${page}:${category}:${query}`;

export function encodeDiscoveryId(button: DiscoveryButton): string {
  if (!Number.isInteger(button.page) || button.page < 1 || button.page > SEARCH_PAGE_MAX) throw new RangeError(`bad page ${button.page}`);
  if (!isCarriedCategory(button.category)) throw new RangeError(`bad category "${button.category}"`);
  if (button.query.length === 0 || characters(button.query) > SEARCH_QUERY_MAX) throw new RangeError('bad query length');
  const id = searchId(button.page, button.category, button.query);
  if (id.length > CUSTOM_ID_MAX) throw new RangeError(`custom_id too long: ${id.length}`);
  return id;
}

/** The button a custom id stands for, or null for anything encodeDiscoveryId did not produce. */
export function decodeDiscoveryId(id: string): DiscoveryButton | null {
  if (typeof id !== 'string' || id.length > CUSTOM_ID_MAX) return null;
  const search = /^l:s:([1-9][0-9]{0,2}):([^:]*):(.+)$/su.exec(id);
  if (!search) return null;
  const [, page, category, query] = search as unknown as [string, string, string, string];
  if (!isCarriedCategory(category) || characters(query) > SEARCH_QUERY_MAX) return null;
  return { action: 'search', page: Number(page), category, query };
}
