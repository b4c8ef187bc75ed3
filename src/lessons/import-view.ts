import { clip, safeText } from '../domain/discord-format/index.js';
import type { ReplyPayload } from '../discord/reply.js';
import { formatCounts, formatProblem } from './import.js';
import type { UploadOutcome } from './service.js';

/** What `/lesson import` answers: every problem (nothing was written), or what was imported. */
export function renderImportOutcome(name: string, outcome: UploadOutcome): ReplyPayload {
  if (!outcome.ok) {
    const problems = outcome.problems.map(formatProblem);
    return {
      embeds: [
        {
          title: `❌ Nothing imported: ${outcome.problemCount} problem${outcome.problemCount === 1 ? '' : 's'} in ${safeText(name)}`,
          description: clip(problems.map((line) => `• ${safeText(line)}`).join('\n'), 4000),
          color: 0xe74c3c,
        },
      ],
    };
  }
  const titles = outcome.lessons.map((parsed) => `• ${safeText(parsed.lesson.title)} (${parsed.lesson.date})`);
  return {
    embeds: [
      {
        title: `✅ ${formatCounts(outcome.counts)}`,
        description: clip(titles.join('\n'), 4000),
        color: 0x2ecc71,
      },
    ],
  };
}
