import { CUSTOM_ID_MAX } from '../discord-format/limits.js';

/**
 * The catch-up list's buttons, which belong to `/lesson` (prefix `l`) beside the lesson buttons:
 * - `l:o:<lesson uuid>`: open that lesson's card (privately).
 * - `l:k:n:<posted ms>:<lesson uuid>`: the lessons after that one in the clicker's list (Next);
 *   `l:k:p:<posted ms>:<lesson uuid>`: the page before it (Previous). Positions, not page numbers: reading a lesson
 *   opened from the list shrinks it, and a page number then skipped the lesson that moved up (until 2026-12-07).
 * - `l:k:<page>`: that page of the list (the buttons of messages sent before).
 * Codes `o` and `k` are not used by the lesson buttons (custom-id.ts).
 */
export type CatchupButton =
  | { readonly action: 'card'; readonly lessonId: string }
  | { readonly action: 'catchup'; readonly page: number }
  | { readonly action: 'catchup'; readonly from: CatchupCursor };

/** A place in the list (newest post first, then lesson id): after it (`next`) or before it (`previous`). */
export interface CatchupCursor {
  readonly direction: 'next' | 'previous';
  readonly postedAtMs: number;
  readonly lessonId: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/u;
const PAGE = /^[1-9][0-9]{0,3}$/u;
/** Milliseconds since 1970, up to year 9999 (14 digits). */
const MILLISECONDS = /^(?:0|[1-9][0-9]{0,13})$/u;
export const MAX_CATCHUP_PAGE = 9999;

export function encodeCatchupId(button: CatchupButton): string {
  if (button.action === 'card') {
    const lessonId = button.lessonId.toLowerCase();
    if (!UUID.test(lessonId)) throw new RangeError(`Lesson id is not a UUID: "${button.lessonId}"`);
    return `l:o:${lessonId}`;
  }
  if ('from' in button) {
    const { direction, postedAtMs, lessonId } = button.from;
    if (!UUID.test(lessonId.toLowerCase())) throw new RangeError(`Lesson id is not a UUID: "${lessonId}"`);
    if (!MILLISECONDS.test(String(postedAtMs))) throw new RangeError(`Not a time in milliseconds: ${postedAtMs}`);
    return `l:k:${direction === 'next' ? 'n' : 'p'}:${postedAtMs}:${lessonId.toLowerCase()}`;
  }
  if (!Number.isInteger(button.page) || button.page < 1 || button.page > MAX_CATCHUP_PAGE) {
    throw new RangeError(`Page must be a whole number from 1 to ${MAX_CATCHUP_PAGE}, got ${button.page}`);
  }
  return `l:k:${button.page}`;
}

export function decodeCatchupId(id: string): CatchupButton | null {
  if (typeof id !== 'string' || id.length > CUSTOM_ID_MAX) return null;
  const parts = id.split(':');
  if (parts[0] !== 'l') return null;
  if (parts.length === 5 && parts[1] === 'k' && (parts[2] === 'n' || parts[2] === 'p')) {
    const [, , code, ms = '', lessonId = ''] = parts;
    if (!MILLISECONDS.test(ms) || !UUID.test(lessonId)) return null;
    return { action: 'catchup', from: { direction: code === 'n' ? 'next' : 'previous', postedAtMs: Number(ms), lessonId } };
  }
  if (parts.length !== 3) return null;
  const [, code, value = ''] = parts;
  if (code === 'o' && UUID.test(value)) return { action: 'card', lessonId: value };
  if (code === 'k' && PAGE.test(value)) return { action: 'catchup', page: Number(value) };
  return null;
}
