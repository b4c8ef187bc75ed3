import { describe, expect, it } from 'vitest';
import type { LibraryLesson } from '../../src/db/lessons.js';
import type { Schedule } from '../../src/db/schedules.js';
import { renderPlanned, renderPreview, renderUpcoming, scheduleEmbed } from '../../src/delivery/schedule-view.js';
import { assertWithinLimits, plainText, type MessageData } from '../../src/domain/discord-format/index.js';
import type { ReplyPayload } from '../../src/discord/reply.js';
import { renderLessonCard, renderLessonPost } from '../../src/lessons/card-view.js';
import { renderImportOutcome } from '../../src/lessons/import-view.js';
import { renderLessonPage } from '../../src/lessons/pages-view.js';
import { renderRelated, renderSearchPage } from '../../src/discovery/views.js';
import { threadName, type LessonPoster } from '../../src/delivery/poster.js';
import { createDeliveryService } from '../../src/delivery/service.js';
import { renderCatchup } from '../../src/reading/catchup-view.js';
import { renderProgress } from '../../src/reading/progress-view.js';
import { setMemberTimeZone } from '../../src/reading/settings.js';
import { renderQuiz, renderVocabulary } from '../../src/vocabulary/views.js';
import type { QuizState } from '../../src/vocabulary/quiz-service.js';
import type { ReadingDeps } from '../../src/reading/deps.js';
import type { LessonsService } from '../../src/lessons/service.js';
import type { Kysely } from 'kysely';
import type { DB } from '../../src/db/schema.js';
import { makeLesson } from '../support/lessons.js';

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/u;

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
  ['/schedule preview', (stored) => renderPreview('2026-03-02', stored, 2, { roleId: null, guildId: '800000000000000001' })],
  ['/schedule show', () => ({ embeds: [scheduleEmbed(schedule, new Date('2026-03-02T00:00:00Z'), undefined)] })],
  [
    '/lesson vocab',
    (stored) =>
      renderVocabulary(
        stored.lesson,
        {
          entries: [{ word: 'treaty', lemma: 'treaty', pos: 'noun', definition: `a pact ${HOSTILE}`, sentence: `The treaty ${HOSTILE}`, source: 'article', frequency: 10, distractors: ['a', 'b', 'c'] }],
          level: { band: 'B2', outside2k: 0.1, outside5k: 0.05, words: 100 },
          contentHash: 'x',
          lexiconVersion: 'x',
        },
        1,
        false,
      ),
  ],
  ['/lesson quiz (a question)', (stored) => renderQuiz(stored.lesson.title, quizState(false))],
  ['/lesson quiz (the score)', (stored) => renderQuiz(stored.lesson.title, quizState(true))],
  [
    '/lesson catchup',
    (stored) => renderCatchup({ lessons: [{ lessonId: stored.lesson.id, title: stored.lesson.title, postedAt: new Date('2026-03-01T09:00:00Z'), localDate: '2026-03-01' }], start: 0, total: 1 }),
  ],
  [
    '/progress',
    (stored) =>
      renderProgress(
        {
          kind: 'report',
          report: {
            userId: '400000000000000001', self: true, zone: 'UTC', zoneSource: 'utc', today: '2026-03-02', lessonsRead: 1, wordsRead: 10,
            currentStreak: 1, frozenDays: [], bestStreak: 1, readingDaysLast7: 1,
            recent: [{ lessonId: stored.lesson.id, title: stored.lesson.title, localDate: '2026-03-01' }],
            sections: [{ title: `Quizzes ${HOSTILE}`, lines: [`line ${HOSTILE}`], private: false }],
          },
        },
        '400000000000000001',
      ),
  ],
];

