import { describe, expect, it } from 'vitest';
import { embedLength } from '../../../src/domain/discord-format/embed.js';
import { formatArticle, formatDialogue } from '../../../src/domain/discord-format/lesson-blocks.js';
import { EMBED_DESCRIPTION_MAX, EMBED_TITLE_MAX, EMBEDS_TOTAL_MAX } from '../../../src/domain/discord-format/limits.js';
import { BLOCK_SEPARATOR } from '../../../src/domain/discord-format/paginate.js';
import { lessonPages, PAGE_DESCRIPTION_MAX, pageFooter } from '../../../src/domain/discord-format/pages.js';
import { assertWithinLimits } from '../../../src/domain/discord-format/validate.js';
import { makeLesson } from '../../support/lessons.js';

const ZWSP = '\u200b';

function longArticle(): string[] {
  const sentence = (i: number) => `Sentence number ${i} of the article says something about the news of the day.`;
  // 30 paragraphs of about 400 characters each: well over 4096 in total.
  return Array.from({ length: 30 }, (_, p) => Array.from({ length: 5 }, (_, s) => sentence(p * 5 + s)).join(' '));
}

describe('formatDialogue', () => {
  it('labels each turn with its speaker in bold, with one marker per speaker', () => {
    const blocks = formatDialogue(
      makeLesson({
        dialogue: [
          { speaker: 'A', text: 'Hello!' },
          { speaker: 'B', text: 'Hi.' },
          { speaker: 'A', text: 'News?' },
        ],
      }),
    );
    expect(blocks).toEqual(['🔵 **A:** Hello!', '🟠 **B:** Hi.', '🔵 **A:** News?']);
  });

  it('escapes the speaker and the text, and keeps a multi-word name in one unbreakable label', () => {
    const [block] = formatDialogue(makeLesson({ dialogue: [{ speaker: 'Dr *Evil* <@&1>', text: '@everyone # now' }] }));
    expect(block).toBe(`🔵 **Dr\u00a0\\*Evil\\*\u00a0<@${ZWSP}&1>:** @${ZWSP}everyone # now`);
  });

  it('skips empty turns and names an unnamed speaker', () => {
    expect(formatDialogue(makeLesson({ dialogue: [{ speaker: ' ', text: 'Hi' }, { speaker: 'B', text: '  ' }] }))).toEqual([
      '🔵 **Speaker:** Hi',
    ]);
  });

  it('names a speaker that would show nothing (zero-width, bidirectional or control characters only)', () => {
    // JSON takes any non-blank speaker: "\u200b" showed as a bare bold colon, `🔵 **\u200b:** Hi`.
    for (const speaker of ['\u200b', '\u202e', '\u0085', '\ufe0f']) {
      expect(formatDialogue(makeLesson({ dialogue: [{ speaker, text: 'Hi' }] }))).toEqual(['🔵 **Speaker:** Hi']);
    }
  });
});

describe('formatArticle', () => {
  it('gives one escaped block per non-empty paragraph', () => {
    expect(formatArticle(makeLesson({ article: ['# Big news', '', '  Calm  ', '[x](http://y) @here'] }))).toEqual([
      '\\# Big news',
      'Calm',
      `\\[x\\](http://y) @${ZWSP}here`,
    ]);
  });
});

describe('lessonPages', () => {
  it('pages an article longer than 4096 characters, each page within limits, losing no text', () => {
    const lesson = makeLesson({ article: longArticle() });
    expect(lesson.article.join(BLOCK_SEPARATOR).length).toBeGreaterThan(4096);
    const { title, pages } = lessonPages(lesson, 'article');
    expect(pages.length).toBeGreaterThan(1);
    for (const [i, page] of pages.entries()) {
      expect(page.length).toBeLessThanOrEqual(PAGE_DESCRIPTION_MAX);
      const embed = { title, description: page, footer: { text: pageFooter(i + 1, pages.length) } };
      expect(assertWithinLimits({ embeds: [embed] })).toEqual([]);
      expect(embedLength(embed)).toBeLessThanOrEqual(EMBEDS_TOTAL_MAX);
    }
    expect(pages.join(BLOCK_SEPARATOR)).toBe(formatArticle(lesson).join(BLOCK_SEPARATOR));
  });

  it('pages the dialogue with speaker labels', () => {
    const { title, pages } = lessonPages(makeLesson(), 'dialogue');
    expect(title.startsWith('💬 ')).toBe(true);
    expect(pages).toEqual([formatDialogue(makeLesson()).join(BLOCK_SEPARATOR)]);
  });

  it('cuts an absurdly long title to the embed title limit', () => {
    const { title } = lessonPages(makeLesson({ title: 'word '.repeat(200) }), 'article');
    expect(title.length).toBeLessThanOrEqual(EMBED_TITLE_MAX);
    expect(title.endsWith('…')).toBe(true);
  });

  it('always has a page, even for a lesson without dialogue', () => {
    expect(lessonPages(makeLesson({ dialogue: [] }), 'dialogue').pages).toEqual(['*This lesson has no dialogue.*']);
  });

  it('neutralises hostile lesson text', () => {
    const { pages } = lessonPages(makeLesson({ article: ['@everyone <@&123> **bold** # heading [x](http://y)', '# heading'] }), 'article');
    const text = pages.join('\n');
    expect(text).not.toMatch(/@everyone|<@&|(?<!\\)\*\*|^#|(?<!\\)\[x(?<!\\)\]/mu);
  });
});

describe('PAGE_DESCRIPTION_MAX', () => {
  it('leaves room for the longest title and footer within the 6000 total', () => {
    expect(PAGE_DESCRIPTION_MAX).toBeLessThanOrEqual(EMBED_DESCRIPTION_MAX);
    expect(EMBED_TITLE_MAX + PAGE_DESCRIPTION_MAX + pageFooter(9999, 9999).length).toBeLessThanOrEqual(EMBEDS_TOTAL_MAX);
  });
});

describe('pageFooter', () => {
  it('numbers pages from 1', () => {
    expect(pageFooter(1, 3)).toBe('Page 1 of 3');
  });
});
