import { clip, safeText } from '../domain/discord-format/index.js';
import type { ReplyPayload } from '../discord/reply.js';
import { formatCounts, formatProblem } from './import.js';
import type { UploadOutcome } from './service.js';

/** An embed description's room, with space kept for the closing "… and N more" line. */
const LIST_MAX = 4000;
const MORE_LINE_ROOM = 80;

/**
 * Lines of a list while they fit an embed's description, then one line counting what was left out (`more` says
 * how many that is, given how many lines were shown): cut at 4,000 characters, a list lost its end silently
 * (59 problems announced, 25 shown, then a bare "•…").
 */
function fittedList(lines: readonly string[], more: (shown: number) => string): string {
  const shown: string[] = [];
  let length = 0;
  for (const line of lines) {
    const added = (shown.length > 0 ? 1 : 0) + line.length;
    if (length + added > LIST_MAX - MORE_LINE_ROOM) break;
    shown.push(line);
    length += added;
  }
  if (shown.length < lines.length) shown.push(more(shown.length));
  return clip(shown.join('\n'), LIST_MAX + MORE_LINE_ROOM);
}

/** What `/lesson import` answers: every problem (nothing was written), or what was imported. */
export function renderImportOutcome(name: string, outcome: UploadOutcome): ReplyPayload {
  if (!outcome.ok) {
    const lines = outcome.problems.map((problem) => `• ${clip(safeText(formatProblem(problem)), 600)}`);
    // The problems the lines shown account for: one each, and a file's "… more not listed" remark the ones it counts.
    const listedBefore = (shown: number) => outcome.problems.slice(0, shown).reduce((sum, problem) => sum + (problem.line === null ? (problem.omitted ?? 0) : 1), 0);
    return {
      embeds: [
        {
          title: clip(`❌ Nothing imported: ${outcome.problemCount} problem${outcome.problemCount === 1 ? '' : 's'} in ${safeText(name)}`, 256),
          description: fittedList(lines, (shown) => `• … and ${outcome.problemCount - listedBefore(shown)} more problems not listed`),
          color: 0xe74c3c,
        },
      ],
    };
  }
  const titles = outcome.lessons.map((parsed) => `• ${clip(safeText(parsed.lesson.title), 300)} (${parsed.lesson.date})`);
  return {
    embeds: [
      {
        title: `✅ ${formatCounts(outcome.counts)}`,
        description: fittedList(titles, (shown) => `• … and ${titles.length - shown} more lessons`),
        color: 0x2ecc71,
      },
    ],
  };
}
