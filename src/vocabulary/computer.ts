import type { Lesson } from '../domain/lesson.js';
import { computeVocabulary, type LessonVocabulary } from '../domain/vocabulary/compute.js';
import { LessonAnalyzer } from './analyzer.js';
import { WordLexicon } from './lexicon.js';

export { lexiconVersion } from './version.js';

export type VocabularyInput = Pick<Lesson, 'id' | 'article' | 'dialogue'>;

/** Computes vocabularies (in this thread, or in a worker thread: see worker-computer.ts). */
export interface VocabularyComputer {
  compute(lesson: VocabularyInput): LessonVocabulary | Promise<LessonVocabulary>;
  close(): void | Promise<void>;
}

/** In this thread: loads the model and word lists on first use (about 1 s and 100–150 MB), then reuses them. For the CLI. */
export function createVocabularyComputer(): VocabularyComputer & { compute(lesson: VocabularyInput): LessonVocabulary } {
  let loaded: { analyzer: LessonAnalyzer; lexicon: WordLexicon } | undefined;
  return {
    compute(lesson) {
      loaded ??= { analyzer: new LessonAnalyzer(), lexicon: new WordLexicon() };
      return computeVocabulary(lesson.id, loaded.analyzer.analyze(lesson), loaded.lexicon);
    },
    close() {
      loaded?.lexicon.close();
      loaded = undefined;
    },
  };
}
