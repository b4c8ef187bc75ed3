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

/** The sentence with every whole-word occurrence of `word` (case ignored) replaced by the blank, so the answer is not given away. */
export function blankOut(sentence: string, word: string): string {
  return sentence.replace(new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(word)}(?![\\p{L}\\p{N}])`, 'giu'), BLANK);
}
