import { webAddressSpans } from '../discord-format/escape.js';
import { regularBases, sameWordForm } from './spelling.js';

/** The blank that replaces the vocabulary word in a quiz sentence. */
export const BLANK = '____';

const WORD = /[\p{L}\p{N}]+/gu;

/** The sentence's words in lower case ("Japan's" gives "japan" and "s"), for whole-word checks. */
export function wordsOf(sentence: string): Set<string> {
  return new Set(sentence.toLowerCase().match(WORD) ?? []);
}

/** `word` stands in `sentence` as a whole word (case ignored): "cyberattacks" is not in "cyberattack", "Japan" is in "Japan's". */
export function occursIn(word: string, sentence: string | ReadonlySet<string>): boolean {
  const words = typeof sentence === 'string' ? wordsOf(sentence) : sentence;
  return word !== '' && words.has(word.toLowerCase());
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&');
}

/**
 * The sentence with every whole-word occurrence of `word` (case ignored) replaced by the blank, so the answer is not
 * given away, but none inside a web address: Discord links an address whole, so a blank put in one
 * (`https://example.com/economy/____`) broke the link. The word left standing there gives the answer away, so such a
 * sentence is not asked (questionFor). `inAddresses` blanks those too, for text Discord links nothing in (an embed's title).
 */
export function blankOut(sentence: string, word: string, { inAddresses = false }: { readonly inAddresses?: boolean } = {}): string {
  const addresses = inAddresses ? [] : webAddressSpans(sentence);
  return sentence.replace(new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(word)}(?![\\p{L}\\p{N}])`, 'giu'), (match: string, at: number) =>
    addresses.some(([start, end]) => at < end && at + match.length > start) ? match : BLANK,
  );
}

/**
 * `word` is another form of the answer's lemma than the answer as it stood: by regular rules (plural, -s, -ed,
 * -ing, -er, -est) or spelt the other way ("tariff" of "tariffs", "negotiator" of "negotiators", "organizers" and
 * "organizer" of "organisers"). Irregular forms ("took" of "taken") are not told.
 */
export function isAnotherForm(word: string, answer: { readonly word: string; readonly lemma: string }): boolean {
  if (word.toLowerCase() === answer.word.toLowerCase()) return false;
  return regularBases(word).some((base) => sameWordForm(base, answer.lemma));
}

/**
 * Text shown above a question that links nothing (an embed's title): the answer blanked everywhere, as blankOut
 * with `inAddresses`, and any other form of it too ("Tariff war looms" above the blank of "tariffs"), which would
 * give it away. Not for the prompt, where the answer put back must give the sentence (such a sentence is not asked).
 */
export function blankAllForms(text: string, answer: { readonly word: string; readonly lemma: string }): string {
  return blankOut(text, answer.word, { inAddresses: true }).replace(WORD, (word) => (isAnotherForm(word, answer) ? BLANK : word));
}
