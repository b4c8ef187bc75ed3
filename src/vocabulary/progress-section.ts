import type { ProgressSectionSource } from '../reading/progress.js';
import type { MemberQuizStats } from '../db/quizzes.js';

/** Plain-text lines of the quiz figures in `/progress` (the progress view escapes them). */
export function quizProgressLines(stats: MemberQuizStats): string[] {
  const average = stats.averageScore === null ? '—' : `${Math.round(stats.averageScore * 100)}%`;
  return [`Quizzes taken: ${stats.quizzesTaken}`, `Average score: ${average}`, `Words met: ${stats.wordsMet}`];
}

/**
 * The vocabulary feature's section of `/progress`: quizzes taken, average score and words met. Shown to the
 * member only (another member's `/progress` shows counts and streaks, not how they do on quizzes).
 */
export function quizProgressSection(progress: (member: { guildId: string; userId: string }) => Promise<MemberQuizStats>): ProgressSectionSource {
  return async ({ guildId, userId, self }) => {
    if (!self) return null;
    return { title: 'Vocabulary and quizzes', lines: quizProgressLines(await progress({ guildId, userId })), private: true };
  };
}
