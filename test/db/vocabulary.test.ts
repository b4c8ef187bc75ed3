import type { APIEmbed } from 'discord.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { lockSessions } from '../../src/db/open-from-config.js';
import { findLesson } from '../../src/db/lessons.js';
import { recordReading } from '../../src/db/reading.js';
import { findVocabulary, lessonsNeedingVocabulary, lessonTexts, replaceVocabularies, type LessonText } from '../../src/db/vocabulary.js';
import { upsertLessons } from '../../src/db/lessons.js';
import { lexiconVersion } from '../../src/vocabulary/version.js';
import { makeLesson } from '../support/lessons.js';
import { importLessons } from '../../src/lessons/import.js';
import { BLANK, blankOut, occursIn } from '../../src/domain/vocabulary/sentence.js';
import { seededRandom } from '../../src/domain/vocabulary/random.js';
import { createVocabularyComputer } from '../../src/vocabulary/computer.js';
import { answerQuestion, latestAnswer, quizProgress, startQuiz, type QuizState } from '../../src/vocabulary/quiz-service.js';
import { renderQuiz } from '../../src/vocabulary/views.js';
import { createVocabularyService, lessonVocabulary, refreshVocabularies } from '../../src/vocabulary/service.js';
import { quizProgressSection } from '../../src/vocabulary/progress-section.js';
import { memberProgress } from '../../src/reading/progress.js';
import { testDatabaseTargets, useTestDatabase } from '../support/databases.js';
import { fixtureLessons, formsLesson, lessonText, namesLesson, referenceLesson } from '../support/vocabulary-lessons.js';

// One computer for the file: the word lists load once.
const computer = createVocabularyComputer();
afterAll(() => computer.close());
/** The file's computer as a service's own, which the service's close leaves open for the next test. */
const inThisThread = { compute: (l: Parameters<typeof computer.compute>[0]) => computer.compute(l), close: () => undefined };

const ann = { guildId: '100000000000000001', userId: '200000000000000001' };
const bob = { guildId: '100000000000000001', userId: '200000000000000002' };

