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
  /** A batch job is over: give back what it held (the worker thread) once the work in flight is answered. */
  release?(): void;
}

/** In this thread: loads the model and word lists on first use (about 1 s and 100–150 MB), then reuses them. For the CLI. */
/** The model and word lists, loaded once per thread and shared by its computers (a CLI run, a test file). */
let shared: { analyzer: LessonAnalyzer; lexicon: WordLexicon } | undefined;

export function createVocabularyComputer(): Omit<VocabularyComputer, 'compute'> & {
  compute(lesson: VocabularyInput): LessonVocabulary;
  close(): void;
  release(): void;
} {
  return {
    compute(lesson) {
      shared ??= { analyzer: new LessonAnalyzer(), lexicon: new WordLexicon() };
      return computeVocabulary(lesson.id, shared.analyzer.analyze(lesson), shared.lexicon);
    },
    close() {
      // Only the data files' descriptors: they reopen on the next use.
      shared?.lexicon.close();
    },
    release() {
      // The model and word lists too (~100 MB of heap), for the collector: loaded again on the next use.
      shared?.lexicon.close();
      shared = undefined;
    },
  };
}
