import { EMBED_URL_MAX } from './limits.js';

// Characters kept as they are in a link target; everything else is percent-encoded so that a
// URL can neither end a masked link early (`)`, space), nor open markup (`*`, `|`, backticks,
// brackets), nor be read as a mention (`<@`).
const URL_SAFE = /[A-Za-z0-9\-._~:/?#@!$&'+,;=%]/u;

/**
 * The URL in a form safe to put in an embed and inside `[label](url)`, or null when it is not an
 * absolute http(s) URL (Discord rejects embeds with invalid URLs; other schemes are never linked).
 */
export function safeUrl(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.username !== '' || url.password !== '') return null; // `https://user@host` misleads readers
  if (url.hostname.startsWith('[')) return null; // IPv6 literal: its brackets would be encoded away
  let encoded = '';
  for (const char of url.href) {
    encoded += URL_SAFE.test(char) ? char : encodeURIComponent(char).replace(/[!'()*]/gu, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  }
  return encoded.length <= EMBED_URL_MAX ? encoded : null;
}

/** A masked link `[label](url)`; `label` must already be escaped (brackets included) and `url` from safeUrl. */
export function maskedLink(label: string, url: string): string {
  return `[${label}](${url})`;
}