describe.each(testDatabaseTargets())('vocabulary and quizzes on $kind', (target) => {
  const db = useTestDatabase(target);

  async function importAndCompute(...lessons: ReturnType<typeof referenceLesson>[]) {
    await importLessons(db().db, lessons);
    return refreshVocabularies(db().db, computer);
  }

  /** Answers the current question: right, or with the first wrong choice. */
  async function answer(state: QuizState, member: typeof ann, right: boolean) {
    const current = state.current!;
    const choice = current.choices.findIndex((c) => (c === current.answer) === right);
    return answerQuestion(db().db, { attemptId: state.attempt.id, position: current.position, choice, ...member });
  }

  it('is computed after import and stored: words, lemmas, definitions, sentences; the card gets a level', async () => {
    const lesson = referenceLesson();
    expect(await importAndCompute(lesson, namesLesson)).toEqual({ computed: 2, failed: [] });
    const stored = await findVocabulary(db().db, lesson.id);
    expect(stored?.entries.length).toBeGreaterThanOrEqual(8);
    for (const entry of stored!.entries) {
      expect(lessonText(lesson)).toContain(entry.sentence);
      expect(occursIn(entry.word, entry.sentence)).toBe(true);
      expect(entry.distractors).toHaveLength(3);
    }
    expect((await findLesson(db().db, lesson.id))?.level).toMatchObject({ band: 'B2' });
    // Nothing left to do: a second refresh computes nothing.
    expect(await refreshVocabularies(db().db, computer)).toEqual({ computed: 0, failed: [] });
  });

  it('is recomputed when the lesson changes, and for every lesson on request', async () => {
    await importAndCompute(formsLesson);
    const changed = { ...formsLesson, article: [...formsLesson.article, 'The growers thanked an entomologist for her advice.'] };
    expect((await importLessons(db().db, [changed])).updated).toBe(1);
    expect((await refreshVocabularies(db().db, computer)).computed).toBe(1);
    expect((await findVocabulary(db().db, formsLesson.id))?.entries.map((e) => e.lemma)).toContain('entomologist');
    expect((await refreshVocabularies(db().db, computer, { all: true })).computed).toBe(1);
  });

  it('is computed on demand for a lesson that has none yet', async () => {
    await importLessons(db().db, [namesLesson]);
    expect(await findVocabulary(db().db, namesLesson.id)).toBeUndefined();
    expect((await lessonVocabulary(db().db, namesLesson.id, computer))?.entries.length).toBeGreaterThanOrEqual(8);
    expect(await lessonVocabulary(db().db, '00000000-0000-4000-8000-000000000000', computer)).toBeUndefined();
  });

  it('a vocabulary that cannot be computed (its worker died) is an error to log, not "no such lesson"; a stale one is shown meanwhile', async () => {
    const dying = { compute: async () => Promise.reject(new Error('vocabulary worker exited (code null)')), close: () => undefined };
    await importLessons(db().db, [namesLesson]);
    await expect(lessonVocabulary(db().db, namesLesson.id, dying)).rejects.toThrow(/could not be computed: vocabulary worker exited/u);
    // A lesson that is not there is still "none".
    expect(await lessonVocabulary(db().db, '00000000-0000-4000-8000-000000000000', dying)).toBeUndefined();

    const stored = await lessonVocabulary(db().db, namesLesson.id, computer);
    await importLessons(db().db, [{ ...namesLesson, article: [...namesLesson.article, 'The council met again on Tuesday.'] }]);
    expect((await lessonVocabulary(db().db, namesLesson.id, dying))?.entries).toEqual(stored?.entries);
  });

  it('many asking at once for a lesson that has none (members in two processes, the catch-up) all get it, computed and stored whole', async () => {
    await importLessons(db().db, [namesLesson]);
    // Slow enough that every computation overlaps: the writers then meet at the same lesson's rows.
    const slow = { compute: async (l: Parameters<typeof computer.compute>[0]) => (await new Promise((r) => setTimeout(r, 30)), computer.compute(l)), close: () => undefined };
    const processes = [createVocabularyService({ db: db().db, computer: slow }), createVocabularyService({ db: db().db, computer: slow })];
    const asked = await Promise.allSettled([
      ...processes.flatMap((service) => [service.list(namesLesson.id), service.list(namesLesson.id)]),
      lessonVocabulary(db().db, namesLesson.id, slow),
      lessonVocabulary(db().db, namesLesson.id, slow),
    ]);
    expect(asked.map((result) => (result.status === 'rejected' ? String(result.reason) : 'ok'))).toEqual(Array(6).fill('ok'));
    const stored = await findVocabulary(db().db, namesLesson.id);
    for (const result of asked) if (result.status === 'fulfilled') expect(result.value?.entries).toEqual(stored?.entries);
    const words = await db().db.selectFrom('lesson_vocabulary_words').select('position').where('lesson_id', '=', namesLesson.id).execute();
    expect(words).toHaveLength(stored!.entries.length);
  });

  it('a vocabulary written over another keeps none of the other’s words: a shorter list, a longer one, the same lesson twice in one call', async () => {
    await importLessons(db().db, [namesLesson]);
    const [text] = await lessonTexts(db().db, [namesLesson.id]);
    const computed = computer.compute({ ...text!, dialogue: text!.dialogue });
    const item = (entries: number) => ({ lessonId: namesLesson.id, contentHash: text!.contentHash, lexiconVersion: lexiconVersion(), ...computed, entries: computed.entries.slice(0, entries) });
    const positions = async () =>
      (await db().db.selectFrom('lesson_vocabulary_words').select('position').where('lesson_id', '=', namesLesson.id).orderBy('position').execute()).map((row) => row.position);
    await db().db.transaction().execute((trx) => replaceVocabularies(trx, [item(8)]));
    expect((await findVocabulary(db().db, namesLesson.id))?.entries).toEqual(computed.entries.slice(0, 8));
    await db().db.transaction().execute((trx) => replaceVocabularies(trx, [item(3)]));
    expect(await positions()).toEqual([0, 1, 2]);
    expect((await findVocabulary(db().db, namesLesson.id))?.entries).toEqual(computed.entries.slice(0, 3));
    await db().db.transaction().execute((trx) => replaceVocabularies(trx, [item(2), item(5)]));
    expect((await findVocabulary(db().db, namesLesson.id))?.entries).toEqual(computed.entries.slice(0, 5));
    await db().db.transaction().execute((trx) => replaceVocabularies(trx, [item(0)]));
    expect(await positions()).toEqual([]);
  });

  it('the refresh in steps (texts to a file, computed apart, stored) stores what the refresh in one go does, chunk by chunk', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'newsdesk-staged-'));
    try {
      const lessons = [referenceLesson(), namesLesson, formsLesson];
      await importLessons(db().db, lessons);
      const service = createVocabularyService({ db: db().db, computer });
      expect(await service.countPending()).toBe(3);
      // A chunk of one lesson at a time (a window of the library is read whole, so the first holds all three here).
      const texts = join(dir, 'texts.ndjson');
      const chunk = await service.writePendingTexts(texts, { limit: 1 });
      expect(chunk.written).toBe(3);
      const written = readFileSync(texts, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as LessonText);
      expect(written.map((t) => t.id).sort()).toEqual(lessons.map((l) => l.id).sort());
      // The file as the worker writes it: one computed here, one failed.
      const [first, second, third] = written as [LessonText, LessonText, LessonText];
      const computedLine = (t: LessonText) => ({ lessonId: t.id, contentHash: t.contentHash, lexiconVersion: lexiconVersion(), ...computer.compute({ ...t, dialogue: t.dialogue }) });
      writeFileSync(
        join(dir, 'computed.ndjson'),
        [computedLine(first), { lessonId: second.id, failed: 'no words' }, computedLine(third)].map((line) => JSON.stringify(line)).join('\n') + '\n',
      );
      expect(await service.storeComputed(join(dir, 'computed.ndjson'))).toEqual({ stored: 2, failed: [{ lessonId: second.id, message: 'no words' }] });
      expect(await service.countPending()).toBe(1);
      const again = await service.writePendingTexts(texts, { limit: 10 });
      expect(again).toEqual({ written: 1, next: undefined });
      // What was stored is what the refresh in one go stores.
      const stored = await findVocabulary(db().db, first.id);
      await refreshVocabularies(db().db, computer, { all: true });
      expect(await findVocabulary(db().db, first.id)).toEqual(stored);
      expect(await service.countPending()).toBe(0);
      expect(await service.writePendingTexts(texts, { limit: 10 })).toEqual({ written: 0, next: undefined });
      expect(readFileSync(texts, 'utf8')).toBe('');
      expect((await service.writePendingTexts(texts, { limit: 10, all: true })).written).toBe(3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the refresh in steps resumes after the last lesson it scanned, window by window, until the library ends', async () => {
    const many = Array.from({ length: 260 }, (_, i) => makeLesson({ id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, title: `Lesson ${i}` }));
    await importLessons(db().db, many);
    const service = createVocabularyService({ db: db().db, computer });
    const dir = mkdtempSync(join(tmpdir(), 'newsdesk-staged-'));
    try {
      const texts = join(dir, 'texts.ndjson');
      const first = await service.writePendingTexts(texts, { limit: 1 });
      expect(first.written).toBe(250);
      expect(first.next).toBe(many[249]?.id);
      const second = await service.writePendingTexts(texts, { limit: 1, after: first.next });
      expect(second).toEqual({ written: 10, next: many[259]?.id });
      expect(readFileSync(texts, 'utf8').trimEnd().split('\n').map((line) => (JSON.parse(line) as LessonText).id)).toEqual(many.slice(250).map((l) => l.id));
      // The end is told by a chunk with nothing in it.
      expect(await service.writePendingTexts(texts, { limit: 1, after: second.next })).toEqual({ written: 0, next: undefined });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the bot’s catch-up job computes what an interrupted import left, and stops at shutdown', async () => {
    await importLessons(db().db, [namesLesson, formsLesson]);
    const service = createVocabularyService({ db: db().db, computer: inThisThread });
    expect(await service.catchUp()).toEqual({ computed: 2, failed: [] });
    expect(await service.catchUp()).toEqual({ computed: 0, failed: [] });
    await importLessons(db().db, [referenceLesson()]);
    await service.close();
    expect(await service.catchUp()).toEqual({ computed: 0, failed: [] }); // after shutdown, nothing more is done
  });

  it('a request for the job (a big import left its vocabulary) runs it when idle, once more after a run in progress, and not before the bot’s first run', async () => {
    const logged: Record<string, unknown>[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line) as Record<string, unknown>) });
    const caughtUp = () => logged.filter((line) => line.msg === 'vocabulary caught up').map((line) => line.computed);
    let started!: () => void;
    const firstLessonStarted = new Promise<void>((resolve) => (started = resolve));
    let letGo!: () => void;
    const held = new Promise<void>((resolve) => (letGo = resolve));
    const computedIds: string[] = [];
    const service = createVocabularyService({
      db: db().db,
      logger,
      // Flat out: the job's rests (three times a lesson's time, here the test's hold) are not what is tested.
      catchUpPace: { coreShare: 1 },
      computer: { compute: async (l) => (started(), await held, computedIds.push(l.id), computer.compute(l)), close: () => undefined },
    });
    try {
      // The ids sort so that the lesson imported during the run comes before the one the run is computing: the run's
      // scan, in id order, has passed it.
      const later = makeLesson({ id: '00000000-0000-4000-8000-00000000000a', title: 'Imported while the job ran' });
      const first = makeLesson({ id: '00000000-0000-4000-8000-00000000000b', title: 'In the library at the start' });
      await importLessons(db().db, [first]);
      // Before the bot's first run: nothing (that run finds what was asked for).
      service.catchUpAsked();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(computedIds).toEqual([]);

      service.startCatchUp();
      await firstLessonStarted;
      await importLessons(db().db, [later]);
      service.catchUpAsked();
      service.catchUpAsked(); // two asks during one run: one more run
      letGo();
      await expect.poll(caughtUp).toEqual([1, 1]);
      expect(computedIds).toEqual([first.id, later.id]);

      // Idle: a request runs the job at once.
      const third = makeLesson({ id: '00000000-0000-4000-8000-00000000000c', title: 'Imported while the bot was idle' });
      await importLessons(db().db, [third]);
      service.catchUpAsked();
      await expect.poll(caughtUp).toEqual([1, 1, 1]);
      expect(computedIds).toEqual([first.id, later.id, third.id]);
    } finally {
      letGo();
      await service.close();
    }
  });

  it('finds the stale vocabularies of a library bigger than a window, a window at a time, and the catch-up computes exactly those', async () => {
    const lessons = Array.from({ length: 600 }, (_, i) => makeLesson({ title: `Window lesson ${i}` }));
    await upsertLessons(db().db, lessons);
    const byId = [...lessons].sort((a, b) => (a.id < b.id ? -1 : 1));
    // Every lesson has a current vocabulary but three: one missing, one for older content, one from older word lists.
    const [missing, oldContent, oldLists] = [byId[5]!, byId[300]!, byId[599]!];
    const hashes = await db().db.selectFrom('lessons').select(['id', 'content_hash']).execute();
    await replaceVocabularies(
      db().db,
      hashes
        .filter((row) => row.id !== missing.id)
        .map((row) => ({
          lessonId: row.id,
          contentHash: row.id === oldContent.id ? 'older content' : row.content_hash,
          lexiconVersion: row.id === oldLists.id ? 'older lists' : lexiconVersion(),
          entries: [],
          level: { band: 'B1' as const, outside2k: 0.2, outside5k: 0.1, words: 100 },
        })),
    );
    const windows: { ids: string[]; lastScanned: string | undefined }[] = [];
    let after: string | undefined;
    for (;;) {
      const window = await lessonsNeedingVocabulary(db().db, { lexiconVersion: lexiconVersion(), after, window: 250 });
      windows.push(window);
      if (window.lastScanned === undefined) break;
      after = window.lastScanned;
    }
    expect(windows.map((w) => w.ids)).toEqual([[missing.id], [oldContent.id], [oldLists.id], []]);
    expect(windows.map((w) => w.lastScanned)).toEqual([byId[249]!.id, byId[499]!.id, byId[599]!.id, undefined]);
    expect((await lessonsNeedingVocabulary(db().db, { lexiconVersion: lexiconVersion(), window: 250, all: true })).ids).toHaveLength(250);

    const service = createVocabularyService({ db: db().db, computer: inThisThread });
    expect(await service.catchUp()).toEqual({ computed: 3, failed: [] });
    expect(await service.catchUp()).toEqual({ computed: 0, failed: [] });
    await service.close();
  });

  it('the catch-up job rests between lessons so that it uses at most its share of a core; the CLI’s refresh does not rest', async () => {
    await importLessons(db().db, [namesLesson, formsLesson]);
    let clock = 0;
    const rests: number[] = [];
    // Each lesson "takes" 40 ms of the fake clock; a quarter of a core means resting 120 ms after it.
    const slowComputer = { compute: async (l: Parameters<typeof computer.compute>[0]) => ((clock += 40), computer.compute(l)), close: () => undefined };
    const service = createVocabularyService({
      db: db().db,
      computer: slowComputer,
      catchUpPace: { coreShare: 0.25, now: () => clock, rest: async (ms) => void rests.push(ms) },
    });
    expect(await service.catchUp()).toEqual({ computed: 2, failed: [] });
    expect(rests).toEqual([120, 120]);
    await importLessons(db().db, [referenceLesson()]);
    rests.length = 0;
    expect((await service.refresh()).computed).toBe(1);
    expect(rests).toEqual([]);
    await service.close();
  });

  it('a quiz asks 3–5 questions one at a time, says right or wrong with the answer, and ends with the score', async () => {
    const lesson = referenceLesson();
    await importAndCompute(lesson);
    const started = await startQuiz(db().db, ann, lesson.id);
    expect(started.kind).toBe('started');
    if (started.kind !== 'started') return;
    let state = started.state;
    const total = state.attempt.questionCount;
    expect(total).toBeGreaterThanOrEqual(3);
    expect(total).toBeLessThanOrEqual(5);
    expect(state.attempt.attemptNumber).toBe(1);
    let right = 0;
    for (let i = 0; i < total; i++) {
      const current = state.current!;
      expect(current.position).toBe(i);
      expect(current.prompt).toContain(BLANK);
      expect(lessonText(lesson)).toContain(current.prompt.replace(BLANK, current.answer));
      const answerRight = i % 2 === 0;
      const outcome = await answer(state, ann, answerRight);
      expect(outcome.kind).toBe('answered');
      if (outcome.kind !== 'answered') return;
      expect(outcome.question).toMatchObject({ correct: answerRight, answer: current.answer });
      expect(outcome.question.answeredAt).toBeInstanceOf(Date);
      if (answerRight) right++;
      state = outcome.state;
    }
    expect(state.current).toBeUndefined();
    expect(state.attempt.finishedAt).toBeInstanceOf(Date);
    expect(state.attempt.score).toBe(right);
    expect(await quizProgress(db().db, ann)).toMatchObject({ quizzesTaken: 1, averageScore: right / total });
  });

  it('a second attempt is recorded as attempt 2, and the average covers both', async () => {
    const lesson = referenceLesson();
    await importAndCompute(lesson);
    const scores: number[] = [];
    for (const attempt of [1, 2]) {
      const started = await startQuiz(db().db, ann, lesson.id);
      if (started.kind === 'no-vocabulary' || started.kind === 'too-few-words') throw new Error(started.kind);
      expect(started.kind).toBe('started');
      expect(started.state.attempt.attemptNumber).toBe(attempt);
      let state = started.state;
      while (state.current) {
        const outcome = await answer(state, ann, attempt === 2); // all wrong, then all right
        if (outcome.kind !== 'answered') throw new Error(outcome.kind);
        state = outcome.state;
      }
      scores.push(state.attempt.score / state.attempt.questionCount);
    }
    expect(scores).toEqual([0, 1]);
    const progress = await quizProgress(db().db, ann);
    expect(progress.quizzesTaken).toBe(2);
    expect(progress.averageScore).toBeCloseTo(0.5);
    // Words met: the lesson's whole vocabulary, counted once.
    expect(progress.wordsMet).toBe((await findVocabulary(db().db, lesson.id))!.entries.length);
  });

  it('/progress shows the member their quizzes taken, average score and words met, and hides them from others', async () => {
    const lesson = referenceLesson();
    await importAndCompute(lesson);
    const started = await startQuiz(db().db, ann, lesson.id);
    if (started.kind !== 'started') throw new Error(started.kind);
    let state = started.state;
    let right = 0;
    for (let i = 0; state.current; i++) {
      const outcome = await answer(state, ann, i === 0); // only the first right
      if (outcome.kind !== 'answered') throw new Error(outcome.kind);
      if (i === 0) right++;
      state = outcome.state;
    }
    const sections = [quizProgressSection((member) => quizProgress(db().db, member))];
    const deps = { db: db().db, now: () => new Date() };
    const own = await memberProgress(deps, { ...ann, askedBy: ann.userId }, sections);
    if (own.kind !== 'report') throw new Error(own.kind);
    const words = (await findVocabulary(db().db, lesson.id))!.entries.length;
    expect(own.report.sections).toEqual([
      {
        title: 'Vocabulary and quizzes',
        private: true,
        lines: ['Quizzes taken: 1', `Average score: ${Math.round((right / state.attempt.questionCount) * 100)}%`, `Words met: ${words}`],
      },
    ]);
    const other = await memberProgress(deps, { ...ann, askedBy: bob.userId }, sections);
    if (other.kind !== 'report') throw new Error(other.kind);
    expect(other.report.sections).toEqual([]);
  });

  it('refuses a click by anyone but the member who started it, and records nothing for them', async () => {
    const lesson = referenceLesson();
    await importAndCompute(lesson);
    const started = await startQuiz(db().db, ann, lesson.id);
    if (started.kind !== 'started') throw new Error(started.kind);
    const outcome = await answer(started.state, bob, true);
    expect(outcome).toEqual({ kind: 'not-yours' });
    const again = await startQuiz(db().db, ann, lesson.id);
    expect(again.kind).toBe('resumed'); // unfinished: the same attempt, still at question 1
    if (again.kind !== 'resumed') return;
    expect(again.state.attempt.id).toBe(started.state.attempt.id);
    expect(again.state.current?.position).toBe(0);
    expect(await quizProgress(db().db, bob)).toEqual({ quizzesTaken: 0, averageScore: null, wordsMet: 0 });
  });

  it('an attempt is not found from another server, even by the member who started it, and records nothing there', async () => {
    const lesson = referenceLesson();
    await importAndCompute(lesson);
    const started = await startQuiz(db().db, ann, lesson.id);
    if (started.kind !== 'started') throw new Error(started.kind);
    // A forged click naming the attempt's id in another server the bot is in: as if it did not exist.
    const elsewhere = { ...ann, guildId: '100000000000000009' };
    expect(await answer(started.state, elsewhere, true)).toEqual({ kind: 'unknown' });
    expect(await answer(started.state, { ...bob, guildId: elsewhere.guildId }, true)).toEqual({ kind: 'unknown' });
    const again = await startQuiz(db().db, ann, lesson.id);
    if (again.kind !== 'resumed') throw new Error(again.kind);
    expect(again.state.attempt.id).toBe(started.state.attempt.id);
    expect(again.state.current?.position).toBe(0);
    expect(again.state.attempt.questions.every((question) => question.answeredAt === null)).toBe(true);
    // In its own server the same click is answered.
    expect((await answer(again.state, ann, true)).kind).toBe('answered');
  });

  it('a double click or a stale button records one answer only', async () => {
    const lesson = referenceLesson();
    await importAndCompute(lesson);
    const started = await startQuiz(db().db, ann, lesson.id);
    if (started.kind !== 'started') throw new Error(started.kind);
    const [first, second] = await Promise.all([answer(started.state, ann, true), answer(started.state, ann, false)]);
    expect([first.kind, second.kind].sort()).toEqual(['answered', 'stale']);
    const later = await answer(started.state, ann, false); // the old message's button, once more
    expect(later.kind).toBe('stale');
    if (later.kind !== 'stale') return;
    expect(later.state.attempt.questions.filter((q) => q.answeredAt !== null)).toHaveLength(1);
    expect(later.state.current?.position).toBe(1);
    // The stale click's message keeps the feedback of the answer that was recorded (the winner's), not none.
    const recorded = first.kind === 'answered' ? first.question : second.kind === 'answered' ? second.question : undefined;
    expect(latestAnswer(later.state)).toEqual(recorded);
    const shown = renderQuiz(lesson.title, later.state, latestAnswer(later.state)).embeds?.[0] as APIEmbed | undefined;
    expect(shown?.description).toMatch(/^(✅ Right|❌ Not quite)/u);
    expect(latestAnswer({ ...started.state })).toBeUndefined();
  });

  it('the quiz message never shows the answer it asks for: the lesson title above the question (an export’s lead sentence) has it blanked too', async () => {
    const lesson = referenceLesson();
    await importAndCompute(lesson);
    const titleOf = (state: QuizState, answered?: Parameters<typeof renderQuiz>[2]) =>
      ((renderQuiz(lesson.title, state, answered).embeds?.[0] as APIEmbed | undefined)?.title ?? '').replace(/\\(.)/gu, '$1');
    let asked = 0;
    for (const seed of [1, 2, 3, 4, 5]) {
      const started = await startQuiz(db().db, ann, lesson.id, seededRandom(seed));
      if (started.kind !== 'started') throw new Error(started.kind);
      let state = started.state;
      let answered: Parameters<typeof renderQuiz>[2];
      while (state.current) {
        const current = state.current;
        // The title is the lesson's lead sentence: "…agreed to strengthen cooperation in cyberspace."
        if (occursIn(current.answer, lesson.title)) {
          asked++;
          const title = titleOf(state, answered);
          expect(occursIn(current.answer, title)).toBe(false);
          expect(title).toBe(`📝 Quiz · ${blankOut(lesson.title, current.answer)}`);
        }
        const outcome = await answer(state, ann, true);
        if (outcome.kind !== 'answered') throw new Error(outcome.kind);
        answered = outcome.question;
        state = outcome.state;
      }
      // Once the quiz is over, the title is the lesson's again.
      expect(titleOf(state, answered)).toBe(`📝 Quiz · ${lesson.title}`);
    }
    expect(asked).toBeGreaterThan(0);
  });

  it('counts words met from the lessons a member read, per server', async () => {
    const lesson = referenceLesson();
    await importAndCompute(lesson, namesLesson);
    await db().db.transaction().execute((trx) => recordReading(trx, { lessonId: namesLesson.id, ...bob, kind: 'article', at: new Date() }));
    const words = (await findVocabulary(db().db, namesLesson.id))!.entries.length;
    expect(await quizProgress(db().db, bob)).toEqual({ quizzesTaken: 0, averageScore: null, wordsMet: words });
    expect((await quizProgress(db().db, { ...bob, guildId: '100000000000000009' })).wordsMet).toBe(0);
  });

  it('two members take the quiz of every hand-made export, some answers right, some wrong: what is asked, recorded and shown', async () => {
    const fixtures = fixtureLessons();
    const plain = fixtures.find((f) => f.name === 'simple-new-park')!.lesson;
    const news = fixtures.filter((f) => f.lesson !== plain).map((f) => f.lesson);
    expect(await importAndCompute(...fixtures.map((f) => f.lesson))).toEqual({ computed: fixtures.length, failed: [] });
    const ratios = new Map<string, number[]>([[ann.userId, []], [bob.userId, []]]);
    for (const [index, lesson] of news.entries()) {
      // Ann gets every other answer right; Bob only the question whose number matches the lesson's.
      for (const [member, right] of [[ann, (q: number) => q % 2 === 0], [bob, (q: number) => q === index % 3]] as const) {
        const started = await startQuiz(db().db, member, lesson.id);
        if (started.kind !== 'started') throw new Error(`${lesson.title}: ${started.kind}`);
        let state = started.state;
        expect(state.attempt.questionCount).toBeGreaterThanOrEqual(3);
        expect(state.attempt.questionCount).toBeLessThanOrEqual(5);
        let score = 0;
        for (let q = 0; state.current; q++) {
          const current = state.current;
          // One blank; the answer in it gives a sentence of the lesson back, word for word.
          expect(current.prompt.split(BLANK)).toHaveLength(2);
          expect(lessonText(lesson)).toContain(current.prompt.replace(BLANK, current.answer));
          // Four distinct choices (case ignored); the answer one of them; no other one in the sentence.
          expect(new Set(current.choices.map((c) => c.toLowerCase())).size).toBe(4);
          expect(current.choices).toContain(current.answer);
          for (const choice of current.choices) if (choice !== current.answer) expect(occursIn(choice, current.prompt)).toBe(false);
          const outcome = await answer(state, member, right(q));
          if (outcome.kind !== 'answered') throw new Error(outcome.kind);
          expect(outcome.question.correct).toBe(right(q));
          if (right(q)) score++;
          state = outcome.state;
        }
        expect(state.attempt.score).toBe(score);
        ratios.get(member.userId)!.push(score / state.attempt.questionCount);
      }
    }
    expect(await startQuiz(db().db, ann, plain.id)).toEqual({ kind: 'too-few-words', words: (await findVocabulary(db().db, plain.id))!.entries.length });
    const lemmas = new Set<string>();
    for (const lesson of news) for (const entry of (await findVocabulary(db().db, lesson.id))!.entries) lemmas.add(entry.lemma);
    for (const member of [ann, bob]) {
      const mine = ratios.get(member.userId)!;
      const progress = await quizProgress(db().db, member);
      expect(progress.quizzesTaken).toBe(news.length);
      expect(progress.averageScore).toBeCloseTo(mine.reduce((a, b) => a + b, 0) / mine.length, 6);
      expect(progress.wordsMet).toBe(lemmas.size); // every quizzed lesson's words, each lemma once
    }
  });

  it('two starts at once (a double click on Quiz) leave one open attempt; once it is finished, the next start is a new one', async () => {
    const lesson = referenceLesson();
    await importAndCompute(lesson);
    const starts = await Promise.all([startQuiz(db().db, ann, lesson.id), startQuiz(db().db, ann, lesson.id), startQuiz(db().db, ann, lesson.id)]);
    const shown = starts.map((start) => (start.kind === 'started' || start.kind === 'resumed' ? start.state.attempt.id : undefined));
    expect(new Set(shown).size).toBe(1);
    const open = await db().db.selectFrom('quiz_attempts').select('id').where('finished_at', 'is', null).execute();
    expect(open.map((row) => row.id)).toEqual([shown[0]]);

    // The member finishes it; "Try again" starts attempt 2 at its first question (a stale attempt was reopened).
    let state = (starts[0] as { state: QuizState }).state;
    while (state.current) state = ((await answer(state, ann, true)) as { state: QuizState }).state;
    const again = await startQuiz(db().db, ann, lesson.id);
    expect(again.kind).toBe('started');
    expect((again as { state: QuizState }).state.attempt.attemptNumber).toBe(2);
    expect((again as { state: QuizState }).state.current?.position).toBe(0);
  });

  it('a lesson with too few words has no quiz', async () => {
    const tiny = { ...namesLesson, id: '3f9a2b1c-0d4e-4f5a-8b6c-7d8e9f0a1b2c', article: ['It rained.'], dialogue: [] };
    await importAndCompute(tiny);
    expect(await startQuiz(db().db, ann, tiny.id)).toEqual({ kind: 'too-few-words', words: (await findVocabulary(db().db, tiny.id))!.entries.length });
    expect(await startQuiz(db().db, ann, '00000000-0000-4000-8000-000000000000')).toEqual({ kind: 'no-vocabulary' });
  });
});

