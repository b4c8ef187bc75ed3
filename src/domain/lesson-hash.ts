import { createHash } from 'node:crypto';
import type { Lesson } from './lesson.js';

/**
 * A fingerprint of a lesson's content, independent of key order, so re-importing an unchanged
 * file (in either format) is recognised as unchanged.
 */
export function lessonContentHash(lesson: Lesson): string {
  return createHash('sha256').update(canonicalJson(lesson)).digest('hex');
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
