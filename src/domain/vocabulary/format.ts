import { clip, safeText } from '../discord-format/escape.js';
import { BUTTON_LABEL_MAX } from '../discord-format/limits.js';
import { paginate } from '../discord-format/paginate.js';
import { PAGE_DESCRIPTION_MAX } from '../discord-format/pages.js';
import { describeLevel } from './level.js';
import type { LessonLevel, VocabularyEntry } from './types.js';

const SENTENCE_MAX = 600;
const WORD = (word: string) => new RegExp(`(?<![\\p{L}\\p{N}])${word.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&')}(?![\\p{L}\\p{N}])`, 'giu');

/** The sentence, escaped, with the vocabulary word in bold (the word is letters only, so bolding it is safe). */
export function sentenceWithWord(sentence: string, word: string): string {
  const pieces = sentence.split(WORD(word));
  const matches = sentence.match(WORD(word)) ?? [];
  return pieces.map((piece, i) => safeText(piece) + (i < matches.length ? `**${matches[i]}**` : '')).join('');
}

/** One entry of the list: word, base form and part of speech, definition, and its sentence quoted. */
export function vocabularyBlock(entry: VocabularyEntry, index: number): string {
  const head = entry.word.toLowerCase() === entry.lemma ? `**${index + 1}. ${safeText(entry.word)}**` : `**${index + 1}. ${safeText(entry.word)}** → ${safeText(entry.lemma)}`;
  const where = entry.source === 'article' ? 'article' : 'dialogue';
  return `${head} · *${entry.pos}*\n${safeText(entry.definition)}\n> ${clip(sentenceWithWord(entry.sentence, entry.word), SENTENCE_MAX)} *(${where})*`;
}

/** The list as embed descriptions (pages), each within Discord's limit. */
export function vocabularyPages(entries: readonly VocabularyEntry[]): string[] {
  const pages = paginate(
    entries.map((entry, i) => vocabularyBlock(entry, i)),
    PAGE_DESCRIPTION_MAX,
  );
  return pages.length > 0 ? pages : ['*No vocabulary was found for this lesson: it has no rare content words.*'];
}

export function levelLine(level: LessonLevel): string {
  return `Level: ${describeLevel(level)}`;
}

/** A choice as a button label (Discord: at most 80 characters). */
export function choiceLabel(choice: string): string {
  return choice.length <= BUTTON_LABEL_MAX ? choice : `${choice.slice(0, BUTTON_LABEL_MAX - 1)}…`;
}