/** The catch-up job's advisory lock key (src/db/process-locks.ts), as another process's session takes it. */
const CATCH_UP_LOCK_KEY = 7_240_113_002;

describe.each(testDatabaseTargets().filter((target) => target.kind === 'postgres'))('the vocabulary catch-up job of processes sharing $kind', (target) => {
  const db = useTestDatabase(target);
  /** What main.ts gives the bot: a session of its own for the job's lock, on the test's database. */
  async function lockSession() {
    const { rows } = await sql<{ name: string }>`select current_database() as name`.execute(db().db);
    const url = new URL(process.env.TEST_DATABASE_URL!);
    url.pathname = `/${rows[0]!.name}`;
    return { url: url.toString(), open: lockSessions({ DATABASE_URL: url.toString(), DATA_DIR: 'unused' })! };
  }
  const pending = async () => (await lessonsNeedingVocabulary(db().db, { lexiconVersion: lexiconVersion(), window: 250 })).ids.length;
  /** Another bot's catch-up job, under way: a session of its own on the database, holding the job's lock. */
  async function anotherProcessHoldingLock(url: string): Promise<pg.Client> {
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    await other.query(`select pg_advisory_lock(${CATCH_UP_LOCK_KEY})`);
    return other;
  }

  it('leaves the lessons to the process that holds the job’s lock, asks again, and computes them once it is let go', async () => {
    await importLessons(db().db, [namesLesson, formsLesson]);
    const session = await lockSession();
    const service = createVocabularyService({
      db: db().db,
      computer: inThisThread,
      catchUpLockSession: session.open,
      catchUpLockRetryMs: 50,
    });
    const other = await anotherProcessHoldingLock(session.url);
    try {
      // This one computes nothing meanwhile.
      const outcome = service.catchUp();
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(await pending()).toBe(2);
      // That process stops before it is done (a deploy's old process): this one takes the job over.
      await other.query(`select pg_advisory_unlock(${CATCH_UP_LOCK_KEY})`);
      expect(await outcome).toEqual({ computed: 2, failed: [] });
      expect(await pending()).toBe(0);
      // The lock was let go with the job: another process takes it at once.
      expect((await other.query<{ locked: boolean }>(`select pg_try_advisory_lock(${CATCH_UP_LOCK_KEY}) as locked`)).rows[0]?.locked).toBe(true);
    } finally {
      await other.end();
      await service.close();
    }
  });

  it('asks again after an ask that failed (the database briefly gone), and computes once it can', async () => {
    await importLessons(db().db, [namesLesson, formsLesson]);
    const session = await lockSession();
    let asked = 0;
    const service = createVocabularyService({
      db: db().db,
      computer: inThisThread,
      // The first two asks find no database: one cannot connect, one has lost its session at the lock.
      catchUpLockSession: async () => {
        asked += 1;
        if (asked === 1) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
        const opened = await session.open();
        // A session whose connection is gone before the lock is asked for: the statement fails.
        if (asked === 2) await opened.close();
        return opened;
      },
      catchUpLockRetryMs: 50,
    });
    try {
      expect(await service.catchUp()).toEqual({ computed: 2, failed: [] });
      expect(asked).toBe(3);
      expect(await pending()).toBe(0);
    } finally {
      await service.close();
    }
  });

  it('stops asking for the lock at shutdown', async () => {
    await importLessons(db().db, [namesLesson]);
    const session = await lockSession();
    const service = createVocabularyService({ db: db().db, computer: inThisThread, catchUpLockSession: session.open });
    const other = await anotherProcessHoldingLock(session.url);
    try {
      const outcome = service.catchUp();
      await new Promise((resolve) => setTimeout(resolve, 200));
      // The minute between asks is cut short.
      await service.close();
      expect(await outcome).toEqual({ computed: 0, failed: [] });
      expect(await pending()).toBe(1);
    } finally {
      await other.end();
    }
  });

  it('of two processes starting at once, one computes every missing vocabulary and the other none', async () => {
    await importLessons(db().db, [namesLesson, formsLesson, referenceLesson()]);
    const session = await lockSession();
    let started!: () => void;
    const firstLessonStarted = new Promise<void>((resolve) => (started = resolve));
    let letGo!: () => void;
    const held = new Promise<void>((resolve) => (letGo = resolve));
    const computedBy = { first: 0, second: 0 };
    const first = createVocabularyService({
      db: db().db,
      computer: { compute: async (l) => (started(), await held, (computedBy.first += 1), computer.compute(l)), close: () => undefined },
      catchUpLockSession: session.open,
    });
    const second = createVocabularyService({
      db: db().db,
      computer: { compute: (l) => ((computedBy.second += 1), computer.compute(l)), close: () => undefined },
      catchUpLockSession: session.open,
      catchUpLockRetryMs: 50,
    });
    try {
      const firstOutcome = first.catchUp();
      await firstLessonStarted;
      const secondOutcome = second.catchUp();
      await new Promise((resolve) => setTimeout(resolve, 300));
      letGo();
      expect(await firstOutcome).toEqual({ computed: 3, failed: [] });
      // The second got the lock once the first let it go, and found nothing left.
      expect(await secondOutcome).toEqual({ computed: 0, failed: [] });
      expect(computedBy).toEqual({ first: 3, second: 0 });
    } finally {
      letGo();
      await first.close();
      await second.close();
    }
  });
});

