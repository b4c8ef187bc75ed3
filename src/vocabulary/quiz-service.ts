import type { Kysely } from 'kysely';
import {
  findAttempt,
  findOpenAttemptId,
  finishAttemptIfComplete,
  insertAttempt,
  memberQuizStats,
  recordAnswer,
  type AskedQuestion,
  type Member,
  type MemberQuizStats,
  type QuizAttempt,
} from '../db/quizzes.js';
import type { DB } from '../db/schema.js';
import { DatabaseTimeoutError } from '../db/timeouts.js';
import { findVocabulary } from '../db/vocabulary.js';
import { buildQuiz } from '../domain/vocabulary/quiz.js';

export type { Member, MemberQuizStats, QuizAttempt, AskedQuestion };

/** Where an attempt stands: the question to show next, or finished. */
export interface QuizState {
  readonly attempt: QuizAttempt;
  /** The first unanswered question; undefined when the attempt is finished. */
  readonly current: AskedQuestion | undefined;
}

export type StartOutcome =
  | { readonly kind: 'started' | 'resumed'; readonly state: QuizState }
  | { readonly kind: 'no-vocabulary' }
  /** `words`: the vocabulary's words, too few (under 3) or none making a fair question (quizRefusal says which). */
  | { readonly kind: 'too-few-words'; readonly words: number };

function stateOf(attempt: QuizAttempt): QuizState {
  return { attempt, current: attempt.questions.find((q) => q.answeredAt === null) };
}

async function loadState(db: Kysely<DB>, attemptId: number, guildId: string): Promise<QuizState> {
  const attempt = await findAttempt(db, attemptId, guildId);
  if (!attempt) throw new Error(`quiz attempt ${attemptId} vanished`);
  return stateOf(attempt);
}

/**
 * Starts the member's quiz on a lesson: resumes an unfinished attempt (its message may have been dismissed),
 * otherwise starts attempt n+1 with 3–5 questions picked at random from the stored vocabulary.
 */
export async function startQuiz(db: Kysely<DB>, member: Member, lessonId: string, random: () => number = Math.random): Promise<StartOutcome> {
  const open = await findOpenAttemptId(db, member, lessonId);
  if (open !== undefined) return { kind: 'resumed', state: await loadState(db, open, member.guildId) };
  const vocabulary = await findVocabulary(db, lessonId);
  if (!vocabulary) return { kind: 'no-vocabulary' };
  const questions = buildQuiz(vocabulary.entries, random);
  if (questions === null) return { kind: 'too-few-words', words: vocabulary.entries.length };
  try {
    const id = await db.transaction().execute((trx) => insertAttempt(trx, member, lessonId, questions));
    return { kind: 'started', state: await loadState(db, id, member.guildId) };
  } catch (error) {
    // A database that did not answer in time: the member is told at once (another query would wait as long again).
    if (error instanceof DatabaseTimeoutError) throw error;
    // Two starts at once: the unique (member, lesson, number) key let one win; show that one.
    const winner = await findOpenAttemptId(db, member, lessonId);
    if (winner === undefined) throw error;
    return { kind: 'resumed', state: await loadState(db, winner, member.guildId) };
  }
}

/**
 * The answer given last (questions are answered in order), whose feedback the quiz message shows. A second click
 * (a double click, two buttons at once) is answered with the message as it stands, this feedback included: shown
 * without it, the second edit wiped out the "Right"/"the answer is" that the first had just shown.
 */
export function latestAnswer(state: QuizState): AskedQuestion | undefined {
  return state.attempt.questions.findLast((question) => question.answeredAt !== null);
}

export type AnswerOutcome =
  | { readonly kind: 'answered'; readonly question: AskedQuestion; readonly state: QuizState }
  /** The click was for a question already answered (a double click) or not yet reached: show where it stands. */
  | { readonly kind: 'stale'; readonly state: QuizState }
  /** Another member's attempt in the same server (who it is stays private: they may hide from the leaderboard). */
  | { readonly kind: 'not-yours' }
  /** No such attempt in this server (an attempt of another server, whose id a forged click could name, included). */
  | { readonly kind: 'unknown' };

/**
 * Records a click on answer button `choice` of question `position`. Only the member who started the attempt may
 * answer, in the server it was started in.
 */
export async function answerQuestion(
  db: Kysely<DB>,
  click: { readonly attemptId: number; readonly position: number; readonly choice: number; readonly guildId: string; readonly userId: string },
): Promise<AnswerOutcome> {
  const attempt = await findAttempt(db, click.attemptId, click.guildId);
  if (!attempt) return { kind: 'unknown' };
  if (attempt.userId !== click.userId) return { kind: 'not-yours' };
  const state = stateOf(attempt);
  const question = state.current;
  const chosen = question?.choices[click.choice];
  if (question === undefined || question.position !== click.position || chosen === undefined) return { kind: 'stale', state };
  const correct = chosen === question.answer;
  const recorded = await db.transaction().execute(async (trx) => {
    if (!(await recordAnswer(trx, attempt.id, question.position, chosen, correct))) return false;
    await finishAttemptIfComplete(trx, attempt.id);
    return true;
  });
  const after = await loadState(db, attempt.id, attempt.guildId);
  if (!recorded) return { kind: 'stale', state: after };
  return { kind: 'answered', question: after.attempt.questions[question.position] as AskedQuestion, state: after };
}

/** Quiz figures for `/progress`: quizzes taken, average score, words met. */
export async function quizProgress(db: Kysely<DB>, member: Member): Promise<MemberQuizStats> {
  return memberQuizStats(db, member);
}
