import { detectForm, inflect, matchCase } from './inflection.js';
import { hash32, seededRandom, shuffled } from './random.js';
import { occursIn, wordsOf } from './sentence.js';
import { regularBases, sameWordForm } from './spelling.js';
import type { ContentPos, Lexicon, PoolWord } from './types.js';

export const DISTRACTORS = 3;
/** How many pool words around the answer's frequency are considered (then shuffled, tried in turn). */
const NEIGHBOURHOOD = 40;
/**
 * A distractor as shown (its form or its lemma, whichever is more used) is at most 10 times more or less
 * frequent than the answer: "putting" (of the golf verb "putt") is no match for "prompting".
 */
const MAX_FREQUENCY_RATIO = 10;

export interface DistractorRequest {
  readonly word: string;
  readonly lemma: string;
  readonly pos: ContentPos;
  readonly frequency: number;
  readonly sentence: string;
  /** Makes the choice reproducible: the same lesson and word always get the same distractors. */
  readonly seed: string;
}

/** An -ing or -ed word whose base is a verb: "booking", "plowed", "prolonged". */
export function readsAsVerbForm(word: string, lexicon: Pick<Lexicon, 'knows'>): boolean {
  return /(ing|ed)$/u.test(word) && regularBases(word).slice(1).some((base) => lexicon.knows(base, 'verb'));
}

/** Index of the first pool word with count ≥ `count` (the pool is sorted rarest first). */
function lowerBound(pool: readonly PoolWord[], count: number): number {
  let lo = 0;
  let hi = pool.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((pool[mid] as PoolWord).count < count) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The pool words closest in frequency (on a log scale) to `count`. */
export function frequencyNeighbours(pool: readonly PoolWord[], count: number, size: number): PoolWord[] {
  const target = Math.log(count + 1);
  let left = lowerBound(pool, count) - 1;
  let right = left + 1;
  const out: PoolWord[] = [];
  while (out.length < size && (left >= 0 || right < pool.length)) {
    const l = left >= 0 ? (pool[left] as PoolWord) : undefined;
    const r = right < pool.length ? (pool[right] as PoolWord) : undefined;
    const takeLeft = r === undefined || (l !== undefined && target - Math.log(l.count + 1) <= Math.log(r.count + 1) - target);
    if (takeLeft && l !== undefined) {
      out.push(l);
      left -= 1;
    } else if (r !== undefined) {
      out.push(r);
      right += 1;
    }
  }
  return out;
}

/**
 * Three wrong answers for a quiz question: words whose main part of speech is the answer's, put in the
 * answer's form (plural for a plural, -ed for a past tense, capitalised at the start of a sentence) with a
 * spelling attested in the word list, of similar frequency, never the answer or its lemma, never a word of
 * the sentence, never offensive. Fewer than three only when the pool runs dry (it never does for real words).
 */
export function chooseDistractors(request: DistractorRequest, lexicon: Lexicon): string[] {
  const form = detectForm(request.word, request.lemma, request.pos);
  const random = seededRandom(hash32(request.seed));
  const neighbours = shuffled(frequencyNeighbours(lexicon.distractorPool(request.pos), request.frequency, NEIGHBOURHOOD), random);
  const chosen: string[] = [];
  const taken = new Set([request.word.toLowerCase(), request.lemma.toLowerCase()]);
  const sentenceWords = wordsOf(request.sentence);
  // A noun or adjective that reads as a verb form ("booking", "plowed") goes with answers of that shape
  // ("officiating", "prolonged"), and others with others, while there are enough of them.
  const shaped = request.pos === 'noun' || request.pos === 'adjective';
  const shape = shaped && readsAsVerbForm(request.lemma, lexicon);
  const tried = new Set<string>();
  for (const candidate of shaped ? [...neighbours, ...neighbours] : neighbours) {
    if (chosen.length === DISTRACTORS) break;
    const lemma = candidate.lemma;
    // Never the answer spelt another way: the tagger's lemma of a British word is American ("criticised" →
    // "criticize"), so the American form is the answer's nearest neighbour in frequency, and marked wrong.
    if (taken.has(lemma) || isVariantOfAnswer(lemma, request) || lexicon.isOffensive(lemma)) continue;
    if (shaped && !tried.has(lemma)) {
      tried.add(lemma); // first round: the answer's shape only; second round: any
      if (readsAsVerbForm(lemma, lexicon) !== shape) continue;
    }
    const inflected = inflect(lemma, form, (w) => lexicon.count(w));
    if (inflected === null || taken.has(inflected) || isVariantOfAnswer(inflected, request) || lexicon.isOffensive(inflected)) continue;
    const used = Math.max(lexicon.count(inflected), candidate.count);
    if (Math.max((used + 1) / (request.frequency + 1), (request.frequency + 1) / (used + 1)) > MAX_FREQUENCY_RATIO) continue;
    if (occursIn(inflected, sentenceWords) || occursIn(lemma, sentenceWords)) continue;
    if (lexicon.definition(lemma, request.pos) === null) continue; // proper-noun-only senses
    taken.add(lemma).add(inflected);
    chosen.push(matchCase(inflected, request.word));
  }
  return chosen;
}

function isVariantOfAnswer(candidate: string, answer: Pick<DistractorRequest, 'word' | 'lemma'>): boolean {
  return sameWordForm(candidate, answer.word) || sameWordForm(candidate, answer.lemma);
}
