import { CUSTOM_ID_MAX } from '../discord-format/limits.js';

/**
 * Vocabulary and quiz buttons. They share the lesson buttons' `l` prefix (they sit on the lesson card and
 * belong to `/lesson`), with action codes the lesson codec does not use:
 * - `l:v:<lesson>`: open the vocabulary list (page 1), privately;
 * - `l:vp:<lesson>:<page>[:s]`: a page of it (`s`: on a shared message, so answer privately);
 * - `l:q:<lesson>`: start (or resume) the clicker's quiz;
 * - `l:qa:<attempt>:<question>:<choice>`: an answer; the attempt, its owner and its questions are in the database.
 * At most 2+3+36+5+2 = 48 characters.
 */
export type VocabularyButton =
  | { readonly action: 'vocab'; readonly lessonId: string }
  | { readonly action: 'vocab-page'; readonly lessonId: string; readonly page: number; readonly shared?: boolean }
  | { readonly action: 'quiz'; readonly lessonId: string }
  | { readonly action: 'answer'; readonly attemptId: number; readonly position: number; readonly choice: number };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/u;
const NUMBER = /^(0|[1-9][0-9]{0,9})$/u;
const MAX_ATTEMPT_ID = 2_147_483_647;

function uuid(id: string): string {
  const lower = id.toLowerCase();
  if (!UUID.test(lower)) throw new RangeError(`Lesson id is not a UUID: "${id}"`);
  return lower;
}

function whole(n: number, min: number, max: number, what: string): string {
  if (!Number.isInteger(n) || n < min || n > max) throw new RangeError(`${what} must be a whole number from ${min} to ${max}, got ${n}`);
  return String(n);
}

export function encodeVocabularyId(button: VocabularyButton): string {
  let id: string;
  switch (button.action) {
    case 'vocab':
      id = `l:v:${uuid(button.lessonId)}`;
      break;
    case 'vocab-page':
      id = `l:vp:${uuid(button.lessonId)}:${whole(button.page, 1, 99, 'page')}${button.shared ? ':s' : ''}`;
      break;
    case 'quiz':
      id = `l:q:${uuid(button.lessonId)}`;
      break;
    case 'answer':
      id = `l:qa:${whole(button.attemptId, 1, MAX_ATTEMPT_ID, 'attempt')}:${whole(button.position, 0, 9, 'question')}:${whole(button.choice, 0, 9, 'choice')}`;
      break;
  }
  if (id.length > CUSTOM_ID_MAX) throw new RangeError(`custom_id too long: ${id.length}`);
  return id;
}

/** The button a custom id stands for, or null for anything this codec did not produce. */
export function decodeVocabularyId(id: string): VocabularyButton | null {
  if (typeof id !== 'string' || id.length > CUSTOM_ID_MAX) return null;
  const parts = id.split(':');
  if (parts[0] !== 'l') return null;
  const [, action, a, b, c, ...rest] = parts;
  if (rest.length > 0) return null;
  const num = (text: string | undefined, max: number) => (text !== undefined && NUMBER.test(text) && Number(text) <= max ? Number(text) : null);
  switch (action) {
    case 'v':
      return parts.length === 3 && a !== undefined && UUID.test(a) ? { action: 'vocab', lessonId: a } : null;
    case 'q':
      return parts.length === 3 && a !== undefined && UUID.test(a) ? { action: 'quiz', lessonId: a } : null;
    case 'vp': {
      const page = num(b, 99);
      if (a === undefined || !UUID.test(a) || page === null || page < 1) return null;
      if (parts.length === 4) return { action: 'vocab-page', lessonId: a, page };
      return parts.length === 5 && c === 's' ? { action: 'vocab-page', lessonId: a, page, shared: true } : null;
    }
    case 'qa': {
      const attemptId = num(a, MAX_ATTEMPT_ID);
      const position = num(b, 9);
      const choice = num(c, 9);
      if (parts.length !== 5 || attemptId === null || attemptId < 1 || position === null || choice === null) return null;
      return { action: 'answer', attemptId, position, choice };
    }
    default:
      return null;
  }
}
