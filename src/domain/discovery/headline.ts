/**
 * Similar-reading titles are other articles' headlines. The reading app sometimes prefixes one with
 * "Summary:" (its own label, not part of the headline).
 */
export function headlineOf(similarReadingTitle: string): string {
  return similarReadingTitle.replace(/^\s*summary\s*:\s*/iu, '').replace(/\s+/gu, ' ').trim();
}

/** Titles named once: the same headline twice (with and without the prefix) is one title. */
export function distinctHeadlines(titles: readonly string[]): string[] {
  const seen = new Set<string>();
  const result: string[] = [];
  for (const title of titles) {
    const headline = headlineOf(title);
    const key = headline.toLowerCase();
    if (headline === '' || seen.has(key)) continue;
    seen.add(key);
    result.push(headline);
  }
  return result;
}

/**
 * Which lessons are worth scoring for a headline: those with at least two of its five rarest words in
 * their title or summary (one, for a one-word headline). Scoring then decides; this only keeps the
 * candidate set, and the GIN query's cost, small. `lexemes` must come rarest first.
 */
export function headlineCandidates(lexemes: readonly string[]): string | undefined {
  const wanted = headlineCandidateWords(lexemes);
  return wanted && atLeastKOf(wanted.words, wanted.need);
}

/** headlineCandidates' condition as words: a candidate has at least `need` of `words` in its title or summary. */
export function headlineCandidateWords(lexemes: readonly string[]): { words: readonly string[]; need: number } | undefined {
  const need = Math.min(2, lexemes.length);
  return need === 0 ? undefined : { words: lexemes.slice(0, 5), need };
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
  const quoted = terms.map((lexeme) => `'${lexeme.replace(/\\/gu, '\\\\').replace(/'/gu, "''")}'`);
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
