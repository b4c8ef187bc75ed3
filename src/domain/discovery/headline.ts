import { tsLiteral } from './text-query.js';
/**
 * Similar-reading titles are other articles' headlines. The reading app sometimes prefixes one with
 * "Summary:" (its own label, not part of the headline).
 */
export function headlineOf(similarReadingTitle: string): string {
  return similarReadingTitle.replace(/^\s*summary\s*:\s*/iu, '').replace(/\s+/gu, ' ').trim();
}

/**
 * What tells one headline from another: not case, curly or straight quotes, quotes around it, a full stop (or
 * "…", "!", "?") at its end, nor spaces. The reading app lists one article as "Rice prices rise." and "Rice prices
 * rise", which were shown twice under "Not in the library" (until 2026-12-07).
 */
export function headlineKey(headline: string): string {
  return headline
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[‘’]/gu, "'")
    .replace(/[“”«»]/gu, '"')
    .replace(/\s+/gu, ' ')
    .trim()
    .replace(/^["']+|["'.…!?\s]+$/gu, '');
}

/** Titles named once: the same headline twice (with and without the prefix, or spelt as headlineKey allows) is one title. */
export function distinctHeadlines(titles: readonly string[]): string[] {
  const seen = new Set<string>();
  const result: string[] = [];
  for (const title of titles) {
    const headline = headlineOf(title);
    const key = headlineKey(headline);
    if (headline === '' || seen.has(key)) continue;
    seen.add(key);
    result.push(headline);
  }
  return result;
}

/** A headline's word, with the number of lessons that have it in their title or summary. */
export interface CountedWord {
  readonly lexeme: string;
  readonly docs: number;
}

/**
 * How many candidates a headline's words may be expected to find before one word more is required of them.
 * A library written from a small vocabulary (generated or templated lessons) has headlines whose rarest
 * words are common: two of them are in a share of the whole library (~500 of 6,000 lessons in such a test
 * library, growing with it), and an import's matching, which scores each title's candidates, grew with the
 * square of its size. A real news library's rarest headline words are rare (10–50 candidates): untouched.
 */
export const CANDIDATES_EXPECTED_AT_MOST = 64;

/**
 * How many lessons all of a headline's words may be expected to find before it is left unlinked. Where they are
 * in most of the library (lessons that share one summary, a templated load test's), asking for all of them still
 * finds nearly every lesson: each such title was scored against the whole library, the import grew with the
 * square of the library (4,000 such lessons: 89 s; BENCHMARKS.md, "Import: lessons that share a summary"), and the
 * title went to one of thousands of lessons scoring alike. A real headline's five rarest words are expected in a
 * handful of lessons; this is four times the bound above.
 */
export const HEADLINE_CANDIDATES_AT_MOST = 4 * CANDIDATES_EXPECTED_AT_MOST;

/**
 * Which lessons are worth scoring for a headline: those with at least two of its five rarest words in
 * their title or summary (one, for a one-word headline), or more of them when two would be expected to
 * find over CANDIDATES_EXPECTED_AT_MOST lessons of `library` (expectedWithAtLeast). A lesson that the
 * headline names has all its words in its title, so it stays a candidate. Scoring then decides; this only
 * keeps the candidate set, and the GIN query's cost, small. Undefined (no candidates: the headline names nothing)
 * when even all of them are expected in over HEADLINE_CANDIDATES_AT_MOST lessons. `words` must come rarest first.
 */
export function headlineCandidates(words: readonly CountedWord[], library: number): string | undefined {
  const wanted = headlineCandidateWords(words, library);
  return wanted && atLeastKOf(wanted.words, wanted.need);
}

/** headlineCandidates' condition as words: a candidate has at least `need` of `words` in its title or summary. */
export function headlineCandidateWords(words: readonly CountedWord[], library: number): { words: readonly string[]; need: number } | undefined {
  const rarest = words.slice(0, 5);
  let need = Math.min(2, rarest.length);
  if (need === 0) return undefined;
  const shares = rarest.map((word) => (library > 0 ? Math.min(1, Math.max(0, word.docs) / library) : 0));
  while (need < rarest.length && expectedWithAtLeast(shares, need) * library > CANDIDATES_EXPECTED_AT_MOST) need++;
  // Too common to say which lesson it names: unlinked (HEADLINE_CANDIDATES_AT_MOST).
  if (expectedWithAtLeast(shares, need) * library > HEADLINE_CANDIDATES_AT_MOST) return undefined;
  return { words: rarest.map((word) => word.lexeme), need };
}

/**
 * The chance that a lesson has at least `k` of some words, each word in the given share of lessons and the
 * words independent of each other (the Poisson-binomial tail). Words of one topic go together more often
 * than that (about three times the candidates in the generated library), which the bound allows for.
 */
export function expectedWithAtLeast(shares: readonly number[], k: number): number {
  // exactly[j]: the chance of exactly j of the words seen so far.
  let exactly = [1];
  for (const share of shares) {
    const next = new Array<number>(exactly.length + 1).fill(0);
    exactly.forEach((chance, j) => {
      next[j] = (next[j] ?? 0) + chance * (1 - share);
      next[j + 1] = (next[j + 1] ?? 0) + chance * share;
    });
    exactly = next;
  }
  return exactly.slice(Math.max(0, k)).reduce((sum, chance) => sum + chance, 0);
}

/**
 * The lessons of `lessonsByWord` (a word → the lessons with it in their title or summary) that are candidates
 * for a headline (headlineCandidateWords): what the GIN query would find among them, without asking the database.
 */
export function candidatesAmong(
  lessonsByWord: ReadonlyMap<string, readonly string[]>,
  wanted: { readonly words: readonly string[]; readonly need: number },
): string[] {
  const found = new Map<string, number>();
  for (const word of wanted.words) {
    for (const lessonId of lessonsByWord.get(word) ?? []) found.set(lessonId, (found.get(lessonId) ?? 0) + 1);
  }
  const candidates: string[] = [];
  for (const [lessonId, words] of found) if (words >= wanted.need) candidates.push(lessonId);
  return candidates;
}

/**
 * A tsquery (over already-normalised lexemes, so cast with `::tsquery`, not `to_tsquery`) matching a
 * document that has at least `k` of the lexemes: the disjunction of every k-subset. Lexemes beyond
 * `maxLexemes` are dropped first from the end (the subsets grow combinatorially).
 */
export function atLeastKOf(lexemes: readonly string[], k: number, maxLexemes = 10): string | undefined {
  const terms = lexemes.slice(0, maxLexemes);
  const need = Math.min(k, terms.length);
  if (need === 0) return undefined;
  const quoted = terms.map(tsLiteral);
  const clauses: string[] = [];
  const pick = (start: number, chosen: string[]): void => {
    if (chosen.length === need) {
      clauses.push(chosen.length === 1 ? (chosen[0] as string) : `(${chosen.join(' & ')})`);
      return;
    }
    for (let i = start; i <= quoted.length - (need - chosen.length); i++) pick(i + 1, [...chosen, quoted[i] as string]);
  };
  pick(0, []);
  return clauses.join(' | ');
}
