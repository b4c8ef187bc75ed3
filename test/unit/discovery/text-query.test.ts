import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { categoryInId, decodeDiscoveryId, encodeDiscoveryId, isCategoryDigest, SEARCH_QUERY_MAX, searchPagingIds } from '../../../src/domain/discovery/custom-ids.js';
import {
  atLeastKOf,
  candidatesAmong,
  distinctHeadlines,
  expectedWithAtLeast,
  HEADLINE_CANDIDATES_AT_MOST,
  headlineCandidates,
  headlineCandidateWords,
  headlineKey,
  headlineOf,
} from '../../../src/domain/discovery/headline.js';
import { autocompleteQueryParts, autocompleteTsQuery, parseQueryTerms, searchTsQuery, termsText, tsLiteral } from '../../../src/domain/discovery/text-query.js';

describe('search queries', () => {
  it('splits phrases in quotes from single words, keeping apostrophes and hyphens inside words', () => {
    expect(parseQueryTerms('"defense chiefs" Japan-US don\'t')).toEqual({ phrases: ['defense chiefs'], words: ['Japan-US', "don't"] });
    expect(parseQueryTerms('“rice prices” up')).toEqual({ phrases: ['rice prices'], words: ['up'] });
    expect(parseQueryTerms('"single"')).toEqual({ phrases: [], words: ['single'] });
    expect(parseQueryTerms('&& | ! :* ()')).toEqual({ phrases: [], words: [] });
  });

  it('keeps numbers with dots or slashes and dotted abbreviations whole, as PostgreSQL indexes them; other dots and slashes separate words', () => {
    expect(parseQueryTerms('U.S. growth 0.5 3.5% 9/11 24/7, 12/07/2026 (e.g.)').words).toEqual(['U.S', 'growth', '0.5', '3.5', '9/11', '24/7', '12/07/2026', 'e.g']);
    expect(parseQueryTerms('"0.5 percent"')).toEqual({ phrases: ['0.5 percent'], words: [] });
    expect(searchTsQuery('U.S. 0.5')).toBe("'U.S':* & '0.5':*");
    expect(autocompleteQueryParts('rises 3.5')).toEqual({ indexed: "'rises':*", rest: "'3.5':*" });
    // Beside anything else PostgreSQL may split them into one-letter starts (é.b: 'e':* <-> 'b':*): split here, as before.
    expect(parseQueryTerms('é.b 1.a a.bc v1.2 x/é 2024. 1.5-degree').words).toEqual(['é', 'b', '1', 'a', 'a', 'bc', 'v1', '2', 'x', 'é', '2024', '1']);
    expect(parseQueryTerms('1.5-degree www.nhk.or.jp/news').words).toEqual(['1', '5-degree', 'www', 'nhk', 'or', 'jp', 'news']);
    // Names it reads as one word (a file path, a host name) are kept whole; a search takes them whole or as their parts.
    expect(parseQueryTerms('AC/DC x/y rice.prices Amazon.com. node.js').words).toEqual(['AC/DC', 'x/y', 'rice.prices', 'Amazon.com', 'node.js']);
    expect(searchTsQuery('AC/DC Amazon.com')).toBe("('AC/DC':* | 'AC' & 'DC') & ('Amazon.com':* | 'Amazon':* & 'com':*)");
    expect(searchTsQuery('9/11 U.S.')).toBe("'9/11':* & 'U.S':*");
    expect(searchTsQuery('AC/DC tour', 'any')).toBe("'AC/DC':* | 'tour':*");
    expect(searchTsQuery('HIV/AIDS', 'any')).toBe("('HIV/AIDS':* | 'HIV':* & 'AIDS':*)");
    // Autocomplete: the name, or its parts long enough to be looked up in the index (a start of two letters is in thousands of words).
    expect(autocompleteQueryParts('Israel/Gaza')).toEqual({ indexed: "('Israel/Gaza':* | 'Israel':* & 'Gaza':*)", rest: undefined });
    expect(autocompleteQueryParts('AC/DC to')).toEqual({ indexed: "'AC/DC':*", rest: "'to':*" });
    expect(parseQueryTerms('U.S.-China').words).toEqual(['U.S', 'China']);
  });

  it('every term is a quoted literal; words match as prefixes', () => {
    expect(searchTsQuery('"defense chiefs" cyber')).toBe("'defense chiefs' & 'cyber':*");
    expect(searchTsQuery("they're")).toBe("'they''re'");
    expect(searchTsQuery('cyberspace')).toBe("'cyberspace':*");
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
    // Two Han, kana or Hangul characters are a word, and rare as a start: matched as one, and counted in "some of them".
    expect(searchTsQuery('東京 지진 天')).toBe("'東京':* & '지진':* & '天'");
    expect(searchTsQuery('東京 지진 天', 'any')).toBe("'東京':* | '지진':*");
  });

  it('counts a word by its shortest part, as PostgreSQL splits it: no one-letter prefix hides behind an apostrophe, a hyphen or accents', () => {
    // PostgreSQL reads 'b''c':* as 'b':* <-> 'c':*, prefixes of one letter: such a search timed out at 100,000 lessons.
    expect(searchTsQuery("b'c d'f g'h")).toBe("'b''c' & 'd''f' & 'g''h'");
    expect(searchTsQuery("b'c d'f g'h", 'any')).toBeUndefined();
    expect(searchTsQuery('b-c d-f', 'any')).toBeUndefined();
    expect(searchTsQuery('b\u0308\u0308 c\u0308\u0308', 'any')).toBeUndefined();
    expect(searchTsQuery('b\u0308\u0308')).toBe("'b\u0308\u0308'");
    // Parts of three letters or more still match as prefixes.
    expect(searchTsQuery('well-known')).toBe("'well-known':*");
    expect(searchTsQuery("o'neill shop", 'any')).toBe("'shop':*");
    expect(autocompleteQueryParts("b'c tariff")).toEqual({ indexed: "'tariff':*", rest: "'b':* & 'c':*" });
  });

  it('autocomplete takes a word joined by hyphens or apostrophes as its parts, as PostgreSQL indexes them; a one-character part goes to the index whole', () => {
    expect(autocompleteQueryParts('t-shirt')).toEqual({ indexed: "'shirt':*", rest: "'t':*" });
    expect(autocompleteQueryParts("o'clo")).toEqual({ indexed: "'clo':*", rest: "'o':*" });
    // Up to three parts of two characters or more: one term, as PostgreSQL reads the word (every part in the index).
    expect(autocompleteQueryParts('well-kn')).toEqual({ indexed: "'well-kn':*", rest: undefined });
    expect(autocompleteQueryParts('covid-19')).toEqual({ indexed: "'covid-19':*", rest: undefined });
    expect(autocompleteQueryParts('covid-1 ca')).toEqual({ indexed: "'covid-1':*", rest: "'ca':*" });
    // More parts, or a part of one letter: the parts. Digits after a hyphen are a signed number to PostgreSQL.
    expect(autocompleteQueryParts('ma-ni-de-lu')).toEqual({ indexed: "'ma':*", rest: "'ni':* & 'de':* & 'lu':*" });
    expect(autocompleteQueryParts('F-35')).toEqual({ indexed: "'-35':*", rest: "'F':*" });
    // Nothing longer than one character: the first is looked up whole, and checked as a start with the others.
    expect(autocompleteQueryParts('t-s')).toEqual({ indexed: "'t'", rest: "'t':* & 's':*" });
    expect(autocompleteQueryParts('m-d-n-s')).toEqual({ indexed: "'m'", rest: "'m':* & 'd':* & 'n':* & 's':*" });
    expect(autocompleteQueryParts('m’d’n’s')).toEqual({ indexed: "'m'", rest: "'m':* & 'd':* & 'n':* & 's':*" });
    // A word of one character, not joined, is a start as it always was ("rises 3 ": '3' finds '3.5').
    expect(autocompleteQueryParts('rises 3 ')).toEqual({ indexed: "'rises':*", rest: "'3':*" });
  });

  it('never lets typed text out of its quotes', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        const query = searchTsQuery(text);
        if (query === undefined) return;
        // Outside quoted literals only our own operators appear.
        const outside = query.replace(/'(?:[^'\\]|''|\\.)*'/gu, 'X');
        // A name written with slashes or dots: (itself | its parts).
        const term = String.raw`(?:X(?::\*)?|\(X(?::\*)? \| X(?::\*)?(?: & X(?::\*)?)*\))`;
        expect(outside).toMatch(new RegExp(`^${term}(?: & ${term})*$`, 'u'));
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
    // One headline spelt two ways by the app: a full stop, quotes around it, curly quotes, spaces.
    expect(distinctHeadlines(['Rice prices rise.', 'Rice prices rise', '“Rice prices rise”', ' rice  prices rise!'])).toEqual(['Rice prices rise.']);
    expect(distinctHeadlines(['Japan’s rice', "Japan's rice", 'Japans rice'])).toEqual(['Japan’s rice', 'Japans rice']);
    expect(headlineKey('“It’s here…”')).toBe("it's here");
  });

  it('candidates need two of the five rarest words (one for a one-word headline)', () => {
    const rare = (...lexemes: string[]) => lexemes.map((lexeme) => ({ lexeme, docs: 3 }));
    expect(headlineCandidates(rare('x'), 10_000)).toBe("'x'");
    expect(headlineCandidates(rare('a', 'b', 'c'), 10_000)).toBe("('a' & 'b') | ('a' & 'c') | ('b' & 'c')");
    expect(headlineCandidates(rare('a', 'b', 'c', 'd', 'e', 'f', 'g'), 10_000)?.split(' | ')).toHaveLength(10);
    expect(headlineCandidates([], 10_000)).toBeUndefined();
    // Words no lesson was counted with (a library written without an import's counts): two of them, as ever.
    expect(headlineCandidateWords(rare('a', 'b', 'c').map((word) => ({ ...word, docs: 0 })), 0)).toEqual({ words: ['a', 'b', 'c'], need: 2 });
    expect(atLeastKOf(["o'neil", 'b'], 2)).toBe("('o''neil' & 'b')");
  });

  it('headlines of common words need more of them, as many as keep the expected candidates bounded', () => {
    const words = (share: number, library: number) =>
      ['a', 'b', 'c', 'd', 'e'].map((lexeme) => ({ lexeme, docs: Math.round(share * library) }));
    // Each word in 10 % of 6,000 lessons: two of five are in ~8 % of them (~490), three in ~0.9 % (~51).
    expect(headlineCandidateWords(words(0.1, 6_000), 6_000)?.need).toBe(3);
    // …of 100,000: three would find ~860, four ~45.
    expect(headlineCandidateWords(words(0.1, 100_000), 100_000)?.need).toBe(4);
    // Rare words (30 lessons each of 100,000): two, as for any real headline.
    expect(headlineCandidateWords(words(0.0003, 100_000), 100_000)?.need).toBe(2);
    // Words in every lesson of a small library: all five, never more than there are.
    expect(headlineCandidateWords(words(1, 200), 200)?.need).toBe(5);
    expect(headlineCandidateWords(words(1, 200).slice(0, 3), 200)).toEqual({ words: ['a', 'b', 'c'], need: 3 });
    expect(headlineCandidates(words(1, 200).slice(0, 3), 200)).toBe("('a' & 'b' & 'c')");
  });

  it('a headline whose words are all in more lessons than HEADLINE_CANDIDATES_AT_MOST names none of them', () => {
    const words = (share: number, library: number, count = 5) =>
      ['a', 'b', 'c', 'd', 'e'].slice(0, count).map((lexeme) => ({ lexeme, docs: Math.round(share * library) }));
    // Lessons that share one summary: every word in every lesson, so all five would find the whole library.
    expect(headlineCandidateWords(words(1, HEADLINE_CANDIDATES_AT_MOST), HEADLINE_CANDIDATES_AT_MOST)?.need).toBe(5);
    expect(headlineCandidateWords(words(1, HEADLINE_CANDIDATES_AT_MOST + 1), HEADLINE_CANDIDATES_AT_MOST + 1)).toBeUndefined();
    expect(headlineCandidates(words(1, 2_000), 2_000)).toBeUndefined();
    // One word in half of 100,000 lessons ("Japan" in a Japanese news library): too common to name one.
    expect(headlineCandidateWords(words(0.5, 100_000, 1), 100_000)).toBeUndefined();
    // Common words, but five of them together are in ~45 of 100,000 lessons (above): still matched.
    expect(headlineCandidateWords(words(0.1, 100_000), 100_000)?.need).toBe(4);
    // Words no lesson was counted with are never too common (their share is unknown: zero).
    expect(headlineCandidateWords(words(0, 100_000), 100_000)?.need).toBe(2);
  });

  it('the expected share with at least k of independent words is the Poisson-binomial tail', () => {
    expect(expectedWithAtLeast([0.5, 0.5], 1)).toBeCloseTo(0.75, 12);
    expect(expectedWithAtLeast([0.5, 0.5], 2)).toBeCloseTo(0.25, 12);
    expect(expectedWithAtLeast([0.1, 0.2, 0.3], 2)).toBeCloseTo(0.1 * 0.2 * 0.7 + 0.1 * 0.8 * 0.3 + 0.9 * 0.2 * 0.3 + 0.1 * 0.2 * 0.3, 12);
    expect(expectedWithAtLeast([0.3, 0.7], 0)).toBeCloseTo(1, 12);
    expect(expectedWithAtLeast([0.3, 0.7], 3)).toBe(0);
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }), fc.nat(7), (shares, k) => {
        const tail = expectedWithAtLeast(shares, k);
        expect(tail).toBeGreaterThanOrEqual(-1e-12);
        expect(tail).toBeLessThanOrEqual(1 + 1e-12);
        expect(expectedWithAtLeast(shares, k + 1)).toBeLessThanOrEqual(tail + 1e-12);
      }),
    );
  });

  it('the candidates found from the words are the lessons the candidates’ tsquery matches', () => {
    // The tsquery's clauses as word sets ("('a' & 'b') | …"; these words need no escaping).
    const clauses = (query: string) => query.split(' | ').map((clause) => clause.replace(/[()']/gu, '').split(' & '));
    const word = fc.constantFrom<string>('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h');
    const counted = fc.uniqueArray(fc.record({ lexeme: word, docs: fc.nat(60) }), { maxLength: 8, selector: (w) => w.lexeme });
    fc.assert(
      fc.property(counted, fc.nat(60), fc.array(fc.uniqueArray(word, { maxLength: 8 }), { maxLength: 6 }), (headline, library, lessons) => {
        const query = headlineCandidates(headline, library);
        const wanted = headlineCandidateWords(headline, library);
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

  it('carry a plain category as it is and any other as a digest, within 100 characters with the longest query', () => {
    expect(categoryInId('easy-news')).toBe('easy-news');
    const long = 'World News / Asia: a category of far more than twenty characters'.padEnd(100, '…');
    const carried = categoryInId(long);
    expect(isCategoryDigest(carried)).toBe(true);
    expect(categoryInId(long.toUpperCase())).toBe(carried);
    expect(categoryInId('World News')).not.toBe(categoryInId('World  News'));
    const button = { action: 'search' as const, page: 999, category: carried, query: 'q:'.repeat(SEARCH_QUERY_MAX / 2) };
    expect(encodeDiscoveryId(button).length).toBeLessThanOrEqual(100);
    expect(decodeDiscoveryId(encodeDiscoveryId(button))).toEqual(button);
    expect(() => encodeDiscoveryId({ ...button, category: long })).toThrow(RangeError);
  });

  it('page a search as typed when it fits, else by its words, else not at all', () => {
    const ids = (query: string) => searchPagingIds({ category: 'nhk', query, terms: termsText(query) }, [1, 2]);
    expect(ids('rice "price rises"')).toEqual(['l:s:1:nhk:rice "price rises"', 'l:s:2:nhk:rice "price rises"']);
    // 45 emoji and a word: 46 characters for Discord, 95 UTF-16 units: too long for an id as typed.
    expect(ids(`${'😀'.repeat(45)} rice`)).toEqual(['l:s:1:nhk:rice', 'l:s:2:nhk:rice']);
    // 70 astral letters are words too: nothing short enough to carry.
    expect(ids('𝕏'.repeat(70))).toBeNull();
  });

  it('refuses ids it did not make', () => {
    for (const id of ['l:o:add8c4f2-5778-47a5-bd18-2492841fbc6e', 'l:s:0:x:q', 'l:s:1:x:', 'l:s:1:bad cat:q', 'l:d:add8c4f2-5778-47a5-bd18-2492841fbc6e', 'x:o:1', `l:s:1::${'q'.repeat(80)}`]) {
      expect(decodeDiscoveryId(id)).toBeNull();
    }
  });
});
