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
  if (!isPlainHost(url.hostname)) return null;
  let encoded = '';
  for (const char of url.href) {
    encoded += URL_SAFE.test(char) ? char : encodeURIComponent(char).replace(/[!'()*]/gu, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  }
  return encoded.length <= EMBED_URL_MAX ? encoded : null;
}

/** A DNS label as host names have them (WHATWG's parser has lowered the case and turned Unicode into punycode). */
const HOST_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/u;
const TOP_LEVEL = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/u;
const IPV4 = /^(?:\d{1,3}\.){3}\d{1,3}$/u;

/**
 * A host Discord takes in an embed's URL: a name of DNS labels under a top-level domain, or an IPv4 address. The URL
 * parser lets `*`, `_`, `~`, `$` and `&` into a host, which would be sent percent-encoded (`a%2Ab.com`), and a host
 * without a top-level domain (`http://intranet/`): URL validators as Discord's refuse such a link, and with it the
 * whole message (a daily post failing every retry), so they are shown without one.
 */
function isPlainHost(hostname: string): boolean {
  if (IPV4.test(hostname)) return true;
  const labels = (hostname.endsWith('.') ? hostname.slice(0, -1) : hostname).split('.');
  return labels.length >= 2 && labels.every((label) => HOST_LABEL.test(label)) && TOP_LEVEL.test(labels.at(-1) ?? '');
}

/** A masked link `[label](url)`; `label` must already be escaped (brackets included) and `url` from safeUrl. */
export function maskedLink(label: string, url: string): string {
  return `[${label}](${url})`;
}
