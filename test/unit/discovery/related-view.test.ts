import { describe, expect, it } from 'vitest';
import type { LibraryLesson } from '../../../src/db/lessons.js';
import { renderRelated, renderSearchPage } from '../../../src/discovery/views.js';
import type { RelatedReadings } from '../../../src/discovery/related.js';
import type { ReplyPayload } from '../../../src/discord/reply.js';
import { assertWithinLimits, type MessageData } from '../../../src/domain/discord-format/index.js';
import { decodeCatchupId } from '../../../src/domain/progress/catchup-ids.js';
import { makeLesson } from '../../support/lessons.js';

const stored = (title: string): LibraryLesson => ({
  lesson: makeLesson({ title }),
  articleWords: 100,
  dialogueWords: 50,
  readCount: 0,
  lastReadAt: null,
  importedAt: new Date('2026-01-01T00:00:00Z'),
});

const source = stored('Strong earthquake hits eastern Hokkaido');
const named = makeLesson({ title: 'Tsunami advisory lifted', date: '2025-06-13' });
const similar = makeLesson({ title: 'Government revises Nankai Trough damage estimates', date: '2025-03-31' });
const related: RelatedReadings = {
  lessons: [
    { id: named.id, title: named.title, date: named.date, category: 'nhk', reason: 'similar-reading', read: true },
    { id: similar.id, title: similar.title, date: similar.date, category: 'nhk', reason: 'content', read: false },
  ],
  notInLibrary: ['Strong quake jolts Taiwan'],
};

type View = Omit<MessageData, 'components'> & { components?: { components: { label?: string; custom_id?: string }[] }[] };
/** The payload as sent (the views build plain objects). */
const view = (payload: ReplyPayload) => payload as unknown as View;

describe('the related readings reply', () => {
  it('privately: each lesson with its date and this member’s read mark, a numbered button opening each card', () => {
    const reply = view(renderRelated(source, related));
    expect(assertWithinLimits(reply as MessageData)).toEqual([]);
    const description = reply.embeds?.[0]?.description ?? '';
    expect(description.split('\n').slice(0, 2)).toEqual([
      '**1.** Tsunami advisory lifted · 2025-06-13 · ✅ read',
      '**2.** Government revises Nankai Trough damage estimates · 2025-03-31 · similar topic',
    ]);
    expect(description).toContain('**Not in the library**\n• Strong quake jolts Taiwan');
    const open = reply.components?.[0]?.components ?? [];
    expect(open.map((button) => decodeCatchupId(button.custom_id ?? ''))).toEqual([
      { action: 'card', lessonId: named.id },
      { action: 'card', lessonId: similar.id },
    ]);
    expect(open[0]?.label).toBe('1 · Tsunami advisory lifted');
    expect(open[1]?.label).toMatch(/^2 · Government revises Nankai\b.*…$/u);
    expect(open[1]?.label?.length).toBeLessThanOrEqual(40);
  });

  it('shared: nobody’s read marks (everyone in the channel sees it), and how to see one’s own', () => {
    const reply = view(renderRelated(source, related, { shared: true }));
    expect(reply.embeds?.[0]?.description).not.toContain('✅');
    expect(reply.embeds?.[0]?.description).toContain('**1.** Tsunami advisory lifted · 2025-06-13\n');
    expect(reply.embeds?.[0]?.footer?.text).toBe('Press a number to open that lesson’s card, or Related to see which you have read.');
    const labels = (reply.components ?? []).flatMap((row) => row.components).map((button) => button.label);
    expect(labels).toContain('Related');
  });
});

describe('a search page', () => {
  it('with nothing found, says when the words were too common to search for, else to try other words', () => {
    const empty = { query: 'the', category: undefined, page: 1, pageSize: 5, results: [], hasNext: false, partial: false };
    const common = view(renderSearchPage({ ...empty, onlyCommonWords: true }, { query: 'the', category: '' }));
    expect(common.embeds?.[0]?.description).toMatch(/^Those words are too common to search for/u);
    expect(view(renderSearchPage(empty, { query: 'the', category: '' })).embeds?.[0]?.description).toMatch(/^No lesson matches that/u);
  });

  it('numbers its buttons as its list: page 2 lists 6–8, and its buttons say 6, 7 and 8', () => {
    const found = ['Harbour ferry resumes', 'Harbour crane toppled', 'Harbour museum opens'].map((title) => {
      const lesson = makeLesson({ title, date: '2025-05-01' });
      return { id: lesson.id, title, date: lesson.date, category: 'nhk' };
    });
    const reply = view(renderSearchPage({ query: 'harbour', category: undefined, page: 2, pageSize: 5, results: found, hasNext: false, partial: false }, { query: 'harbour', category: '' }));
    expect(assertWithinLimits(reply as MessageData)).toEqual([]);
    expect((reply.embeds?.[0]?.description ?? '').split('\n').map((line) => line.split(' · ')[0])).toEqual([
      '**6.** Harbour ferry resumes',
      '**7.** Harbour crane toppled',
      '**8.** Harbour museum opens',
    ]);
    const open = reply.components?.[0]?.components ?? [];
    expect(open.map((button) => button.label)).toEqual(['6 · Harbour ferry resumes', '7 · Harbour crane toppled', '8 · Harbour museum opens']);
    expect(open.map((button) => decodeCatchupId(button.custom_id ?? ''))).toEqual(found.map((lesson) => ({ action: 'card', lessonId: lesson.id })));
  });
});
