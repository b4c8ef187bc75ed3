import { CompiledQuery, sql, type KyselyPlugin } from 'kysely';
import { describe, expect, it, vi } from 'vitest';
import { lexemeDocCounts } from '../../src/db/lexeme-docs.js';
import { countLessons, findLesson } from '../../src/db/lessons.js';
import { relatedReadings } from '../../src/discovery/related.js';
import { MATCH_THRESHOLD, scoreSimilarReading } from '../../src/discovery/similar-readings.js';
import type { Lesson } from '../../src/domain/lesson.js';
import { importLessons } from '../../src/lessons/import.js';
import { testDatabaseTargets, useTestDatabase } from '../support/databases.js';
import { discoveryLessons, LIBRARY } from '../support/discovery-library.js';
import { makeLesson } from '../support/lessons.js';
import { recordQueries } from '../support/query-plans.js';

/**
 * An import writes its lessons a batch at a time (a statement per batch) and matches their titles a batch
 * at a time: what it stores must not depend on where the batches end. Small batches here, so several run.
 */
describe.each(testDatabaseTargets())('import batches on $kind', (target) => {
  const database = useTestDatabase(target);

  /** What an import leaves: every similar-reading row (links and scores), the word counts, the lessons' content. */
  const stored = async () => {
    const { db } = database();
    return {
      titles: await db.selectFrom('similar_readings').selectAll().orderBy('lesson_id').orderBy('position').execute(),
      docs: await db.selectFrom('lexeme_docs').selectAll().orderBy('lexeme').execute(),
      lessons: await db.selectFrom('lessons').select(['id', 'title', 'summary', 'content_hash']).orderBy('id').execute(),
    };
  };

  /** The library with CYBER (whose titles name PEACE, ALLIANCE and MODERN) last and the lessons it names first. */
  const namedFirst = async (): Promise<Lesson[]> => {
    const lessons = await discoveryLessons();
    const first = [LIBRARY.peace, LIBRARY.alliance];
    return [
      ...lessons.filter((l) => first.includes(l.id as (typeof first)[number])),
      ...lessons.filter((l) => !first.includes(l.id as (typeof first)[number]) && l.id !== LIBRARY.cyber),
      ...lessons.filter((l) => l.id === LIBRARY.cyber),
    ];
  };

  it('a title in a later batch names lessons of the first batch, and a title of the first batch one of a later batch', async () => {
    const lessons = await namedFirst();
    // Batches of 2: PEACE and ALLIANCE in the first, MODERN in a middle one, CYBER alone in the last.
    expect(await importLessons(database().db, lessons, { batchSize: 2 })).toEqual({ imported: 11, updated: 0, unchanged: 0 });
    const fromCyber = await relatedReadings(database().db, LIBRARY.cyber);
    expect(fromCyber.lessons.filter((l) => l.reason === 'similar-reading').map((l) => l.id)).toEqual([LIBRARY.peace, LIBRARY.alliance, LIBRARY.modern]);
    // ALLIANCE (first batch) names MODERN (a later batch); MODERN names ALLIANCE back.
    expect((await relatedReadings(database().db, LIBRARY.alliance)).lessons[0]).toMatchObject({ id: LIBRARY.modern, reason: 'similar-reading' });
    expect((await relatedReadings(database().db, LIBRARY.modern)).lessons[0]).toMatchObject({ id: LIBRARY.alliance, reason: 'similar-reading' });
  });

  it('stores the same titles, links, scores and word counts whatever the batch size', async () => {
    const lessons = await namedFirst();
    await importLessons(database().db, lessons, { batchSize: 1000 });
    const oneBatch = await stored();
    expect(oneBatch.titles.filter((title) => title.matched_lesson_id !== null).length).toBeGreaterThanOrEqual(5);
    for (const batchSize of [1, 2, 3, 5]) {
      await database().truncate();
      await importLessons(database().db, lessons, { batchSize });
      expect(await stored(), `batches of ${batchSize}`).toEqual(oneBatch);
    }
  });

  it.each([5, 2])('a lesson twice in an import is written twice in order: the later copy wins, counted as an update (batches of %i)', async (batchSize) => {
    const [a, b, c] = [makeLesson({ title: 'Ferry services resume after the storm' }), makeLesson({ title: 'Rice prices rise' }), makeLesson({ title: 'Robots in a museum' })];
    const changedA = { ...a, summary: 'Ferries run again between the islands after the storm.' };
    // Batches of 5: A, B and A again in one (the second A starts the next batch). Batches of 2: A twice
    // in different batches, and its titles matched in different batches of the linking.
    const counts = await importLessons(database().db, [a, b, changedA, c, { ...c }], { batchSize });
    expect(counts).toEqual({ imported: 3, updated: 1, unchanged: 1 });
    expect((await findLesson(database().db, a.id))?.lesson.summary).toBe(changedA.summary);
    expect(await countLessons(database().db)).toBe(3);
    const afterRepeats = await stored();
    // The same lessons imported once each, in one batch, leave the same library and counts.
    await database().truncate();
    expect(await importLessons(database().db, [b, changedA, c], { batchSize: 5 })).toEqual({ imported: 3, updated: 0, unchanged: 0 });
    expect(await stored()).toEqual(afterRepeats);
  });

  it('re-imports in batches (updated, unchanged and new lessons) leave what the same imports in one batch leave', async () => {
    const lessons = await namedFirst();
    const edited = lessons.map((lesson, index) => (index % 3 === 0 ? { ...lesson, summary: `${lesson.summary} Updated.` } : lesson));
    const extra = makeLesson({ title: 'Cherry blossoms open early in Tokyo' });
    const run = async (batchSize: number) => {
      await database().truncate();
      await importLessons(database().db, lessons, { batchSize });
      const counts = await importLessons(database().db, [...edited, extra], { batchSize });
      await importLessons(database().db, lessons, { batchSize: batchSize + 1 });
      return { counts, stored: await stored() };
    };
    const oneBatch = await run(1000);
    expect(oneBatch.counts).toEqual({ imported: 1, updated: 4, unchanged: 7 });
    expect(await run(3)).toEqual(oneBatch);
  });

  it('titles matched through the queue that parallel workers share store what one backend’s statement stores (forward, backward, again)', async () => {
    const lessons = await namedFirst();
    const later: readonly string[] = [LIBRARY.peace, LIBRARY.alliance, LIBRARY.modern];
    const edited = lessons.map((lesson, index) => (index % 3 === 0 ? { ...lesson, summary: `${lesson.summary} Updated.` } : lesson));
    const run = async (parallelMatching: boolean) => {
      await database().truncate();
      const states: Awaited<ReturnType<typeof stored>>[] = [];
      // Forward (titles against the whole library), backward (titles imported before, against the new lessons by
      // id), then a re-import that changes lessons others name (those titles matched again against the whole library).
      await importLessons(database().db, lessons.filter((lesson) => !later.includes(lesson.id)), { parallelMatching, batchSize: 2 });
      states.push(await stored());
      await importLessons(database().db, lessons.filter((lesson) => later.includes(lesson.id)), { parallelMatching, backward: { filterUpToLexemes: 0 } });
      states.push(await stored());
      await importLessons(database().db, edited, { parallelMatching, batchSize: 3 });
      states.push(await stored());
      return states;
    };
    const oneBackend = await run(false);
    expect(oneBackend[1]?.titles.filter((title) => title.matched_lesson_id !== null).length).toBeGreaterThan(oneBackend[0]?.titles.filter((title) => title.matched_lesson_id !== null).length ?? 0);
    expect(await run(true)).toEqual(oneBackend);
  });

  it('titles imported before take the lessons a later import brings alike, their titles found through the index or read page by page', async () => {
    const lessons = await namedFirst();
    // CYBER's titles name PEACE, ALLIANCE and MODERN, which a second import brings.
    const later: readonly string[] = [LIBRARY.peace, LIBRARY.alliance, LIBRARY.modern];
    const runs: Awaited<ReturnType<typeof stored>>[] = [];
    for (const backward of [
      {},
      // Every stored title read, one a page, each scored alone, the new lessons looked up one at a time.
      { filterUpToLexemes: 0, titlesPage: 1, pairsPerStatement: 1, lessons: 1 },
      { titlesPage: 2, pairsPerStatement: 2, lessons: 2 },
      // More titles share the new lessons' words than the index lookup takes: every title read after all.
      { filterUpToTitles: 1, titlesPage: 3 },
    ]) {
      await database().truncate();
      await importLessons(database().db, lessons.filter((lesson) => !later.includes(lesson.id)));
      expect(await importLessons(database().db, lessons.filter((lesson) => later.includes(lesson.id)), { backward })).toEqual({ imported: 3, updated: 0, unchanged: 0 });
      runs.push(await stored());
      const fromCyber = await relatedReadings(database().db, LIBRARY.cyber);
      expect(fromCyber.lessons.filter((l) => l.reason === 'similar-reading').map((l) => l.id), JSON.stringify(backward)).toEqual([
        LIBRARY.peace,
        LIBRARY.alliance,
        LIBRARY.modern,
      ]);
    }
    for (const run of runs.slice(1)) expect(run).toEqual(runs[0]);
  });

  /** The stored link of a title, and what matching it against the whole library gives (the threshold applied). */
  const linkOf = async (lessonId: string, position = 0) => {
    const { db } = database();
    const row = await db.selectFrom('similar_readings').selectAll().where('lesson_id', '=', lessonId).where('position', '=', position).executeTakeFirstOrThrow();
    const best = await scoreSimilarReading(db, row.title, lessonId);
    // Scores are stored as real: compared to six digits.
    const digits = (score: number) => Number(score.toPrecision(6));
    const wholeLibrary = best && best.score >= MATCH_THRESHOLD ? { lessonId: best.lessonId, score: digits(best.score) } : { lessonId: null, score: null };
    return { stored: { lessonId: row.matched_lesson_id, score: row.score === null ? null : digits(Number(row.score)) }, wholeLibrary };
  };

  it('a title naming a lesson that a re-import changed is matched again against the whole library', async () => {
    const named = 'Ferry services resume after the storm on Sado island';
    const exact = makeLesson({ title: named, summary: 'Boats sail again between Niigata and the island.', date: '2026-01-10' });
    const close = makeLesson({ title: 'Ferry services resume on Sado island', summary: 'Boats sail again.', date: '2026-01-05' });
    const naming = makeLesson({ title: 'Robots greet museum visitors', summary: 'A museum in Tokyo tries robot guides.', similarReadings: [named] });
    await importLessons(database().db, [exact, close, naming]);
    expect((await linkOf(naming.id)).stored).toEqual({ lessonId: exact.id, score: 1 });

    // The lesson it named is about something else now: the title names the other ferry lesson.
    await importLessons(database().db, [{ ...exact, title: 'Rice prices rise sharply in Niigata', summary: 'Farmers blame the hot summer.' }]);
    const moved = await linkOf(naming.id);
    expect(moved.stored.lessonId).toBe(close.id);
    expect(moved.stored).toEqual(moved.wholeLibrary);

    // And when that one changes too, it names none.
    await importLessons(database().db, [{ ...close, title: 'Cherry blossoms open early in Tokyo', summary: 'Parks fill with visitors.' }]);
    expect(await linkOf(naming.id)).toEqual({ stored: { lessonId: null, score: null }, wholeLibrary: { lessonId: null, score: null } });
  });

  it('a title whose lesson was deleted names a lesson imported later, as if it had never named one', async () => {
    const named = 'Ferry services resume after the storm on Sado island';
    const exact = makeLesson({ title: named, summary: 'Boats sail again.' });
    const naming = makeLesson({ title: 'Robots greet museum visitors', summary: 'A museum in Tokyo tries robot guides.', similarReadings: [named] });
    await importLessons(database().db, [exact, naming]);
    await database().db.deleteFrom('lessons').where('id', '=', exact.id).execute();
    // The foreign key empties the lesson and leaves the score.
    expect((await linkOf(naming.id)).stored).toEqual({ lessonId: null, score: 1 });
    const again = makeLesson({ title: named, summary: 'Boats sail again.' });
    await importLessons(database().db, [again]);
    expect((await linkOf(naming.id)).stored).toEqual({ lessonId: again.id, score: 1 });
  });

  it('plans the import’s statements without JIT compilation, in its transaction only', async () => {
    const { db } = database();
    const jit = async () => (await sql<{ jit: string }>`show jit`.execute(db)).rows[0]?.jit;
    const before = await jit();
    let inImport: string | undefined;
    await importLessons(db, await discoveryLessons(), {
      alongside: (trx) => ({
        written: () => undefined,
        allWritten: () => undefined,
        during: (waiting) => waiting,
        finish: async () => {
          inImport = (await sql<{ jit: string }>`show jit`.execute(trx)).rows[0]?.jit;
        },
        stop: async () => undefined,
      }),
    });
    expect(inImport).toBe('off');
    // `set local`: the connection's setting is back once the import's transaction ended.
    expect(await jit()).toBe(before);
  });

  it('reads the titles of the two batches after a batch before it is matched', async () => {
    const lessons = await discoveryLessons();
    const recorder = recordQueries(database().db);
    await importLessons(recorder.db, lessons, { batchSize: 3 });
    const steps = recorder
      .take()
      .map((query) => query.sources.at(-1))
      .filter((source) => source === 'headline-matching.similarReadingTitles' || source === 'headline-matching.bestHeadlineMatches');
    const forward = steps.slice(steps.indexOf('headline-matching.similarReadingTitles'));
    expect(forward.filter((step) => step === 'headline-matching.similarReadingTitles').length).toBe(Math.ceil(lessons.length / 3));
    // The second and third batches' titles are asked for before the first batch's are matched, the fourth's before
    // the second's are (and so on).
    expect(forward.slice(0, 5)).toEqual([
      'headline-matching.similarReadingTitles',
      'headline-matching.similarReadingTitles',
      'headline-matching.similarReadingTitles',
      'headline-matching.bestHeadlineMatches',
      'headline-matching.similarReadingTitles',
    ]);
    // What is stored is what one batch at a time stores (tested against other batch sizes above).
    expect((await stored()).titles.length).toBeGreaterThan(0);
  });

  it('builds a batch’s matching statement while the titles of the batch before it are stored', async () => {
    const lessons = await discoveryLessons();
    const recorder = recordQueries(database().db);
    // What happens when: a statement built (sent), and the titles' inserts answered, each late by 100 ms.
    const events: string[] = [];
    const inserts = new Set<unknown>();
    const slowInserts: KyselyPlugin = {
      transformQuery(args) {
        if (args.node.kind === 'InsertQueryNode' && args.node.into?.table.identifier.name === 'similar_readings') {
          inserts.add(args.queryId.queryId);
          events.push('insert sent');
        } else if (args.node.kind === 'RawNode' && JSON.stringify(args.node).includes('with ordinality as h(text')) events.push('match sent');
        return args.node;
      },
      async transformResult(args) {
        if (inserts.has(args.queryId.queryId)) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          events.push('insert answered');
        }
        return args.result;
      },
    };
    await importLessons(recorder.db.withPlugin(slowInserts), lessons, { batchSize: 3 });
    const forward = events.slice(events.indexOf('match sent'));
    expect(forward.filter((event) => event === 'insert sent').length).toBeGreaterThanOrEqual(3);
    // The second batch's titles are matched before the first batch's insert is answered.
    expect(forward.slice(0, 4)).toEqual(['match sent', 'insert sent', 'match sent', 'insert answered']);
    expect((await stored()).titles.length).toBeGreaterThan(0);
  });

  it('parses each title’s text-search queries once a statement, not once for each of its candidates', async () => {
    const lessons = await discoveryLessons();
    const recorder = recordQueries(database().db);
    await importLessons(recorder.db, lessons, { batchSize: 3 });
    const matching = recorder.take().filter((query) => query.sources.includes('headline-matching.bestHeadlineMatches'));
    expect(matching.length).toBeGreaterThan(0);
    for (const { query } of matching.slice(0, 2)) {
      const plan = await database().db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(`explain (verbose, format json) ${query.sql}`, [...query.parameters]));
      const text = JSON.stringify(plan.rows);
      // Its candidates are found, and ranked, with queries read once from the statement's parameters: no cast of a
      // title's text to tsquery in the plan (each was parsed again for every candidate).
      expect(text).toContain('head_vector @@ h.candidates');
      expect(text).not.toMatch(/\(h\.(?:candidates|any_word)\)::tsquery/u);
    }
  });

  it('looks up no lesson of an import for titles of other lessons when no title is stored', async () => {
    const lessons = await namedFirst();
    const later: readonly string[] = [LIBRARY.peace, LIBRARY.alliance, LIBRARY.modern];
    const backwardLookups = async (toImport: readonly Lesson[]) => {
      const recorder = recordQueries(database().db);
      await importLessons(recorder.db, toImport, { batchSize: 2 });
      return recorder.take().filter((query) => query.sources.includes('headline-matching.headLexemes')).length;
    };
    // Into an empty library: its own titles deleted, none stored to link back to its lessons.
    expect(await backwardLookups(lessons.filter((lesson) => !later.includes(lesson.id)))).toBe(0);
    // Into a library with titles: its lessons looked up, two a statement.
    expect(await backwardLookups(lessons.filter((lesson) => later.includes(lesson.id)))).toBe(2);
    expect((await relatedReadings(database().db, LIBRARY.cyber)).lessons.filter((l) => l.reason === 'similar-reading').map((l) => l.id)).toEqual([
      LIBRARY.peace,
      LIBRARY.alliance,
      LIBRARY.modern,
    ]);
  });

  it('a source failing after two batches were written writes nothing', async () => {
    const lessons = await discoveryLessons();
    async function* failingAfterFive() {
      yield* lessons.slice(0, 5);
      throw new Error('file changed while it was imported');
    }
    await expect(importLessons(database().db, failingAfterFive(), { batchSize: 2 })).rejects.toThrow('file changed');
    expect(await countLessons(database().db)).toBe(0);
    expect(await stored()).toEqual({ titles: [], docs: [], lessons: [] });
  });

  it('a write refused in the first batch, while the next is read, writes nothing', async () => {
    const lessons = await discoveryLessons();
    let readAfterRefusal = 0;
    async function* withBadDate() {
      // February 30th is refused by the database when the first batch is written.
      yield { ...(lessons[0] as Lesson), date: '2025-02-30' };
      yield* lessons.slice(1, 3);
      for (const lesson of lessons.slice(3)) {
        readAfterRefusal += 1;
        await new Promise((resolve) => setTimeout(resolve, 5));
        yield lesson;
      }
    }
    await expect(importLessons(database().db, withBadDate(), { batchSize: 3 })).rejects.toThrow();
    expect(readAfterRefusal).toBeGreaterThan(0);
    expect(await countLessons(database().db)).toBe(0);
    expect(await stored()).toEqual({ titles: [], docs: [], lessons: [] });
  });

  it('writes a batch while a source that never leaves the event loop’s turn (synchronous reads) yields the next one', async () => {
    // The CLI's source reads and parses its files synchronously: each lesson comes in a microtask. Its batch's
    // statements must still be answered and the next ones sent while the following batch is read, not after it.
    const lessons = Array.from({ length: 240 }, (_, i) => makeLesson({ title: `Read without a pause ${i}` }));
    let written = 0;
    const writtenWhenPulled: number[] = [];
    async function* parsedInOneTurn() {
      for (const lesson of lessons) {
        writtenWhenPulled.push(written);
        // Parsing a file: ~2 ms of this thread, no await.
        const parsedBy = performance.now() + 2;
        while (performance.now() < parsedBy);
        yield lesson;
      }
    }
    await importLessons(database().db, parsedInOneTurn(), { batchSize: 60, onProgress: (done) => (written = done) });
    expect(written).toBe(240);
    // A batch was written before the next one was all read (one at least: a busy machine may slow a statement).
    // Without turns, each batch is told written only once the next is read: 0, 60 and 120 at those lessons.
    const writtenWhenNextRead = [1, 2, 3].map((batch) => writtenWhenPulled[(batch + 1) * 60 - 1]);
    expect(writtenWhenNextRead.some((count, index) => count! >= (index + 1) * 60)).toBe(true);
    expect(await countLessons(database().db)).toBe(240);
  });

  it('counts the words of titles holding more distinct words than a statement has parameters (65,535)', async () => {
    const lessons = await discoveryLessons();
    await importLessons(database().db, lessons);
    const known = await database().db.selectFrom('lexeme_docs').select(['lexeme', 'docs']).where('lexeme', '<>', '').orderBy('lexeme').limit(5).execute();
    expect(known).toHaveLength(5);
    // 70,000 words no lesson has (as a batch of many similar-reading titles brings), and five that some have.
    const unknown = Array.from({ length: 70_000 }, (_, i) => `zz${i.toString(36)}`);
    const counts = await lexemeDocCounts(database().db, [...unknown, ...known.map((row) => row.lexeme)]);
    expect(new Map([...counts].sort(([a], [b]) => (a < b ? -1 : 1)))).toEqual(new Map(known.map((row) => [row.lexeme, row.docs])));
  });
});

