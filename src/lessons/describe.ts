import { readingMinutes } from '../domain/lesson.js';
import type { LibraryLesson } from '../db/lessons.js';

/** A lesson as plain text for a terminal (`lessons show`). */
export function describeLesson(stored: LibraryLesson): string {
  const { lesson } = stored;
  const words = stored.articleWords + stored.dialogueWords;
  return [
    lesson.title,
    '='.repeat(Math.min(lesson.title.length, 80)),
    `ID:        ${lesson.id}`,
    `Category:  ${lesson.category}`,
    `Date:      ${lesson.date}`,
    `URL:       ${lesson.url}`,
    `Words:     ${stored.articleWords} article + ${stored.dialogueWords} dialogue (~${readingMinutes(words)} min)`,
    `Readers:   ${stored.readCount}${stored.lastReadAt ? ` (last ${stored.lastReadAt.toISOString()})` : ''}`,
    `Source:    ${lesson.sourceStats.words} words, read ${lesson.sourceStats.readCount}×; created ${lesson.sourceTimes.created}, updated ${lesson.sourceTimes.updated}, last read ${lesson.sourceTimes.lastRead ?? 'never'}`,
    '',
    'Summary',
    lesson.summary,
    '',
    `Dialogue (${lesson.dialogue.length} lines)`,
    ...lesson.dialogue.map((line) => `  ${line.speaker}: ${line.text}`),
    '',
    `Article (${lesson.article.length} paragraphs)`,
    ...lesson.article.map((paragraph) => `  ${paragraph}`),
    '',
    `Similar readings (${lesson.similarReadings.length})`,
    ...lesson.similarReadings.map((title) => `  - ${title}`),
  ].join('\n');
}
