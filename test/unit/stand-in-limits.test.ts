import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/local-discord/errors.js';
import { validateMessageBody } from '../../src/local-discord/validation.js';

/** The `_errors` the local Discord answers `body` with, by field path; [] when it takes the message. */
function refusal(body: Record<string, unknown>): [string, string][] {
  try {
    validateMessageBody(body, { creating: true, fileCount: 0 });
    return [];
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    expect(error.code).toBe(50035);
    const found: [string, string][] = [];
    const walk = (node: unknown, path: string[]) => {
      if (Array.isArray(node)) for (const item of node as { code: string }[]) found.push([path.join('.'), item.code]);
      else if (node && typeof node === 'object') for (const [key, value] of Object.entries(node)) walk(value, key === '_errors' ? path : [...path, key]);
    };
    walk(error.errors, []);
    return found;
  }
}

const row = (...components: Record<string, unknown>[]) => ({ type: 1, components });
const button = (fields: Record<string, unknown>) => ({ type: 2, style: 1, label: 'Open', custom_id: 'open', ...fields });

// Discord's documented rules the local Discord enforces besides lengths (developers/components/reference, Button
// and Action Row; developers/resources/message, Embed Object: "only supports http(s)").
describe('the local Discord refuses messages Discord refuses', () => {
  it('takes a message within the rules', () => {
    expect(
      refusal({
        embeds: [{ title: 'T', url: 'https://example.com/a', color: 0xffffff, author: { name: 'A', url: 'http://example.com' }, image: { url: 'attachment://card.png' } }],
        components: [row(button({}), button({ style: 5, custom_id: undefined, url: 'https://example.com' }), button({ custom_id: 'e', label: undefined, emoji: { name: '✅' } }))],
      }),
    ).toEqual([]);
  });

  it('refuses an empty action row', () => {
    expect(refusal({ content: 'x', components: [row()] })).toEqual([['components.0.components', 'BASE_TYPE_BAD_LENGTH']]);
  });

  it('refuses a button without its custom_id, a link button without its URL or with a custom_id, and one with neither label nor emoji', () => {
    expect(refusal({ components: [row(button({ custom_id: undefined }))] })).toEqual([['components.0.components.0.custom_id', 'BASE_TYPE_REQUIRED']]);
    expect(refusal({ components: [row(button({ style: 5, custom_id: undefined }))] })).toEqual([['components.0.components.0.url', 'BASE_TYPE_REQUIRED']]);
    expect(refusal({ components: [row(button({ style: 5, url: 'https://example.com' }))] })).toEqual([['components.0.components.0.custom_id', 'COMPONENT_INVALID_FIELD']]);
    expect(refusal({ components: [row(button({ style: 5, custom_id: undefined, url: `https://example.com/${'a'.repeat(500)}` }))] })).toEqual([
      ['components.0.components.0.url', 'BASE_TYPE_MAX_LENGTH'],
    ]);
    expect(refusal({ components: [row(button({ label: undefined }))] })).toEqual([['components.0.components.0.label', 'BASE_TYPE_REQUIRED']]);
    expect(refusal({ components: [row(button({ style: 9 }))] })).toEqual([['components.0.components.0.style', 'BASE_TYPE_CHOICES']]);
  });

  it('refuses an embed link that is not an http(s) URL, and a colour beyond 24 bits', () => {
    expect(refusal({ embeds: [{ title: 'T', url: 'javascript:alert(1)' }] })).toEqual([['embeds.0.url', 'URL_TYPE_INVALID_SCHEME']]);
    expect(refusal({ embeds: [{ title: 'T', url: 'example.com/a' }] })).toEqual([['embeds.0.url', 'URL_TYPE_INVALID_URL']]);
    expect(refusal({ embeds: [{ author: { name: 'A', url: 'ftp://example.com' } }] })).toEqual([['embeds.0.author.url', 'URL_TYPE_INVALID_SCHEME']]);
    expect(refusal({ embeds: [{ title: 'T', color: 0x1000000 }] })).toEqual([['embeds.0.color', 'NUMBER_TYPE_MAX']]);
  });
});
