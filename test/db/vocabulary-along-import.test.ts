import { describe, expect, it } from 'vitest';
import { countLessons } from '../../src/db/lessons.js';
import type { Lesson } from '../../src/domain/lesson.js';
import { importLessons } from '../../src/lessons/import.js';
import { vocabularyAlongImport } from '../../src/vocabulary/along-import.js';
import { createVocabularyComputer } from '../../src/vocabulary/computer.js';
import { refreshVocabularies } from '../../src/vocabulary/service.js';
import { testDatabaseTargets, useTestDatabase } from '../support/databases.js';
import { discoveryLessons } from '../support/discovery-library.js';
import { makeLesson } from '../support/lessons.js';
import { BATCH_TIMEOUTS } from '../../src/db/timeouts.js';

/**
 * The lessons CLI on PostgreSQL computes an import's vocabularies while the database writes and matches
 * (src/vocabulary/along-import.ts), in the import's transaction. What it stores must be what the refresh after
 * an import stores, whatever the batches; a failed import leaves none.
 */
describe.each(testDatabaseTargets())('vocabulary computed alongside an import on $kind', (target) => {
  // The lessons CLI's bounds (a batch job's), as the CLI runs this import: the vocabulary is computed in this thread
  // while a statement is out. (A 'Query read timeout' here once was the wink model's loads growing: wink-model.ts.)
  const database = useTestDatabase(target, { timeouts: BATCH_TIMEOUTS });
  const computer = createVocabularyComputer();
  const alongside = { alongside: (trx: Parameters<typeof vocabularyAlongImport>[0]) => vocabularyAlongImport(trx, computer) };

  /** Every stored vocabulary and word, without the time they were computed. */
  const vocabularies = async () => {
    const { db } = database();
    return {
      lessons: await db
        .selectFrom('lesson_vocabularies')
        .select(['lesson_id', 'content_hash', 'lexicon_version', 'level', 'outside_2k', 'outside_5k', 'counted_words'])
        .orderBy('lesson_id')
        .execute(),
      words: await db.selectFrom('lesson_vocabulary_words').selectAll().orderBy('lesson_id').orderBy('position').execute(),
    };
  };

  it('stores, with the lessons, the vocabularies the refresh after an import stores, whatever the batch size', async () => {
    const lessons = await discoveryLessons();
    await importLessons(database().db, lessons);
    expect(await refreshVocabularies(database().db, computer)).toMatchObject({ computed: lessons.length, failed: [] });
    const computedAfter = await vocabularies();
    expect(computedAfter.lessons).toHaveLength(lessons.length);
    expect(computedAfter.words.length).toBeGreaterThan(lessons.length);
    for (const batchSize of [1, 3, 250]) {
      await database().truncate();
      expect(await importLessons(database().db, lessons, { batchSize, ...alongside })).toEqual({ imported: lessons.length, updated: 0, unchanged: 0 });
      expect(await vocabularies(), `batches of ${batchSize}`).toEqual(computedAfter);
      // Nothing is left for the refresh to compute.
      expect((await refreshVocabularies(database().db, computer)).computed).toBe(0);
    }
  });

  it('a lesson twice in an import keeps the vocabulary of its later copy; unchanged lessons are not computed again', async () => {
    const first = makeLesson({ title: 'Ferry services resume after the storm' });
    const later = { ...first, article: ['Ferries crossed the strait at dawn, carrying merchants and their cargo.'] };
    const other = makeLesson({ title: 'Rice prices rise' });
    await importLessons(database().db, [first, other, later], { batchSize: 2, ...alongside });
    const stored = await database()
      .db.selectFrom('lesson_vocabularies as v')
      .innerJoin('lessons as l', 'l.id', 'v.lesson_id')
      .select(['v.lesson_id', 'v.content_hash as vocabulary_hash', 'l.content_hash as lesson_hash', 'v.computed_at'])
      .orderBy('v.lesson_id')
      .execute();
    expect(stored).toHaveLength(2);
    for (const row of stored) expect(row.vocabulary_hash).toBe(row.lesson_hash);
    const words = await database().db.selectFrom('lesson_vocabulary_words').select('word').where('lesson_id', '=', first.id).execute();
    expect(words.map((row) => row.word)).toContain('dawn');
    // Imported again unchanged: nothing is written, so nothing computed.
    expect(await importLessons(database().db, [other, later], alongside)).toEqual({ imported: 0, updated: 0, unchanged: 2 });
    const again = await database().db.selectFrom('lesson_vocabularies').select(['lesson_id', 'computed_at']).orderBy('lesson_id').execute();
    expect(again).toEqual(stored.map((row) => ({ lesson_id: row.lesson_id, computed_at: row.computed_at })));
    // Again, read meanwhile in the reading app (its Read Count and Last Read): nothing computed either.
    const reread = (lesson: Lesson): Lesson => ({ ...lesson, sourceStats: { ...lesson.sourceStats, readCount: lesson.sourceStats.readCount + 2 }, sourceTimes: { ...lesson.sourceTimes, lastRead: '2026-12-07T21:05:00.000Z' } });
    expect(await importLessons(database().db, [reread(other), reread(later)], alongside)).toEqual({ imported: 0, updated: 0, unchanged: 2 });
    expect(await database().db.selectFrom('lesson_vocabularies').select(['lesson_id', 'computed_at']).orderBy('lesson_id').execute()).toEqual(again);
  });

  it('a lesson whose vocabulary cannot be computed is left without one; the import and the other lessons are not', async () => {
    const lessons = (await discoveryLessons()).slice(0, 6);
    const failing = lessons[2]?.id as string;
    const refusing = {
      compute: (lesson: Parameters<typeof computer.compute>[0]) => {
        if (lesson.id === failing) throw new Error('the model refused this text');
        return computer.compute(lesson);
      },
    };
    const counts = await importLessons(database().db, lessons, { batchSize: 2, alongside: (trx) => vocabularyAlongImport(trx, refusing) });
    expect(counts).toEqual({ imported: 6, updated: 0, unchanged: 0 });
    const stored = (await vocabularies()).lessons.map((row) => row.lesson_id);
    expect(stored).toHaveLength(5);
    expect(stored).not.toContain(failing);
    // The refresh after the import (the CLI's step after the commit) computes it, and only it.
    expect(await refreshVocabularies(database().db, computer)).toMatchObject({ computed: 1, failed: [] });
  });

  it('gives back the model and word lists once every written lesson is computed, and a next import loads them again', async () => {
    const lessons = await discoveryLessons();
    const events: string[] = [];
    const recording = {
      compute: (lesson: Parameters<typeof computer.compute>[0]) => {
        events.push('compute');
        return computer.compute(lesson);
      },
      release: () => {
        events.push('release');
        computer.release();
      },
    };
    const reference = await (async () => {
      await importLessons(database().db, lessons, { batchSize: 3, ...alongside });
      return vocabularies();
    })();
    for (const run of [1, 2]) {
      await database().truncate();
      events.length = 0;
      await importLessons(database().db, lessons, { batchSize: 3, alongside: (trx) => vocabularyAlongImport(trx, recording) });
      // Every lesson computed, then the model given back once: nothing computed after it.
      expect(events, `import ${run}`).toEqual([...lessons.map(() => 'compute'), 'release']);
      expect(await vocabularies(), `import ${run}`).toEqual(reference);
    }
  });

  it('a failed import leaves no lesson and no vocabulary, and no statement of the work runs after it', async () => {
    const lessons = await discoveryLessons();
    async function* failingSource(): AsyncGenerator<Lesson> {
      yield* lessons.slice(0, 5);
      throw new Error('the sixth file could not be read');
    }
    await expect(importLessons(database().db, failingSource(), { batchSize: 2, ...alongside })).rejects.toThrow('the sixth file could not be read');
    expect(await countLessons(database().db)).toBe(0);
    expect(await vocabularies()).toEqual({ lessons: [], words: [] });
    // The connection is usable at once (no statement of the rolled-back work left on it): the same import succeeds.
    expect(await importLessons(database().db, lessons.slice(0, 5), { batchSize: 2, ...alongside })).toMatchObject({ imported: 5 });
    expect((await vocabularies()).lessons).toHaveLength(5);
  });
});
