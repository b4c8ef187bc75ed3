import { CUSTOM_ID_MAX } from '../discord-format/limits.js';

/**
 * `/privacy forget-me` buttons: `pv:f:<user id>:<expiry, unix seconds>` confirms, `pv:c:<user id>:<expiry>`
 * cancels. The id names the member who asked, so nobody else can press it, and its confirmation (by when it
 * stops working), so that of Delete and Cancel pressed together the first decides. `pv:c:<user id>`: a Cancel
 * button sent before the expiry was in it.
 */
export type PrivacyButton =
  | { readonly action: 'forget'; readonly userId: string; readonly expiresAt: number }
  | { readonly action: 'cancel'; readonly userId: string; readonly expiresAt?: number };

const SNOWFLAKE = /^[1-9][0-9]{0,19}$/u;
const SECONDS = /^[1-9][0-9]{0,11}$/u;

export function encodePrivacyId(button: PrivacyButton): string {
  if (!SNOWFLAKE.test(button.userId)) throw new RangeError(`Not a user id: "${button.userId}"`);
  if (button.expiresAt === undefined) {
    if (button.action === 'cancel') return `pv:c:${button.userId}`;
    throw new RangeError('Bad expiry');
  }
  if (!Number.isInteger(button.expiresAt) || !SECONDS.test(String(button.expiresAt))) throw new RangeError('Bad expiry');
  return `pv:${button.action === 'cancel' ? 'c' : 'f'}:${button.userId}:${button.expiresAt}`;
}

export function decodePrivacyId(id: string): PrivacyButton | null {
  if (typeof id !== 'string' || id.length > CUSTOM_ID_MAX) return null;
  const parts = id.split(':');
  if (parts[0] !== 'pv') return null;
  const [, code, userId = '', expiry = ''] = parts;
  if (!SNOWFLAKE.test(userId)) return null;
  if (code === 'c' && parts.length === 3) return { action: 'cancel', userId };
  if (code === 'c' && parts.length === 4 && SECONDS.test(expiry)) return { action: 'cancel', userId, expiresAt: Number(expiry) };
  if (code === 'f' && parts.length === 4 && SECONDS.test(expiry)) return { action: 'forget', userId, expiresAt: Number(expiry) };
  return null;
}
