import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { articleDate, lessonCard } from '../../../src/domain/discord-format/card.js';
import { embedLength } from '../../../src/domain/discord-format/embed.js';
import { webAddressSpans } from '../../../src/domain/discord-format/escape.js';
import { EMBED_DESCRIPTION_MAX, EMBED_TITLE_MAX, EMBEDS_TOTAL_MAX } from '../../../src/domain/discord-format/limits.js';
import { assertWithinLimits } from '../../../src/domain/discord-format/validate.js';
import { makeLesson } from '../../support/lessons.js';

const stats = { readers: 3, articleWords: 417, dialogueWords: 300 };
const value = (card: ReturnType<typeof lessonCard>, name: string) => card.fields?.find((field) => field.name === name)?.value;

describe('lessonCard', () => {
  it('shows the lesson at a glance', () => {
    const lesson = makeLesson();
    const card = lessonCard(lesson, stats);
    expect(card.title).toBe('Japan and US agree to work together in cyberspace');
    expect(card.url).toBe(lesson.url);
    expect(card.description).toBe(lesson.summary);
    expect(value(card, 'Article date')).toBe('31 May 2025');
    expect(value(card, 'Category')).toBe('nhk');
    expect(value(card, 'Words')).toBe('717 (article 417 · dialogue 300)');
    expect(value(card, 'Reading time')).toBe('~5 min');
    expect(value(card, 'Readers')).toBe('3 members have read this');
    expect(value(card, 'Source')).toBe(`[nhk.or.jp](${lesson.url})`);
    expect(assertWithinLimits({ embeds: [card] })).toEqual([]);
  });

  it('invites the first reader, and counts one reader in the singular', () => {
    expect(value(lessonCard(makeLesson(), { ...stats, readers: 0 }), 'Readers')).toBe('Be the first to read this');
    expect(value(lessonCard(makeLesson(), { ...stats, readers: 1 }), 'Readers')).toBe('1 member has read this');
  });

  it('says when the lesson was last read, as a Discord timestamp each viewer sees in their own time', () => {
    const lastReadAt = new Date('2026-06-14T10:00:00Z');
    expect(value(lessonCard(makeLesson(), { ...stats, readers: 2, lastReadAt }), 'Readers')).toBe(
      '2 members have read this, last <t:1781431200:R>',
    );
    expect(value(lessonCard(makeLesson(), { ...stats, readers: 0, lastReadAt: null }), 'Readers')).toBe('Be the first to read this');
  });

  it('cuts a 300-character title to 256', () => {
    const card = lessonCard(makeLesson({ title: 'x'.repeat(300) }), stats);
    expect(card.title).toHaveLength(EMBED_TITLE_MAX);
    expect(card.title?.endsWith('…')).toBe(true);
  });

  it('stays within every limit for absurd input', () => {
    const card = lessonCard(
      makeLesson({
        title: 'T '.repeat(500),
        summary: 'S'.repeat(10_000),
        category: 'C'.repeat(2000),
        date: 'x'.repeat(500),
        url: `https://example.com/${'p'.repeat(3000)}`,
      }),
      { readers: 1e12, articleWords: 1e9, dialogueWords: 1e9 },
    );
    expect(assertWithinLimits({ embeds: [card] })).toEqual([]);
    expect(card.description?.length).toBeLessThanOrEqual(EMBED_DESCRIPTION_MAX);
    expect(embedLength(card)).toBeLessThanOrEqual(EMBEDS_TOTAL_MAX);
    expect(card.url).toBeUndefined(); // too long to link safely
  });

  it('holds the 6000 total for any lesson text', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 6000 });
    fc.assert(
      fc.property(text, text, text, (title, summary, category) => {
        const card = lessonCard(makeLesson({ title, summary, category }), stats);
        expect(assertWithinLimits({ embeds: [card] })).toEqual([]);
      }),
      { numRuns: 50 },
    );
  });

  it('neutralises markup and mentions in the title, summary and category', () => {
    const card = lessonCard(makeLesson({ title: '# **Big** @everyone', summary: '<@&123> [x](http://y)', category: '`news`' }), stats);
    expect(card.title).toBe('\\# \\*\\*Big\\*\\* @\u200beveryone');
    expect(card.description).toBe('<@\u200b&123> \\[x\\](http://y)');
    expect(value(card, 'Category')).toBe('\\`news\\`');
  });

  it('never lets the URL inject markup into the masked link', () => {
    const card = lessonCard(makeLesson({ url: 'https://example.com/a)**b**[c]|d|`e` <@&1>' }), stats);
    const source = value(card, 'Source') ?? '';
    const target = source.slice(source.indexOf('](') + 2, -1);
    expect(target).not.toMatch(/[()[\]*|`<>\s]/u);
    expect(card.url).toBe(target);
  });

  it("labels a link with its host without www.", () => {
    expect(value(lessonCard(makeLesson({ url: 'https://www.example.com/a' }), stats), 'Source')).toBe('[example.com](https://www.example.com/a)');
    expect(value(lessonCard(makeLesson({ url: 'https://www2.example.co.uk/a' }), stats), 'Source')).toBe('[example.co.uk](https://www2.example.co.uk/a)');
  });

  it('links only hosts a URL validator takes: DNS names under a top-level domain, IPv4 addresses, Unicode names as punycode', () => {
    for (const url of ['http://www./', 'http://a*b_c~d.com/', 'http://under_score.example.com/x', 'http://a$b&c.com/', 'http://intranet/x', 'http://localhost:3000/', 'http://-bad-.example.com/', 'http://example.123/']) {
      const card = lessonCard(makeLesson({ url }), stats);
      expect(card.url, url).toBeUndefined();
      expect(value(card, 'Source'), url).toBe('Unavailable');
    }
    expect(lessonCard(makeLesson({ url: 'http://192.0.2.7/news' }), stats).url).toBe('http://192.0.2.7/news');
    expect(lessonCard(makeLesson({ url: 'https://bücher.example/a' }), stats).url).toBe('https://xn--bcher-kva.example/a');
    expect(lessonCard(makeLesson({ url: 'https://news.example.com./a' }), stats).url).toBe('https://news.example.com./a');
  });

  it("gives a title of control characters only the card's own title", () => {
    for (const title of ['\u0085', '\u0080\u009f', '\u007f']) {
      const card = lessonCard(makeLesson({ title }), stats);
      expect(card.title).toBe('Today’s lesson');
    }
  });

  it('drops links that are not http(s) and leaves no url on the card', () => {
    for (const url of ['javascript:alert(1)', 'not a url', 'ftp://example.com/x', 'https://user:pw@example.com/']) {
      const card = lessonCard(makeLesson({ url }), stats);
      expect(card.url).toBeUndefined();
      expect(value(card, 'Source')).toBe('Unavailable');
    }
  });

  it('cuts a long summary outside its web address: the address shown as text, not a link to a cut page with "…"', () => {
    const address = `https://www3.nhk.or.jp/news/html/20250531/${'k'.repeat(EMBED_DESCRIPTION_MAX)}.html`;
    const card = lessonCard(makeLesson({ summary: `Source: ${address} (NHK)` }), stats);
    expect(card.description?.length).toBeLessThanOrEqual(EMBED_DESCRIPTION_MAX);
    expect(card.description).toMatch(/^Source: https\\:\/\/www3\.nhk\.or\.jp\/news\/html\/20250531\/k+…$/u);
    expect(webAddressSpans(card.description ?? '')).toEqual([]);
  });

  it('omits an empty summary rather than sending an empty description', () => {
    expect(lessonCard(makeLesson({ summary: '   ' }), stats)).not.toHaveProperty('description');
  });
});

describe('articleDate', () => {
  const byLuxon = (date: string) => DateTime.fromISO(date, { zone: 'utc', locale: 'en-GB' }).toFormat('d LLLL yyyy');

  it('writes every calendar date as luxon does ("5 March 2024")', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1000-01-01T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true }), (instant) => {
        const date = instant.toISOString().slice(0, 10);
        expect(articleDate(date)).toBe(byLuxon(date));
      }),
    );
    expect(articleDate('2024-02-29')).toBe('29 February 2024');
  });

  it('shows what is not a calendar date as it is', () => {
    expect(articleDate('2023-02-29')).toBe('2023-02-29');
    expect(articleDate('2024-13-01')).toBe('2024-13-01');
    expect(articleDate('someday')).toBe('someday');
  });
});
