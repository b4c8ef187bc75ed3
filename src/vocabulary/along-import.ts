import { setImmediate as nextTurn } from 'node:timers/promises';
import { lessonTexts, replaceVocabularies, type LessonText, type VocabularyToStore } from '../db/vocabulary.js';
import type { Executor } from '../db/schema.js';
import type { ImportSideWork } from '../lessons/import.js';
import type { LessonVocabulary } from '../domain/vocabulary/compute.js';
import type { VocabularyInput } from './computer.js';
import { lexiconVersion } from './version.js';

/** A computer in this thread (createVocabularyComputer): its answer comes at once. */
export interface InThreadComputer {
  compute(lesson: VocabularyInput): LessonVocabulary;
  /** Gives back the model and word lists (the import has no lesson left to compute). */
  release?(): void;
}

/** Lessons read, computed and stored at a time: a few hundred kilobytes of text in memory. */
const CHUNK = 250;

/**
 * The vocabulary of an import's written lessons, computed in this thread while the database writes the next
 * batches and matches the related readings (the lessons CLI on PostgreSQL: the import waits on the database
 * and the vocabulary on the CPU, so each runs in the other's idle time, where they used to run one after the
 * other). Stored in the import's transaction `trx`, so they commit with the lessons. A lesson at a time,
 * each in a turn of its own, and only while the import waits on the database (`during`) or once it is
 * finished, so the import's own reading and parsing never wait behind a lesson's ~2.5 ms; the texts are read
 * back a chunk at a time (the next chunk's while one is computed), so memory holds a few hundred lessons'
 * texts, whatever the import's size. A lesson whose computation fails is left without one: the refresh
 * after the import computes it again and reports it.
 */
export function vocabularyAlongImport(trx: Executor, computer: InThreadComputer): ImportSideWork & { finish(): Promise<{ computed: number; failed: number }> } {
  const version = lexiconVersion();
  const queue: string[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  let stopped = false;
  // No lesson will be written any more: once the queue is computed, the model goes (allWritten).
  let allWritten = false;
  let computed = 0;
  let failed = 0;
  // The import's waits on the database in progress: this work uses the thread only then (or once it is finished).
  let waits = 0;
  let waitStarted: (() => void) | undefined;
  const threadFree = (): Promise<void> | undefined =>
    waits > 0 || ended || stopped ? undefined : new Promise<void>((resolve) => (waitStarted = resolve));

  const nextIds = async (): Promise<string[] | undefined> => {
    while (queue.length === 0) {
      if (ended || stopped || allWritten) return undefined;
      await new Promise<void>((resolve) => (wake = resolve));
    }
    return queue.splice(0, CHUNK);
  };
  const readChunk = async (): Promise<LessonText[] | undefined> => {
    const ids = await nextIds();
    return ids && !stopped ? lessonTexts(trx, ids) : undefined;
  };

  const run = (async () => {
    let storing: Promise<void> = Promise.resolve();
    let texts = await readChunk();
    while (texts !== undefined && !stopped) {
      // Read while this chunk is computed: the connection may be busy with one of the import's statements.
      const next = readChunk();
      next.catch(() => undefined);
      const toStore: VocabularyToStore[] = [];
      for (const lesson of texts) {
        await nextTurn();
        await threadFree();
        if (stopped) break;
        try {
          const vocabulary = computer.compute(lesson);
          toStore.push({ lessonId: lesson.id, contentHash: lesson.contentHash, lexiconVersion: version, entries: vocabulary.entries, level: vocabulary.level });
        } catch {
          failed += 1;
        }
      }
      // Stored in order, but not waited for here: the statement may queue behind one of the import's.
      storing = storing.then(async () => {
        if (stopped) return;
        await replaceVocabularies(trx, toStore);
        computed += toStore.length;
      });
      storing.catch(() => undefined);
      texts = await next;
    }
    // Every written lesson is computed: the model and word lists are not needed for the rest of the import (in a
    // big one its matching goes on for minutes, and its memory grows meanwhile: a 100,000-file import's RSS went
    // 254 → 221 MB for its last 100 s).
    if (!stopped) computer.release?.();
    await storing;
  })();
  // Awaited by finish or stop; until then a failure must not count as unhandled.
  run.catch(() => undefined);

  const end = (): void => {
    ended = true;
    wake?.();
    waitStarted?.();
  };
  return {
    written(lessonIds) {
      // One at a time: spreading a huge batch into push() would overflow the stack.
      for (const id of lessonIds) queue.push(id);
      wake?.();
      wake = undefined;
    },
    allWritten() {
      allWritten = true;
      wake?.();
      wake = undefined;
    },
    during(waiting) {
      waits += 1;
      waitStarted?.();
      waitStarted = undefined;
      return waiting.finally(() => {
        waits -= 1;
      });
    },
    async finish() {
      end();
      await run;
      return { computed, failed };
    },
    async stop() {
      stopped = true;
      end();
      await run.catch(() => undefined);
    },
  };
}
