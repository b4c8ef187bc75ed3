import type { MostReadLesson } from '../db/progress.js';

/** One line per lesson, for a terminal. */
export function formatMostRead(lessons: readonly MostReadLesson[]): string[] {
  const width = Math.max(7, ...lessons.map((l) => String(l.readers).length));
  const lines = [`${'readers'.padStart(width)}  last read (UTC)   id                                    title`];
  for (const lesson of lessons) {
    const last = lesson.lastReadAt ? lesson.lastReadAt.toISOString().slice(0, 16).replace('T', ' ') : '—'.padEnd(16);
    lines.push(`${String(lesson.readers).padStart(width)}  ${last}  ${lesson.lessonId}  ${lesson.title.replace(/\s+/gu, ' ')}`);
  }
  return lines;
}
