import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeDiscoveryId, encodeDiscoveryId, SEARCH_QUERY_MAX } from '../../../src/domain/discovery/custom-ids.js';
import { atLeastKOf, candidatesAmong, distinctHeadlines, headlineCandidates, headlineCandidateWords, headlineOf } from '../../../src/domain/discovery/headline.js';
import { autocompleteQueryParts, autocompleteTsQuery, parseQueryTerms, searchTsQuery, tsLiteral } from '../../../src/domain/discovery/text-query.js';

describe('search queries', () => {
  it('splits phrases in quotes from single words, keeping apostrophes and hyphens inside words', () => {
    expect(parseQueryTerms('"defense chiefs" Japan-US don\'t')).toEqual({ phrases: ['defense chiefs'], words: ['Japan-US', "don't"] });
    expect(parseQueryTerms('“rice prices” up')).toEqual({ phrases: ['rice prices'], words: ['up'] });
    expect(parseQueryTerms('"single"')).toEqual({ phrases: [], words: ['single'] });
    expect(parseQueryTerms('&& | ! :* ()')).toEqual({ phrases: [], words: [] });
  });

  it('every term is a quoted literal; words match as prefixes', () => {
    expect(searchTsQuery('"defense chiefs" cyber')).toBe("'defense chiefs' & 'cyber':*");
    expect(searchTsQuery("it's")).toBe("'it''s':*");
    expect(tsLiteral('a\\b')).toBe("'a\\\\b'");
    expect(searchTsQuery('  ')).toBeUndefined();
  });

  it('a word of one or two letters matches whole words; in "some of them" it is left out', () => {
    expect(searchTsQuery('EU tariffs')).toBe("'EU' & 'tariffs':*");
    expect(searchTsQuery('EU tariffs', 'any')).toBe("'tariffs':*");
    expect(searchTsQuery('"in the" b c', 'any')).toBe("'in the'");
    // Nothing but short words: no "some of them" at all (every word must match, each a whole word).
    expect(searchTsQuery('b c d', 'all')).toBe("'b' & 'c' & 'd'");
    expect(searchTsQuery('b c d', 'any')).toBeUndefined();
    expect(searchTsQuery('ai')).toBe("'ai'");
    expect(searchTsQuery('moo')).toBe("'moo':*");
  });

  it('never lets typed text out of its quotes', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        const query = searchTsQuery(text);
        if (query === undefined) return;
        // Outside quoted literals only our own operators appear.
        const outside = query.replace(/'(?:[^'\\]|''|\\.)*'/gu, 'X');
        expect(outside).toMatch(/^X(?::\*)?(?: & X(?::\*)?)*$/u);
      }),
    );
  });

  it('autocomplete looks up words of 4+ characters in the index and checks shorter ones on what it finds', () => {
    expect(autocompleteQueryParts('ka')).toEqual({ indexed: "'ka':*", rest: undefined });
    expect(autocompleteQueryParts('tariff ja')).toEqual({ indexed: "'tariff':*", rest: "'ja':*" });
    expect(autocompleteQueryParts('rice japan')).toEqual({ indexed: "'rice':* & 'japan':*", rest: undefined });
    // Without a word of 4 characters, the longest one.
    expect(autocompleteQueryParts('us ban on')).toEqual({ indexed: "'ban':*", rest: "'us':* & 'on':*" });
    expect(autocompleteQueryParts('rice p')).toEqual({ indexed: "'rice':*", rest: undefined });
    expect(autocompleteQueryParts(' ')).toBeUndefined();
  });

  it('autocomplete leaves out a one-letter word still being typed', () => {
    expect(autocompleteTsQuery('rice p')).toBe("'rice':*");
    expect(autocompleteTsQuery('rice pr')).toBe("'rice':* & 'pr':*");
    expect(autocompleteTsQuery('a')).toBeUndefined();
  });
});

describe('similar-reading headlines', () => {
  it('drops the reading app’s "Summary:" prefix and repeats', () => {
    expect(headlineOf('Summary: Japan, US agree')).toBe('Japan, US agree');
    expect(headlineOf('  summary :Japan')).toBe('Japan');
    expect(distinctHeadlines(['A b', 'Summary: a B', 'C'])).toEqual(['A b', 'C']);
  });

  it('candidates need two of the five rarest words (one for a one-word headline)', () => {
    expect(headlineCandidates(['x'])).toBe("'x'");
    expect(headlineCandidates(['a', 'b', 'c'])).toBe("('a' & 'b') | ('a' & 'c') | ('b' & 'c')");
    expect(headlineCandidates(['a', 'b', 'c', 'd', 'e', 'f', 'g'])?.split(' | ')).toHaveLength(10);
    expect(headlineCandidates([])).toBeUndefined();
    expect(atLeastKOf(["o'neil", 'b'], 2)).toBe("('o''neil' & 'b')");
  });

  it('the candidates found from the words are the lessons the candidates’ tsquery matches', () => {
    // The tsquery's clauses as word sets ("('a' & 'b') | …"; these words need no escaping).
    const clauses = (query: string) => query.split(' | ').map((clause) => clause.replace(/[()']/gu, '').split(' & '));
    const word = fc.constantFrom<string>('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h');
    fc.assert(
      fc.property(fc.uniqueArray(word, { maxLength: 8 }), fc.array(fc.uniqueArray(word, { maxLength: 8 }), { maxLength: 6 }), (headline, lessons) => {
        const query = headlineCandidates(headline);
        const wanted = headlineCandidateWords(headline);
        expect(wanted === undefined).toBe(query === undefined);
        if (!query || !wanted) return;
        const lessonsByWord = new Map<string, string[]>();
        lessons.forEach((words, index) => {
          for (const w of words) lessonsByWord.set(w, [...(lessonsByWord.get(w) ?? []), `lesson-${index}`]);
        });
        const matched = lessons.flatMap((words, index) => (clauses(query).some((clause) => clause.every((w) => words.includes(w))) ? [`lesson-${index}`] : []));
        expect(candidatesAmong(lessonsByWord, wanted).sort()).toEqual(matched.sort());
      }),
    );
  });
});

describe('discovery buttons', () => {
  it('round-trip within Discord’s 100 characters, queries with colons included', () => {
    const longest = { action: 'search' as const, page: 999, category: 'c'.repeat(20), query: 'q:'.repeat(SEARCH_QUERY_MAX / 2) };
    expect(encodeDiscoveryId(longest).length).toBeLessThanOrEqual(100);
    expect(decodeDiscoveryId(encodeDiscoveryId(longest))).toEqual(longest);
    expect(() => encodeDiscoveryId({ ...longest, query: 'q'.repeat(SEARCH_QUERY_MAX + 1) })).toThrow(RangeError);
  });

  it('refuses ids it did not make', () => {
    for (const id of ['l:o:add8c4f2-5778-47a5-bd18-2492841fbc6e', 'l:s:0:x:q', 'l:s:1:x:', 'l:s:1:bad cat:q', 'l:d:add8c4f2-5778-47a5-bd18-2492841fbc6e', 'x:o:1', `l:s:1::${'q'.repeat(80)}`]) {
      expect(decodeDiscoveryId(id)).toBeNull();
    }
  });
});
