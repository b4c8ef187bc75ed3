import { createHash } from 'node:crypto';
import type { Lesson } from './lesson.js';

/**
 * A fingerprint of a lesson's content, independent of key order, so re-importing an unchanged
 * file (in either format) is recognised as unchanged. The reading app's own statistics of the lesson (its Read
 * Count and Last Read, which change whenever someone reads it there) are not content: a daily re-export where
 * only they changed recomputed every such lesson's vocabulary and matched its titles again. An import stores them
 * without that (upsertLessons).
 */
export function lessonContentHash(lesson: Lesson): string {
  const content = {
    ...lesson,
    sourceStats: { ...lesson.sourceStats, readCount: undefined },
    sourceTimes: { ...lesson.sourceTimes, lastRead: undefined },
  };
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
