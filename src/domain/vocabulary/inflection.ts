import { americanSpelling } from './spelling.js';
import type { ContentPos } from './types.js';

/** The grammatical form of a word in its sentence, as far as a distractor has to match it. */
export type WordForm = 'base' | 'plural' | 'third-person' | 'past' | 'gerund' | 'comparative' | 'superlative';

/**
 * Tells the form of `word` from its lemma. Irregular forms ("took", "children") are found too, because
 * anything that is not the lemma and not -s / -ing / -er / -est is, for a verb, a past form; distractors are
 * then regular verbs, whose past tense and past participle are the same word, so either reading fits.
 */
export function detectForm(word: string, lemma: string, pos: ContentPos): WordForm {
  const w = word.toLowerCase();
  const l = lemma.toLowerCase();
  if (w === l || americanSpelling(w) === americanSpelling(l)) return 'base'; // "equaliser" of "equalizer" is no plural
  switch (pos) {
    case 'noun':
      return 'plural';
    case 'verb':
      if (w.endsWith('ing')) return 'gerund';
      if (w.endsWith('s')) return 'third-person';
      return 'past';
    case 'adjective':
    case 'adverb':
      if (w.endsWith('est')) return 'superlative';
      if (w.endsWith('er')) return 'comparative';
      return 'base';
  }
}

const VOWEL = /[aeiou]/u;

/** consonant-vowel-consonant at the end (not w, x, y): the final consonant may double ("stop" → "stopped"). */
function mayDouble(lemma: string): boolean {
  const [a, b, c] = lemma.slice(-3);
  return (
    lemma.length >= 3 &&
    a !== undefined &&
    b !== undefined &&
    c !== undefined &&
    !VOWEL.test(a) &&
    VOWEL.test(b) &&
    !VOWEL.test(c) &&
    !'wxy'.includes(c)
  );
}

function sibilantSuffix(lemma: string): string[] {
  if (/(s|x|z|ch|sh)$/u.test(lemma)) return [`${lemma}es`];
  if (/[^aeiou]y$/u.test(lemma)) return [`${lemma.slice(0, -1)}ies`];
  if (/[^aeiou]o$/u.test(lemma)) return [`${lemma}s`, `${lemma}es`];
  return [`${lemma}s`];
}

function withSuffix(lemma: string, suffix: 'ed' | 'ing' | 'er' | 'est'): string[] {
  const vowelSuffix = suffix;
  if (suffix === 'ing') {
    if (lemma.endsWith('ie')) return [`${lemma.slice(0, -2)}ying`];
    if (/[^aeiouy]e$/u.test(lemma)) return [`${lemma.slice(0, -1)}ing`, `${lemma}ing`];
  } else if (lemma.endsWith('e')) {
    return [`${lemma}${suffix.slice(1)}`];
  }
  if (suffix !== 'ing' && /[^aeiou]y$/u.test(lemma)) return [`${lemma.slice(0, -1)}i${suffix}`];
  const plain = `${lemma}${vowelSuffix}`;
  return mayDouble(lemma) ? [plain, `${lemma}${lemma.slice(-1)}${vowelSuffix}`] : [plain];
}

/** Regular spellings of `lemma` in `form`, most likely first. Irregular words are caught by the attestation check. */
export function regularForms(lemma: string, form: WordForm): string[] {
  switch (form) {
    case 'base':
      return [lemma];
    case 'plural':
    case 'third-person':
      return sibilantSuffix(lemma);
    case 'past':
      return withSuffix(lemma, 'ed');
    case 'gerund':
      return withSuffix(lemma, 'ing');
    case 'comparative':
      return withSuffix(lemma, 'er');
    case 'superlative':
      return withSuffix(lemma, 'est');
  }
}

/**
 * `lemma` in `form`, only if that spelling is attested (used in real English, per the word list): "taked" or
 * "informations" are never offered. Of two attested spellings ("visited" / "visitted") the more used wins.
 */
export function inflect(lemma: string, form: WordForm, count: (word: string) => number): string | null {
  if (form === 'base') return lemma;
  const [best, bestCount] = mostUsed(regularForms(lemma, form), count);
  if (form === 'past' && best !== null && isIrregularPast(lemma, bestCount, count)) return null;
  // A plural under 1% of the singular is an irregular noun's error ("foots", "womans", "phenomenons") or a mass
  // noun's ("softwares", "baggages", "mayhems"), each attested a few times in the subtitles.
  if (form === 'plural' && best !== null && bestCount * 100 < count(lemma)) return null;
  return best;
}

function mostUsed(candidates: readonly string[], count: (word: string) => number): [string | null, number] {
  let best: string | null = null;
  let bestCount = 0;
  for (const candidate of candidates) {
    const n = count(candidate);
    if (n > bestCount) {
      best = candidate;
      bestCount = n;
    }
  }
  return [best, bestCount];
}

/**
 * A verb whose regular past is far rarer than its other forms has an irregular past ("taught", "struck", "hurt"):
 * the subtitles attest "teached", "striked", "hurted", "taked" or "bringed" a few times, a learner's error, which a
 * distractor showed. Rarer than 1% of the base and than a tenth of the -ing or -s form: "gallivanted" (1 of
 * "gallivanting"'s 32, but of a rare verb) stays; a few regular pasts rarely said ("gauged") are left out with them.
 */
function isIrregularPast(lemma: string, pastCount: number, count: (word: string) => number): boolean {
  const other = Math.max(mostUsed(regularForms(lemma, 'gerund'), count)[1], mostUsed(regularForms(lemma, 'third-person'), count)[1]);
  return pastCount * 100 < count(lemma) && pastCount * 10 < other;
}

/** Gives `word` the capitalisation of `model` (a sentence-initial answer gets capitalised distractors). */
export function matchCase(word: string, model: string): string {
  if (model.length > 1 && model === model.toUpperCase() && /[A-Z]/u.test(model)) return word.toUpperCase();
  const first = model.charAt(0);
  if (first !== first.toLowerCase()) return word.charAt(0).toUpperCase() + word.slice(1);
  return word;
}
