import { CUSTOM_ID_MAX } from '../discord-format/limits.js';

/**
 * The catch-up list's buttons, which belong to `/lesson` (prefix `l`) beside the lesson buttons:
 * - `l:o:<lesson uuid>`: open that lesson's card (privately).
 * - `l:k:<page>`: show that page of the clicker's catch-up list.
 * Codes `o` and `k` are not used by the lesson buttons (custom-id.ts).
 */
export type CatchupButton =
  | { readonly action: 'card'; readonly lessonId: string }
  | { readonly action: 'catchup'; readonly page: number };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/u;
const PAGE = /^[1-9][0-9]{0,3}$/u;
export const MAX_CATCHUP_PAGE = 9999;

export function encodeCatchupId(button: CatchupButton): string {
  if (button.action === 'card') {
    const lessonId = button.lessonId.toLowerCase();
    if (!UUID.test(lessonId)) throw new RangeError(`Lesson id is not a UUID: "${button.lessonId}"`);
    return `l:o:${lessonId}`;
  }
  if (!Number.isInteger(button.page) || button.page < 1 || button.page > MAX_CATCHUP_PAGE) {
    throw new RangeError(`Page must be a whole number from 1 to ${MAX_CATCHUP_PAGE}, got ${button.page}`);
  }
  return `l:k:${button.page}`;
}

export function decodeCatchupId(id: string): CatchupButton | null {
  if (typeof id !== 'string' || id.length > CUSTOM_ID_MAX) return null;
  const parts = id.split(':');
  if (parts.length !== 3 || parts[0] !== 'l') return null;
  const [, code, value = ''] = parts;
  if (code === 'o' && UUID.test(value)) return { action: 'card', lessonId: value };
  if (code === 'k' && PAGE.test(value)) return { action: 'catchup', page: Number(value) };
  return null;
}
