import { chooseDistractors } from './distractors.js';
import { estimateLevel } from './level.js';
import { capitalizedOnlyWords, selectVocabulary, tokenRanks } from './select.js';
import type { AnalyzedLesson, Lexicon, LessonLevel, VocabularyEntry } from './types.js';

export interface LessonVocabulary {
  readonly entries: readonly VocabularyEntry[];
  readonly level: LessonLevel;
}

/** Vocabulary, quiz distractors and level of an analysed lesson. Deterministic for a given lesson id and lexicon. */
export function computeVocabulary(lessonId: string, lesson: AnalyzedLesson, lexicon: Lexicon): LessonVocabulary {
  // Both steps read the lesson's names and its words' ranks: worked out once.
  const names = capitalizedOnlyWords(lesson.tokens);
  const ranks = tokenRanks(lesson.tokens, lexicon);
  const entries = selectVocabulary(lesson, lexicon, names, ranks).map((candidate): VocabularyEntry => {
    const sentence = lesson.sentences[candidate.sentence];
    if (sentence === undefined) throw new RangeError(`sentence ${candidate.sentence} missing`);
    return {
      word: candidate.word,
      lemma: candidate.lemma,
      pos: candidate.pos,
      definition: candidate.definition,
      sentence: sentence.text,
      source: sentence.source,
      frequency: candidate.frequency,
      distractors: chooseDistractors(
        { word: candidate.word, lemma: candidate.lemma, pos: candidate.pos, frequency: candidate.frequency, sentence: sentence.text, seed: `${lessonId}:${candidate.lemma}` },
        lexicon,
      ),
    };
  });
  return { entries, level: estimateLevel(lesson.tokens, names, ranks) };
}
