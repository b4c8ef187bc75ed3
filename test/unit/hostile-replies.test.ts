import { describe, expect, it } from 'vitest';
import type { LibraryLesson } from '../../src/db/lessons.js';
import type { Schedule } from '../../src/db/schedules.js';
import { renderPlanned, renderPreview, renderUpcoming, scheduleEmbed } from '../../src/delivery/schedule-view.js';
import { plainText } from '../../src/domain/discord-format/index.js';
import type { ReplyPayload } from '../../src/discord/reply.js';
import { renderLessonCard, renderLessonPost } from '../../src/lessons/card-view.js';
import { renderImportOutcome } from '../../src/lessons/import-view.js';
import { renderLessonPage } from '../../src/lessons/pages-view.js';
import { renderRelated, renderSearchPage } from '../../src/discovery/views.js';
import { makeLesson } from '../support/lessons.js';

/** Everything a hostile export could put in a lesson's text. */
const HOSTILE = '@everyone @here <@123456789012345678> <@!123456789012345678> <@&223456789012345678> <#323456789012345678> [click me](http://evil.example/x) ```js\nalert(1)``` \u202Egnp.exe **bold** ||spoiler|| > quote';

const hostileLesson = (title = `Title ${HOSTILE}`): LibraryLesson => ({
  lesson: makeLesson({
    title,
    category: `cat ${HOSTILE}`,
    summary: `Summary ${HOSTILE}`,
    article: [`Paragraph ${HOSTILE}`, 'Second paragraph.'],
    dialogue: [
      { speaker: `A ${HOSTILE}`, text: `Line ${HOSTILE}` },
      { speaker: 'B', text: 'Fine.' },
    ],
    similarReadings: [`Related ${HOSTILE}`],
  }),
  articleWords: 10,
  dialogueWords: 5,
  readCount: 3,
  lastReadAt: null,
  importedAt: new Date('2026-01-01T00:00:00Z'),
});

const schedule: Schedule = {
  guildId: '100000000000000001',
  channelId: '100000000000000002',
  postTime: '07:30',
  timeZone: 'Asia/Tokyo',
  roleId: null,
  createThread: false,
  paused: false,
  effectiveFrom: new Date('2026-01-01T00:00:00Z'),
  failureCount: 0,
  lastFailureAt: null,
  lastFailureReason: null,
  retryAt: null,
} as unknown as Schedule;

/** Every piece of text a payload shows: content, embed parts, button labels. */
function shownText(payload: ReplyPayload): string[] {
  const texts: string[] = [];
  if (payload.content) texts.push(payload.content);
  for (const embed of (payload.embeds ?? []) as Record<string, unknown>[]) {
    const data = ('data' in embed ? embed.data : embed) as {
      title?: string; description?: string; footer?: { text: string }; author?: { name: string };
      fields?: { name: string; value: string }[];
    };
    for (const text of [data.title, data.description, data.footer?.text, data.author?.name]) if (text) texts.push(text);
    for (const field of data.fields ?? []) texts.push(field.name, field.value);
  }
  for (const row of (payload.components ?? []) as unknown as { components?: { label?: string }[] }[]) {
    for (const component of row.components ?? []) if (component.label) texts.push(component.label);
  }
  return texts;
}

function expectInert(text: string): void {
  expect(text).not.toMatch(/@(everyone|here)/u);
  expect(text).not.toMatch(/<[@#][!&]?[123]23456789012345678/u);
  expect(text).not.toMatch(/(?<!\\)\[click me(?<!\\)\]/u);
  expect(text).not.toContain('``');
  expect(text).not.toMatch(/(?<!\\)\*\*bold/u);
  expect(text).not.toMatch(/(?<!\\)\|\|spoiler/u);
  expect(text).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u200E\u200F]/u);
}

const replies: [string, (stored: LibraryLesson) => ReplyPayload][] = [
  ['/lesson show (card)', (stored) => renderLessonCard(stored, 2)],
  ['the daily post', (stored) => renderLessonPost(stored, 2)],
  ['/lesson article', (stored) => renderLessonPage(stored, 'article', 0, false)],
  ['/lesson dialogue', (stored) => renderLessonPage(stored, 'dialogue', 0, true)],
  [
    '/lesson related',
    (stored) =>
      renderRelated(stored, {
        lessons: [{ id: stored.lesson.id, title: stored.lesson.title, date: stored.lesson.date, category: stored.lesson.category, reason: 'similar-reading', read: true }],
        notInLibrary: [...stored.lesson.similarReadings],
      }),
  ],
  [
    '/lesson search',
    (stored) =>
      renderSearchPage(
        {
          query: HOSTILE.slice(0, 70),
          category: undefined,
          page: 2,
          pageSize: 5,
          results: [{ id: stored.lesson.id, title: stored.lesson.title, date: stored.lesson.date, category: stored.lesson.category }],
          hasNext: true,
          partial: true,
        },
        { query: HOSTILE.slice(0, 70), category: '' },
      ),
  ],
  [
    '/lesson import (imported)',
    (stored) => renderImportOutcome(`file-${HOSTILE}`, { ok: true, counts: { imported: 1, updated: 0, unchanged: 0 }, lessons: [{ path: 'x', lesson: stored.lesson }] }),
  ],
  [
    '/lesson import (problems)',
    (stored) => renderImportOutcome('x.txt', { ok: false, problemCount: 1, problems: [{ path: 'x.txt', line: 3, message: `found "${stored.lesson.title}"` }] }),
  ],
  ['/schedule plan', (stored) => renderPlanned('2026-03-02', stored)],
  ['/schedule upcoming', (stored) => renderUpcoming('Asia/Tokyo', [{ localDate: '2026-03-02', title: stored.lesson.title, source: 'planned' }])],
  ['/schedule preview', (stored) => renderPreview('2026-03-02', stored, 2, null)],
  ['/schedule show', () => ({ embeds: [scheduleEmbed(schedule, new Date('2026-03-02T00:00:00Z'), undefined)] })],
];

describe('every reply with a hostile lesson', () => {
  it.each(replies)('%s shows lesson text inert: no mention, link, code fence, markup or bidi override', (_name, render) => {
    const texts = shownText(render(hostileLesson()));
    expect(texts.length).toBeGreaterThan(0);
    for (const text of texts) expectInert(text);
  });

  it.each(replies)('%s never shows a blank title for a zero-width-only lesson title', (_name, render) => {
    const texts = shownText(render(hostileLesson('\u200b\u200d\u2060')));
    for (const text of texts) expect(text.replace(/[\s\p{Cf}]/gu, '')).not.toBe('');
  });

  it('keeps the hostile text readable after escaping', () => {
    const [content] = shownText(renderPlanned('2026-03-02', hostileLesson()));
    expect(content).toContain('click me');
    expect(content).toContain('gnp.exe');
  });

  it('autocomplete and thread names lose bidi and control characters', () => {
    expect(plainText('abc\u202Edef\u0007g\u2066h')).toBe('abcdef gh');
  });
});
