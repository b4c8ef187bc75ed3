import type { APIEmbed } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { lessonPages } from '../../src/domain/discord-format/index.js';
import { keptLessonPages, KEPT_PAGED_TEXTS, renderLessonPage } from '../../src/lessons/pages-view.js';
import { makeLesson } from '../support/lessons.js';

/** A paragraph of 200,000 characters (the format's limit), as one lesson's article. */
const words = Array.from({ length: 3_000 }, (_, i) => `w${i.toString(36)}`);
const paragraph = Array.from({ length: 40_000 }, (_, i) => words[(i * 7919) % words.length]).join(' ').slice(0, 199_990);
const long = makeLesson({ id: '5d7c9a1e-0b2f-4c3d-8e4f-5a6b7c8d9e0f', article: [paragraph] });
/** What each click gets from the lesson service: the lesson read again (a copy equal to the first). */
const readAgain = <T>(value: T): T => structuredClone(value);
const description = (lesson: Parameters<typeof renderLessonPage>[0]['lesson'], page: number) =>
  (renderLessonPage({ lesson }, 'article', page, false).embeds?.[0] as APIEmbed | undefined)?.description;

describe('pages of a long text are cut once, not at every click', () => {
  it('Previous and Next on a 200,000-character paragraph: its pages, cut once, are what cutting it anew gives', () => {
    const first = keptLessonPages(readAgain(long), 'article');
    expect(keptLessonPages(readAgain(long), 'article')).toBe(first);
    const cut = lessonPages(long, 'article');
    expect(first).toEqual(cut);
    expect(cut.pages.length).toBeGreaterThan(40);
    expect([1, 2, 25, cut.pages.length].map((page) => description(readAgain(long), page))).toEqual([cut.pages[0], cut.pages[1], cut.pages[24], cut.pages.at(-1)]);
    expect(keptLessonPages(readAgain(long), 'article')).toBe(first);
  });

  it('a lesson imported again with another text or title is cut anew', () => {
    const first = keptLessonPages(long, 'article');
    const changed = { ...long, article: [`${paragraph.slice(0, -1)}!`] };
    const again = keptLessonPages(changed, 'article');
    expect(again).not.toBe(first);
    expect(again).toEqual(lessonPages(changed, 'article'));
    expect(keptLessonPages({ ...changed, title: 'Another title' }, 'article').title).toBe('📰 Another title');
    expect(keptLessonPages(readAgain(long), 'article')).toEqual(first);
  });

  it(`keeps the last ${KEPT_PAGED_TEXTS} long texts paged; a usual lesson's pages are cut each time (~0.05 ms)`, () => {
    const others = Array.from({ length: KEPT_PAGED_TEXTS + 1 }, (_, i) => ({ ...long, id: `5d7c9a1e-0b2f-4c3d-8e4f-5a6b7c8d9e${(16 + i).toString(16)}` }));
    const cut = others.map((lesson) => keptLessonPages(lesson, 'article'));
    expect(keptLessonPages(others.at(-1)!, 'article')).toBe(cut.at(-1));
    expect(keptLessonPages(others[0]!, 'article')).not.toBe(cut[0]);
    const usual = makeLesson();
    expect(keptLessonPages(usual, 'article')).not.toBe(keptLessonPages(usual, 'article'));
    expect(keptLessonPages(usual, 'article')).toEqual(lessonPages(usual, 'article'));
  });
});
