import { normaliseUuid, isUuid } from '../uuid.js';
import { CUSTOM_ID_MAX } from './limits.js';
import type { LessonKind } from './pages.js';

/**
 * What a lesson button does, carried in its custom_id so any bot instance can handle a click
 * without remembering the message.
 * - `dialogue` / `article`: open that part of the lesson (at page 1).
 * - `related`: list the similar readings. `read`: mark the lesson as read.
 * - `page`: show `page` (from 1) of the lesson's `kind`; `shared` when the pages are in a message
 *   everyone sees (the handler then answers the clicker privately instead of editing it for all).
 */
export type LessonButton =
  | { readonly action: 'dialogue' | 'article' | 'related' | 'read'; readonly lessonId: string }
  | {
      readonly action: 'page';
      readonly lessonId: string;
      readonly kind: LessonKind;
      readonly page: number;
      readonly shared?: boolean;
    };

export type LessonButtonAction = LessonButton['action'];

/*
 * Format: `l:<action>:<lesson uuid>`, and for pages `l:p:<a|d>:<uuid>:<page>` with `:s` appended when
 * shared. At most 2+2+2+36+1+4+2 = 49 characters, half of Discord's 100. Every id has exactly one
 * spelling (lower-case uuid, no leading zeros), so equal buttons have equal ids.
 */
const PREFIX = 'l';
const ACTION_CODES = { dialogue: 'd', article: 'a', related: 'r', read: 'm', page: 'p' } as const satisfies Record<LessonButtonAction, string>;
const KIND_CODES = { article: 'a', dialogue: 'd' } as const satisfies Record<LessonKind, string>;
const PAGE = /^[1-9][0-9]{0,3}$/u;
/** Pages are numbered 1–9999: far beyond any lesson (a 100 000-character article is 25 pages). */
export const MAX_PAGE = 9999;

/** The custom_id for a lesson button. Throws on a lesson id that is not a UUID or a page out of range: those are bugs. */
export function encodeCustomId(button: LessonButton): string {
  const lessonId = button.lessonId.toLowerCase();
  if (!isUuid(lessonId)) throw new RangeError(`Lesson id is not a UUID: "${button.lessonId}"`);
  const parts: string[] = [PREFIX, ACTION_CODES[button.action]];
  if (button.action === 'page') {
    if (!Number.isInteger(button.page) || button.page < 1 || button.page > MAX_PAGE) {
      throw new RangeError(`Page must be a whole number from 1 to ${MAX_PAGE}, got ${button.page}`);
    }
    parts.push(KIND_CODES[button.kind], lessonId, String(button.page));
    if (button.shared === true) parts.push('s');
  } else {
    parts.push(lessonId);
  }
  const id = parts.join(':');
  if (id.length > CUSTOM_ID_MAX) throw new RangeError(`custom_id too long: ${id.length}`);
  return id;
}

/** The button a custom_id stands for, or null for anything this module did not produce. */
export function decodeCustomId(id: string): LessonButton | null {
  if (typeof id !== 'string' || id.length > CUSTOM_ID_MAX) return null;
  const parts = id.split(':');
  if (parts[0] !== PREFIX) return null;
  const action = decodeCode(ACTION_CODES, parts[1]);
  if (action === null) return null;
  if (action !== 'page') {
    const [, , lessonId] = parts;
    return parts.length === 3 && lessonId !== undefined && isCanonicalUuid(lessonId) ? { action, lessonId } : null;
  }
  const [, , kindCode, lessonId, page, flag] = parts;
  const kind = decodeCode(KIND_CODES, kindCode);
  if (kind === null || lessonId === undefined || !isCanonicalUuid(lessonId) || page === undefined || !PAGE.test(page)) return null;
  if (parts.length === 5) return { action, lessonId, kind, page: Number(page) };
  if (parts.length === 6 && flag === 's') return { action, lessonId, kind, page: Number(page), shared: true };
  return null;
}

function decodeCode<K extends string>(codes: Readonly<Record<K, string>>, code: string | undefined): K | null {
  for (const [name, value] of Object.entries(codes) as [K, string][]) if (value === code) return name;
  return null;
}

/** Ids are written lower-case, so each button has one spelling. */
function isCanonicalUuid(text: string): boolean {
  return normaliseUuid(text) === text;
}
