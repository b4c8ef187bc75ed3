/**
 * Turning what a member typed into PostgreSQL `to_tsquery` text. Every term is passed as a quoted
 * literal, so no character the member types can change the query's operators; PostgreSQL's own parser
 * then splits, folds accents and stems each literal with the configuration the query names.
 */

/** At most this many terms reach the database: a query is a few words, not a paragraph. */
export const MAX_QUERY_TERMS = 12;

export interface QueryTerms {
  /** Quoted phrases: their words must appear next to each other, in order. */
  readonly phrases: readonly string[];
  /** Single words, matched as prefixes ("cyber" finds "cyberattack"). */
  readonly words: readonly string[];
}

const PHRASE = /["“”„«»]([^"“”„«»]*)["“”„«»]?/gu;
const HAS_WORD_CHARACTER = /[\p{L}\p{N}]/u;

/** Splits a search into quoted phrases and single words, dropping anything with no letter or digit. */
export function parseQueryTerms(text: string): QueryTerms {
  const phrases: string[] = [];
  const rest = text.replace(PHRASE, (_match, phrase: string) => {
    const words = splitWords(phrase);
    if (words.length > 1) phrases.push(words.join(' '));
    else if (words.length === 1) return ` ${words[0]} `;
    return ' ';
  });
  const words = splitWords(rest);
  const phraseCount = Math.min(phrases.length, MAX_QUERY_TERMS);
  return { phrases: phrases.slice(0, phraseCount), words: words.slice(0, MAX_QUERY_TERMS - phraseCount) };
}

/** A search's terms as text a search reads the same (phrases quoted, then words): what its paging carries when the typed text is too long for it. */
export function termsText(text: string): string {
  const { phrases, words } = parseQueryTerms(text);
  return [...phrases.map((phrase) => `"${phrase}"`), ...words].join(' ');
}

function splitWords(text: string): string[] {
  // Punctuation between words separates them, but apostrophes and hyphens inside a word stay ("don't"), and so do the
  // dots and slashes of the words WHOLE_WITH_DOTS keeps.
  return text
    .replace(WHOLE_WITH_DOTS, (_match, kept: string | undefined) => kept ?? ' ')
    .split(/[^\p{L}\p{N}\p{M}'’./-]+/u)
    .map((word) => word.replace(/^['’-]+|['’-]+$/gu, ''))
    .filter((word) => HAS_WORD_CHARACTER.test(word));
}

/**
 * Numbers with dots or slashes (`0.5`, `3.5%`, `9/11`, `24/7`), abbreviations of single letters and dots (`U.S.`,
 * `e.g.`), and names PostgreSQL's parser reads as one word (JOINED_NAME: `AC/DC`, `HIV/AIDS`, `km/h`, `Amazon.com`),
 * kept whole: the parser indexes each as one word ('0.5', '9/11', 'u.s', 'ac/dc', 'amazon.com'), so split at its dots
 * or slashes (`'0' & '5'`, `'ac' & 'dc'`) a search for it found no lesson, nor did a lesson's whole title typed with
 * one. Only these, standing alone: beside other characters a dot or slash may make the parser split the literal into
 * one-letter starts (`é.b`: 'e':* <-> 'b':*, which match most words). Any other dot or slash (and a trailing one)
 * separates words.
 */
const WHOLE_WITH_DOTS =
  /(?<![\p{L}\p{N}\p{M}'’./-])([0-9]+(?:\.[0-9]+)+|[A-Za-z0-9]+(?:\/[A-Za-z0-9]+)+|[A-Za-z](?:\.[A-Za-z])+|(?:[A-Za-z0-9]{2,}\.)+[A-Za-z]{2,})(?![\p{L}\p{N}\p{M}'’-]|[./][\p{L}\p{N}\p{M}])|[./]/gu;

/**
 * ASCII letters and digits joined by slashes (a file path to the parser), or parts of two or more joined by dots and
 * ending in letters (a host name): PostgreSQL's parser reads each as one word (checked on thousands of them,
 * test/db/search.test.ts). A search also takes its parts (searchTerms), as it did:
 * `Israel/Gaza` still finds a lesson with "Israel" and "Gaza".
 */
const JOINED_NAME = /^(?![0-9/]+$)(?:[A-Za-z0-9]+(?:\/[A-Za-z0-9]+)+|(?:[A-Za-z0-9]{2,}\.)+[A-Za-z]{2,})$/u;

/** A `to_tsquery` literal: single quotes and backslashes doubled. */
export function tsLiteral(term: string): string {
  return `'${term.replace(/\\/gu, '\\\\').replace(/'/gu, "''")}'`;
}

/**
 * Words shorter than this are left out of a search's "some of them": as a prefix ("b", "co") each is in most of
 * a library, so alone it says nothing of what a lesson is about, and a dozen of them made PostgreSQL rank nearly
 * every lesson (0.5–0.7 s a page at 100,000 lessons, a connection held meanwhile). They still count where every
 * word must match.
 */
export const ANY_MATCH_MIN_WORD_LENGTH = 3;

/**
 * Search (`/lesson search`, the CLI): every phrase and every word must match (`any`: at least one of them,
 * words shorter than ANY_MATCH_MIN_WORD_LENGTH left out); words match as prefixes. Returns undefined when
 * nothing searchable was typed (for `any`: nothing but short words).
 */
export function searchTsQuery(text: string, match: 'all' | 'any' = 'all'): string | undefined {
  const parts = match === 'all' ? searchTerms(text) : searchTerms(text, ANY_MATCH_MIN_WORD_LENGTH);
  return parts.length > 0 ? parts.join(match === 'all' ? ' & ' : ' | ') : undefined;
}

/** How many terms (phrases and words) a search has. */
export function searchTermCount(text: string): number {
  return searchTerms(text).length;
}

function searchTerms(text: string, minWordLength = 1): string[] {
  const { phrases, words } = parseQueryTerms(text);
  const kept = words.filter((word) => searchLength(word) >= minWordLength);
  const term = (word: string) => (searchLength(word) >= PREFIX_MIN_WORD_LENGTH ? prefixTerm(word) : tsLiteral(word));
  // A joined name: as the index holds it, or its parts (each a word as above, short ones left out of "some of them").
  const joined = (word: string) => {
    const parts = word.split(/[./]/u).filter((part) => searchLength(part) >= minWordLength);
    return parts.length > 0 ? `(${term(word)} | ${parts.map(term).join(' & ')})` : term(word);
  };
  return [...phrases.map(tsLiteral), ...kept.map((word) => (JOINED_NAME.test(word) ? joined(word) : term(word)))];
}

/**
 * Words this long or longer match as the start of a word (`cyber` finds "cyberattacks"); shorter ones (`EU`,
 * `AI`) match whole words. As a prefix, one or two letters are in most of a library: a search of a dozen of them
 * ("b c d …") made the index merge nearly every lesson's entries (0.35 s at 100,000 lessons).
 */
export const PREFIX_MIN_WORD_LENGTH = 3;

/**
 * Autocomplete: words of the title or summary, in any order, each typed word a prefix. A one-letter
 * last word (the member just started it) is left out: it would match nearly every lesson.
 */
export function autocompleteTsQuery(text: string): string | undefined {
  const terms = autocompleteTerms(autocompleteWords(text));
  return terms.length > 0 ? terms.map(termText).join(' & ') : undefined;
}

/**
 * The autocomplete query in two parts: the words the index looks up, and short words (under
 * INDEXED_WORD_LENGTH characters) checked on the lessons the index found. A short word ("ta" while typing
 * "tariff") is a prefix of thousands of words: looked up in the index beside a rarer one, it made the index
 * read every lesson that has any of them (tens of milliseconds with 100,000 lessons) to keep those with both.
 * Without a longer word, the longest is looked up; a part of one character of a joined word ("t" of "t-s") is then
 * looked up whole, and checked as a start on what the index found.
 */
export function autocompleteQueryParts(text: string): { readonly indexed: string; readonly rest: string | undefined } | undefined {
  const terms = autocompleteTerms(autocompleteWords(text));
  if (terms.length === 0) return undefined;
  const longest = terms.reduce((best, term) => (term.length > best.length ? term : best));
  const indexed = terms.filter((term) => term === longest || term.length >= INDEXED_WORD_LENGTH);
  const rest = terms.filter((term) => !indexed.includes(term));
  // One character as a start is in most of the library's words: for a joined word's part, the index takes it whole.
  const wholeInIndex = indexed.filter((term) => term.joined && term.length < 2);
  const restText = [...wholeInIndex, ...rest].map(termText);
  return {
    indexed: indexed.map((term) => (wholeInIndex.includes(term) ? tsLiteral(term.text) : termText(term))).join(' & '),
    rest: restText.length > 0 ? restText.join(' & ') : undefined,
  };
}

/** Autocomplete words this long or longer go to the index (see autocompleteQueryParts). */
export const INDEXED_WORD_LENGTH = 4;

interface AutocompleteTerm {
  readonly text: string;
  /** In characters, combining marks left out (folded away with the accents), a sign left out. */
  readonly length: number;
  /** A part of a word joined by apostrophes or hyphens. */
  readonly joined: boolean;
  /** A name joined by slashes or dots (JOINED_NAME): what its parts match instead of it (nameParts). */
  readonly parts?: string;
}

/**
 * The terms of autocomplete's words, each matched as the start of a word. A word joined by apostrophes or hyphens
 * is its parts, as PostgreSQL's parser indexes them ("t-shirt": "t", "shirt"; "o'clock": "o", "clock"; "COVID-19":
 * "covid", "-19", digits after a hyphen being a signed number). Given to PostgreSQL as one term, `m-d-n-s` became
 * the one-letter word starts `'m':* <-> 'd':* <-> …`, each the start of thousands of words, looked up in the index:
 * 0.2–0.8 s a keystroke at 100,000 lessons, and four members typing such text held every other member's lookups
 * up to a second.
 */
function autocompleteTerms(words: readonly string[]): AutocompleteTerm[] {
  return words
    .flatMap((word): AutocompleteTerm[] => {
      const pieces = word.split(/(['’-]+)/u);
      if (pieces.length === 1) return [{ text: word, length: letterCount(word), joined: false, ...nameParts(word) }];
      const terms: AutocompleteTerm[] = [];
      for (let index = 0; index < pieces.length; index += 2) {
        const part = pieces[index] ?? '';
        if (!HAS_WORD_CHARACTER.test(part)) continue;
        const signed = index > 0 && (pieces[index - 1] ?? '').endsWith('-') && /^\p{Nd}+$/u.test(part);
        terms.push({ text: signed ? `-${part}` : part, length: [...part.replace(/\p{M}/gu, '')].length, joined: true });
      }
      // Parts of two characters or more (or a signed number), three at most: one term, as PostgreSQL reads the word
      // (its parts next to each other, all looked up in the index: "covid-19" in a library where "covid" is in
      // thousands of lessons). Else the parts, which keep a one-character start out of the index.
      const fine = terms.length <= JOINED_AS_ONE_TERM_PARTS && terms.every((term) => term.length >= 2 || term.text.startsWith('-'));
      return fine ? [{ text: word, length: letterCount(word), joined: false }] : terms;
    })
    .slice(0, MAX_QUERY_TERMS);
}

/** A joined word of at most this many parts may go to PostgreSQL as one term (autocompleteTerms). */
const JOINED_AS_ONE_TERM_PARTS = 3;

const termText = (term: AutocompleteTerm) => (term.parts ? `(${prefixTerm(term.text)} | ${term.parts})` : prefixTerm(term.text));

/**
 * A joined name's parts as autocomplete also matches them (`Israel/Gaza` finds "Israel and Gaza", as before it was kept
 * whole): each a start, looked up in the index with the name, so only those of INDEXED_WORD_LENGTH characters or more.
 */
function nameParts(word: string): { parts?: string } {
  if (!JOINED_NAME.test(word)) return {};
  const parts = word.split(/[./]/u).filter((part) => letterCount(part) >= INDEXED_WORD_LENGTH);
  return parts.length > 0 ? { parts: parts.map(prefixTerm).join(' & ') } : {};
}

/** The words an autocomplete matches: the typed words, but a one-letter last word the member has only begun. */
export function autocompleteWords(text: string): string[] {
  const words = splitWords(text.replace(/["“”„«»]/gu, ' ')).slice(0, MAX_QUERY_TERMS);
  const last = words.at(-1);
  if (last !== undefined && letterCount(last) < 2 && !/\s$/u.test(text)) words.pop();
  return words;
}

/** A title typed in full: every word of it, whole (no prefix), the first MAX_QUERY_TERMS of them. */
export function titleWordsTsQuery(text: string): string | undefined {
  const words = splitWords(text.replace(/["“”„«»]/gu, ' ')).slice(0, MAX_QUERY_TERMS);
  return words.length > 0 ? words.map(tsLiteral).join(' & ') : undefined;
}

const prefixTerm = (word: string) => `${tsLiteral(word)}:*`;

/**
 * A word's length as PostgreSQL's index sees it, for the search's guards: its shortest part between apostrophes and hyphens (PostgreSQL splits
 * `b'c` into `b` and `c`, and `b-c` into those and `b-c`), in characters (code points, not UTF-16 units), combining
 * marks left out (folded away with the accents). Counted whole, `b'c d'f g'h …` passed for words of three letters and
 * became one-letter prefixes: a 31-character search that timed out on a library of 100,000 lessons.
 */
const indexedLength = (word: string) => Math.min(...word.split(/['’-]+/u).map((part) => [...part.replace(/\p{M}/gu, '')].length));

/**
 * A word's length for the search's guards: indexedLength, one more for a word of Han, Hiragana, Katakana or Hangul
 * characters. Each of those is a syllable or a word (thousands of them, where a Latin letter is one of 26), and their
 * texts are long runs to PostgreSQL's parser (Japanese and Chinese leave no space between words, Korean joins its
 * particles: '東京で大雨', '서울에서'), so a word of two of them (東京, 지진) is found only as a start: matched whole, a
 * search for it found no lesson, where the `lesson` autocomplete (every word a start) found it. As a start, two of
 * them are as rare as three letters.
 */
const searchLength = (word: string) => indexedLength(word) + (SYLLABIC_WORD.test(word) ? 1 : 0);

const SYLLABIC_WORD = /^[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Hangul}]+$/u;

/** A word's length in characters (code points, not UTF-16 units), as typed: what the autocomplete weighs. */
const letterCount = (word: string) => [...word].length;
