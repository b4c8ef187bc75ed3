import { sql } from 'kysely';
import type { QuizQuestion } from '../domain/vocabulary/quiz.js';
import type { Executor } from './schema.js';

export interface Member {
  readonly guildId: string;
  readonly userId: string;
}

export interface AskedQuestion extends QuizQuestion {
  readonly position: number;
  readonly chosen: string | null;
  readonly correct: boolean | null;
  readonly answeredAt: Date | null;
}

export interface QuizAttempt {
  readonly id: number;
  readonly lessonId: string;
  readonly guildId: string;
  readonly userId: string;
  readonly attemptNumber: number;
  readonly questionCount: number;
  readonly score: number;
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
  readonly questions: readonly AskedQuestion[];
}

/** The member's unfinished attempt at this lesson's quiz, if any (the newest). */
export async function findOpenAttemptId(db: Executor, member: Member, lessonId: string): Promise<number | undefined> {
  const row = await db
    .selectFrom('quiz_attempts')
    .select('id')
    .where('guild_id', '=', member.guildId)
    .where('user_id', '=', member.userId)
    .where('lesson_id', '=', lessonId)
    .where('finished_at', 'is', null)
    .orderBy('attempt_number', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.id;
}

/** Starts attempt number n+1 with its questions. The unique key (member, lesson, number) refuses a concurrent duplicate. */
export async function insertAttempt(db: Executor, member: Member, lessonId: string, questions: readonly QuizQuestion[]): Promise<number> {
  const { id } = await db
    .insertInto('quiz_attempts')
    .values((eb) => ({
      lesson_id: lessonId,
      guild_id: member.guildId,
      user_id: member.userId,
      question_count: questions.length,
      attempt_number: eb
        .selectFrom('quiz_attempts')
        .select(sql<number>`coalesce(max(attempt_number), 0) + 1`.as('n'))
        .where('guild_id', '=', member.guildId)
        .where('user_id', '=', member.userId)
        .where('lesson_id', '=', lessonId),
    }))
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('quiz_questions')
    .values(
      questions.map((q, position) => ({
        attempt_id: id,
        position,
        lemma: q.lemma,
        prompt: q.prompt,
        answer: q.answer,
        choices: JSON.stringify(q.choices),
      })),
    )
    .execute();
  return id;
}

/** A server's quiz attempt by its id (from a button the member clicked): another server's attempt is not found. */
export async function findAttempt(db: Executor, id: number, guildId: string): Promise<QuizAttempt | undefined> {
  if (!Number.isSafeInteger(id) || id < 1 || id > 2_147_483_647) return undefined;
  const row = await db.selectFrom('quiz_attempts').selectAll().where('id', '=', id).where('guild_id', '=', guildId).executeTakeFirst();
  if (!row) return undefined;
  const questions = await db.selectFrom('quiz_questions').selectAll().where('attempt_id', '=', id).orderBy('position').execute();
  return {
    id: row.id,
    lessonId: row.lesson_id,
    guildId: row.guild_id,
    userId: row.user_id,
    attemptNumber: row.attempt_number,
    questionCount: row.question_count,
    score: row.score,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    questions: questions.map((q) => ({
      position: q.position,
      lemma: q.lemma,
      prompt: q.prompt,
      answer: q.answer,
      choices: q.choices,
      chosen: q.chosen,
      correct: q.correct,
      answeredAt: q.answered_at,
    })),
  };
}

/** Records an answer once: false when the question was already answered (a double click, another process). */
export async function recordAnswer(db: Executor, attemptId: number, position: number, chosen: string, correct: boolean): Promise<boolean> {
  const result = await db
    .updateTable('quiz_questions')
    .set({ chosen, correct, answered_at: sql<Date>`now()` })
    .where('attempt_id', '=', attemptId)
    .where('position', '=', position)
    .where('answered_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Closes the attempt with its score (the count of right answers) once every question is answered. */
export async function finishAttemptIfComplete(db: Executor, attemptId: number): Promise<void> {
  await db
    .updateTable('quiz_attempts')
    .set((eb) => ({
      finished_at: sql<Date>`now()`,
      score: eb.selectFrom('quiz_questions').select(sql<number>`count(*)::int`.as('n')).where('attempt_id', '=', attemptId).where('correct', '=', true),
    }))
    .where('id', '=', attemptId)
    .where('finished_at', 'is', null)
    .where((eb) =>
      eb.not(eb.exists(eb.selectFrom('quiz_questions').select('position').where('attempt_id', '=', attemptId).where('answered_at', 'is', null))),
    )
    .execute();
}

export interface MemberQuizStats {
  /** Finished attempts (every attempt counts, a second one too). */
  readonly quizzesTaken: number;
  /** Mean of score / questions over finished attempts, 0–1; null before the first. */
  readonly averageScore: number | null;
  /** Distinct vocabulary words (lemmas) of the lessons the member read or took a quiz on. */
  readonly wordsMet: number;
}

export async function memberQuizStats(db: Executor, member: Member): Promise<MemberQuizStats> {
  const quiz = await db
    .selectFrom('quiz_attempts')
    .select([sql<number>`count(*)::int`.as('taken'), sql<number | null>`avg(score::float8 / question_count)`.as('average')])
    .where('guild_id', '=', member.guildId)
    .where('user_id', '=', member.userId)
    .where('finished_at', 'is not', null)
    .executeTakeFirstOrThrow();
  // The words of each lesson the member met, by primary key. `offset 0` keeps the per-lesson lookup a
  // lookup: as a plain join, a member who read a few hundred lessons got a hash join over every lesson's
  // words (a sequential scan of lesson_vocabulary_words, ten rows a lesson).
  const met = await sql<{ n: number }>`
    select count(distinct w.lemma)::int as n
    from (
      select lesson_id from lesson_readers where guild_id = ${member.guildId} and user_id = ${member.userId}
      union
      select lesson_id from quiz_attempts where guild_id = ${member.guildId} and user_id = ${member.userId}
    ) m
    cross join lateral (select lemma from lesson_vocabulary_words v where v.lesson_id = m.lesson_id offset 0) w`
    .execute(db)
    .then((result) => result.rows[0] ?? { n: 0 });
  return { quizzesTaken: quiz.taken, averageScore: quiz.average === null ? null : Number(quiz.average), wordsMet: met.n };
}