const postgres = testDatabaseTargets().filter((target) => target.kind === 'postgres');

describe.runIf(postgres.length > 0)('import batches on PostgreSQL, with another transaction', () => {
  const database = useTestDatabase(postgres[0] ?? testDatabaseTargets()[0]!);

  it('builds the next batch’s statement while the batch before it is written, and no batch beyond it', async () => {
    const { db } = database();
    const held = makeLesson({ title: 'Held by another transaction' });
    await importLessons(db, [held]);
    // Another transaction locks that lesson's row: the import's first batch, which changes it, waits for it.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const locking = new Promise<void>((resolve) => (locked = resolve));
    const other = db.transaction().execute(async (trx) => {
      await trx.selectFrom('lessons').select('id').where('id', '=', held.id).forUpdate().execute();
      locked();
      await released;
    });
    await locking;
    // Which lessons' content the import has read (a statement's rows are built from it).
    const contentRead = new Set<string>();
    const watched = (lesson: Lesson): Lesson => {
      const copy = { ...lesson };
      Object.defineProperty(copy, 'title', {
        enumerable: true,
        get: () => {
          contentRead.add(lesson.title);
          return lesson.title;
        },
      });
      return copy;
    };
    const [b, c, d] = ['Second batch, first', 'Second batch, second', 'Third batch'].map((title) => makeLesson({ title }));
    const lessons = [{ ...held, title: 'Changed while held' }, makeLesson({ title: 'First batch, new' }), b!, c!, d!].map(watched);
    const importing = importLessons(db, lessons, { batchSize: 2 });
    try {
      // The first batch's statement waits for the row lock.
      await vi.waitFor(
        async () => {
          const waiting = await sql<{ n: string }>`
            select count(*) as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`.execute(db);
          expect(Number(waiting.rows[0]?.n)).toBe(1);
        },
        { timeout: 10_000, interval: 50 },
      );
      await vi.waitFor(() => expect(contentRead.has(c!.title)).toBe(true), { timeout: 5_000, interval: 20 });
      expect(contentRead.has(b!.title)).toBe(true);
      // Two batches at most: the third is not read before the first is written.
      expect(contentRead.has(d!.title)).toBe(false);
    } finally {
      release();
      await other;
    }
    expect(await importing).toEqual({ imported: 4, updated: 1, unchanged: 0 });
    expect((await findLesson(db, held.id))?.lesson.title).toBe('Changed while held');
  });
});