/** A quiz on the hostile lesson: its question (prompt and choices from lesson text), or its end. */
function quizState(finished: boolean): QuizState {
  const question = {
    lemma: 'treaty', prompt: `The ____ ${HOSTILE}`, answer: 'treaty', choices: ['treaty', 'window', 'garden', 'bottle'],
    position: 0, chosen: finished ? 'window' : null, correct: finished ? false : null, answeredAt: finished ? new Date() : null,
  };
  return {
    attempt: {
      id: 1, lessonId: 'add8c4f2-5778-47a5-bd18-2492841fbc6e', guildId: 'g', userId: 'u', attemptNumber: 1, questionCount: 1, score: 0,
      startedAt: new Date(), finishedAt: finished ? new Date() : null, questions: [question],
    },
    current: finished ? undefined : question,
  };
}

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

  it.each(replies)('%s never shows an empty title or bold markers for a title of control characters (DEL, C1)', (_name, render) => {
    for (const title of ['\u007f', '\u0085', '\u0080\u009f']) {
      for (const text of shownText(render(hostileLesson(title)))) {
        expect(text).not.toMatch(/[\u007f-\u009f]/u);
        expect(text).not.toContain('****');
        expect(text.replace(/[\s\p{Cf}]/gu, '')).not.toBe('');
      }
    }
  });

  it('keeps the hostile text readable after escaping', () => {
    const [content] = shownText(renderPlanned('2026-03-02', hostileLesson()));
    expect(content).toContain('click me');
    expect(content).toContain('gnp.exe');
  });

  it('autocomplete and thread names lose bidi and control characters', () => {
    expect(plainText('abc\u202Edef\u0007g\u2066h')).toBe('abcdef gh');
  });

  it('a thread name is one line within 100 characters, never half a surrogate pair, never blank', () => {
    expect(threadName('Tokyo\u202E news\n\u0000today')).toBe('Tokyo news today');
    const long = threadName(`x${'😀'.repeat(60)}`);
    expect(long.length).toBeLessThanOrEqual(100);
    expect(long).not.toMatch(/\p{Cs}/u);
    expect(threadName('\u200b\u200d\u2060')).toBe('Lesson');
  });

  it('what a member typed and the bot echoes (a search, a date, a time zone) loses control and bidi characters', async () => {
    const typed = `Tokyo\u0000\u202E @everyone [x](http://evil.example) \u0007`;
    const search = shownText(
      renderSearchPage({ query: typed, category: undefined, page: 1, pageSize: 5, results: [], hasNext: false, partial: false }, { query: typed, category: '' }),
    );
    for (const text of search) {
      expectInert(text);
      expect(text).not.toMatch(CONTROL);
    }
    const delivery = createDeliveryService({
      db: undefined as unknown as Kysely<DB>,
      now: () => new Date('2026-03-01T12:00:00Z'),
      lessons: undefined as unknown as LessonsService,
      poster: undefined as unknown as LessonPoster,
    });
    const refusal = (action: () => unknown): string => {
      try {
        action();
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error('expected a refusal');
    };
    for (const message of [refusal(() => delivery.postingTime('07:30', typed)), refusal(() => delivery.postingTime(typed, 'Asia/Tokyo'))]) {
      expectInert(message);
      expect(message).not.toMatch(CONTROL);
    }
    const settings = await setMemberTimeZone({ db: undefined, now: () => new Date() } as unknown as ReadingDeps, '1', typed).then(
      () => '',
      (error: unknown) => (error as Error).message,
    );
    expect(settings).toContain('is not a time zone I know');
    expect(settings).not.toMatch(CONTROL);
    expect(settings).not.toMatch(/[\u202A-\u202E]/u);
  });

  it('a time zone typed long is echoed cut whole: never half an emoji, and with its mentions broken', async () => {
    const refused = (typed: string) =>
      setMemberTimeZone({ db: undefined, now: () => new Date() } as unknown as ReadingDeps, '1', typed).then(
        () => '',
        (error: unknown) => (error as Error).message,
      );
    // 63 characters (64 UTF-16 units): within the option's 64, the emoji where a cut at 60 units would halve it.
    const long = await refused(`${'x'.repeat(59)}😀abc`);
    expect(long).toContain('is not a time zone I know');
    expect(long).not.toMatch(/\p{Cs}/u);
    expectInert(await refused('@everyone <@123456789012345678> [click me](http://evil.example)'));
  });

  it('Discord timestamps, custom emoji and command mentions in lesson text show as text', () => {
    const [content] = shownText(renderPlanned('2026-03-02', hostileLesson('Title <t:0:R> <:pog:123> <a:wave:456> </lesson today:789> <id:home>')));
    expect(content).not.toMatch(/(?<!\\)<(?:t:|:|a:|\/|id:)/u);
  });
});

const descriptionOf = (payload: ReplyPayload): string => ((payload.embeds?.[0] as { description?: string } | undefined)?.description ?? '');

describe('the import’s answer', () => {
  const problem = (n: number) => ({ path: 'newsdesk_export_2025_05_weekly_batch.json', line: n * 3, message: `lesson ${n}: the id add8c4f2-5778-47a5-bd18-2492841fbc6e is lesson 1's too (a lesson goes in a file once)` });

  it('lists the problems that fit and counts every one left out (a list cut at 4,000 characters lost its end silently)', () => {
    const problems = [...Array.from({ length: 50 }, (_, i) => problem(i + 2)), { path: 'newsdesk_export_2025_05_weekly_batch.json', line: null, message: 'and 9 more problems not listed', omitted: 9 }];
    const payload = renderImportOutcome('batch.json', { ok: false, problemCount: 59, problems });
    expect(assertWithinLimits(payload as MessageData)).toEqual([]);
    const lines = descriptionOf(payload).split('\n');
    const listed = lines.length - 1;
    expect(listed).toBeGreaterThan(10);
    expect(listed).toBeLessThan(50);
    expect(lines.at(-1)).toBe(`• … and ${59 - listed} more problems not listed`);
    expect(lines.slice(0, -1).every((line) => line.startsWith('• newsdesk\\_export'))).toBe(true);
  });

  it('names every problem when they fit, with no count line', () => {
    const payload = renderImportOutcome('x.json', { ok: false, problemCount: 2, problems: [problem(2), problem(3)] });
    expect(descriptionOf(payload).split('\n')).toHaveLength(2);
  });

  it('lists the lessons imported that fit, then how many more', () => {
    const lessons = Array.from({ length: 400 }, (_, i) => ({ path: 'x', lesson: { ...makeLesson({ title: `Lesson number ${i + 1} about the harbour festival` }) } }));
    const payload = renderImportOutcome('x.json', { ok: true, counts: { imported: 400, updated: 0, unchanged: 0 }, lessons });
    expect(assertWithinLimits(payload as MessageData)).toEqual([]);
    const lines = descriptionOf(payload).split('\n');
    expect(lines.at(-1)).toBe(`• … and ${400 - (lines.length - 1)} more lessons`);
  });
});
