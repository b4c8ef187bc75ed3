import { describe, expect, it } from 'vitest';
import { assertWithinLimits, type MessageData } from '../../../src/domain/discord-format/index.js';
import { decodeCatchupId, encodeCatchupId } from '../../../src/domain/progress/catchup-ids.js';
import { decodePrivacyId, encodePrivacyId } from '../../../src/domain/progress/privacy-ids.js';
import { renderCatchup } from '../../../src/reading/catchup-view.js';
import { renderLeaderboard } from '../../../src/reading/leaderboard-view.js';
import { renderForgetConfirm, renderForgotten } from '../../../src/reading/privacy-view.js';
import type { ProgressReport } from '../../../src/reading/progress.js';
import { renderProgress } from '../../../src/reading/progress-view.js';

const HOSTILE = `@everyone <@&123> **bold** ${'x'.repeat(300)} [link](https://evil.example) # heading`;
const ID = '0f8fad5b-d9cb-469f-a165-70867728950e';

const report = (overrides: Partial<ProgressReport> = {}): ProgressReport => ({
  userId: '200000000000000101',
  self: true,
  zone: 'Asia/Tokyo',
  zoneSource: 'member',
  today: '2026-06-15',
  lessonsRead: 1234,
  wordsRead: 567890,
  currentStreak: 5,
  frozenDays: ['2026-06-12'],
  bestStreak: 9,
  readingDaysLast7: 5,
  recent: Array.from({ length: 10 }, (_, i) => ({ lessonId: ID, title: HOSTILE, localDate: `2026-06-0${i}` })),
  sections: [{ title: HOSTILE, lines: Array.from({ length: 50 }, () => HOSTILE), private: false }],
  ...overrides,
});

describe('progress view', () => {
  it('fits Discord’s limits and escapes every title, whatever the lessons and sections contain', () => {
    const payload = renderProgress({ kind: 'report', report: report() }, '200000000000000101');
    expect(assertWithinLimits(payload as MessageData)).toEqual([]);
    const text = JSON.stringify(payload);
    expect(text).not.toMatch(/(?<!\u200b)@everyone/u);
    expect(text).not.toContain('<@&123>');
    expect(text).toContain('\\\\*\\\\*bold');
  });

  it('shows numbers grouped, the freeze as used, and streak units', () => {
    const fields = renderProgress({ kind: 'report', report: report() }, 'x').embeds?.[0] as { fields: { name: string; value: string }[] };
    const value = (name: string) => fields.fields.find((f) => f.name === name)?.value;
    expect(value('Lessons read')).toBe('1,234');
    expect(value('Words read')).toBe('567,890');
    expect(value('Current streak')).toBe('5 days · 🧊 freeze used (12 Jun)');
    expect(value('Best streak')).toBe('9 days');
    expect(value('Reading days (last 7)')).toBe('5 of 7');
  });

  it('shows another member neither their time zone nor the dates of their freezes (which days they read)', () => {
    const own = renderProgress({ kind: 'report', report: report({ zone: 'Asia/Tehran', zoneSource: 'member' }) }, 'x').embeds?.[0] as {
      fields: { name: string; value: string }[];
      footer: { text: string };
    };
    expect(own.footer.text).toMatch(/^Days are counted in Asia\/Tehran \(your setting\)\./u);
    const other = renderProgress({ kind: 'report', report: report({ self: false, zone: 'Asia/Tehran', zoneSource: 'member', readingDaysLast7: null, recent: null }) }, 'x')
      .embeds?.[0] as { fields: { name: string; value: string }[]; footer: { text: string } };
    expect(JSON.stringify(other)).not.toContain('Tehran');
    expect(other.footer.text).toMatch(/^Days are counted in their time zone\./u);
    expect(other.fields.find((f) => f.name === 'Current streak')?.value).toBe('5 days · 🧊 1 freeze used');
  });

  it('says nothing about a hidden member', () => {
    const payload = renderProgress({ kind: 'hidden' }, '200000000000000101');
    expect(payload.embeds).toBeUndefined();
    expect(payload.content).toMatch(/^Nothing to show/u);
  });
});

describe('leaderboard view', () => {
  it('lists mentions with rank, lessons and words, the caller’s own rank after a gap', () => {
    const top = Array.from({ length: 10 }, (_, i) => ({ userId: `2000000000000001${String(i).padStart(2, '0')}`, rank: i + 1, lessonsRead: 20 - i, wordsRead: 1000 }));
    const payload = renderLeaderboard(
      { period: 'month', since: new Date(), top, callerOutsideTop: { userId: '999', rank: 42, lessonsRead: 1, wordsRead: 16 }, callerHidden: false },
      '999',
    );
    expect(assertWithinLimits(payload as MessageData)).toEqual([]);
    const lines = (payload.embeds?.[0] as { description: string }).description.split('\n');
    expect(lines[0]).toBe('🥇 <@200000000000000100> — **20 lessons** · 1,000 words');
    expect(lines[3]).toMatch(/^`4\.` /u);
    expect(lines.at(-2)).toBe('…');
    expect(lines.at(-1)).toBe('`42.` <@999> — **1 lesson** · 16 words ← you');
  });

  it('shared, marks nobody: everyone in the channel reads it, and "← you" or "You are hidden" would be about someone else', () => {
    const top = [
      { userId: '200000000000000101', rank: 1, lessonsRead: 3, wordsRead: 900 },
      { userId: '200000000000000102', rank: 2, lessonsRead: 2, wordsRead: 400 },
    ];
    const board = { period: 'week' as const, since: new Date(), top, callerOutsideTop: { userId: '999', rank: 42, lessonsRead: 1, wordsRead: 16 }, callerHidden: false };
    const shared = (renderLeaderboard(board, '200000000000000101', { shared: true }).embeds?.[0] as { description: string }).description;
    expect(shared.split('\n')).toEqual(['🥇 <@200000000000000101> — **3 lessons** · 900 words', '🥈 <@200000000000000102> — **2 lessons** · 400 words', '…', '`42.` <@999> — **1 lesson** · 16 words']);
    const hidden = renderLeaderboard({ ...board, callerOutsideTop: null, callerHidden: true }, '1', { shared: true }).embeds?.[0] as { footer: { text: string } };
    expect(hidden.footer.text).not.toMatch(/You are hidden/u);
    // Privately, the caller's own line is marked as before.
    expect((renderLeaderboard(board, '200000000000000101').embeds?.[0] as { description: string }).description.split('\n')[0]).toMatch(/ ← you$/u);
  });

  it('explains an empty board and a hidden caller', () => {
    const payload = renderLeaderboard({ period: 'week', since: new Date(), top: [], callerOutsideTop: null, callerHidden: true }, '1');
    const embed = payload.embeds?.[0] as { description: string; footer: { text: string } };
    expect(embed.description).toMatch(/Nobody has read a lesson here in the last 7 days yet\./u);
    expect(embed.footer.text).toMatch(/You are hidden/u);
    // All time reads as English too (it said "in the all time yet").
    const allTime = renderLeaderboard({ period: 'all', since: new Date(), top: [], callerOutsideTop: null, callerHidden: false }, '1');
    expect((allTime.embeds?.[0] as { description: string }).description).toMatch(/^Nobody has read a lesson here yet\. /u);
  });
});

describe('catch-up view and ids', () => {
  it('one button per lesson (labels cut to 80), paging buttons disabled at the ends', () => {
    const lessons = Array.from({ length: 5 }, (_, i) => ({ lessonId: `${ID.slice(0, -1)}${i}`, title: HOSTILE, postedAt: new Date(1_780_000_000_000 - i), localDate: '2026-06-01' }));
    const payload = renderCatchup({ lessons, start: 0, total: 12 });
    expect(assertWithinLimits(payload as MessageData)).toEqual([]);
    const rows = payload.components as unknown as { components: { label: string; custom_id: string; disabled?: boolean }[] }[];
    expect(rows[0]!.components).toHaveLength(5);
    expect(rows[0]!.components.every((b) => b.label.length <= 80)).toBe(true);
    expect(decodeCatchupId(rows[0]!.components[0]!.custom_id)).toEqual({ action: 'card', lessonId: `${ID.slice(0, -1)}0` });
    const [previous, next] = rows[1]!.components;
    expect(previous!.disabled).toBe(true);
    // Next goes on from the last lesson shown (its post time and id), not to a page number.
    expect(decodeCatchupId(next!.custom_id)).toEqual({ action: 'catchup', from: { direction: 'next', postedAtMs: 1_780_000_000_000 - 4, lessonId: `${ID.slice(0, -1)}4` } });
    expect(next!.disabled).toBe(false);
    expect((payload.embeds?.[0] as { footer: { text: string } }).footer.text).toMatch(/^Lessons 1–5 of 12 · /u);
    // The last lessons: numbered from their place, Next disabled, Previous from the first shown.
    const end = renderCatchup({ lessons: lessons.slice(0, 2), start: 10, total: 12 });
    const [before, after] = (end.components as unknown as { components: { custom_id: string; disabled?: boolean }[] }[])[1]!.components;
    expect([before!.disabled, after!.disabled]).toEqual([false, true]);
    expect(decodeCatchupId(before!.custom_id)).toMatchObject({ from: { direction: 'previous', lessonId: `${ID.slice(0, -1)}0` } });
    expect((end.embeds?.[0] as { description: string }).description).toMatch(/^\*\*11\.\*\*/u);
    expect(renderCatchup({ lessons: [], start: 0, total: 0 }).content).toMatch(/all caught up/u);
    // Before the server's first post there is nothing to catch up on: not "you have read every lesson posted".
    const nothing = renderCatchup({ lessons: [], start: 0, total: 0, nothingPosted: true }).content;
    expect(nothing).toMatch(/^📭 No lesson has been posted in this server yet/u);
    expect(nothing).not.toMatch(/caught up|read every/u);
  });

  it('catch-up and privacy ids round-trip and refuse anything else', () => {
    expect(decodeCatchupId(encodeCatchupId({ action: 'catchup', page: 12 }))).toEqual({ action: 'catchup', page: 12 });
    const place = { direction: 'previous', postedAtMs: 1_780_000_000_123, lessonId: ID } as const;
    expect(encodeCatchupId({ action: 'catchup', from: place })).toBe(`l:k:p:1780000000123:${ID}`);
    expect(decodeCatchupId(encodeCatchupId({ action: 'catchup', from: place }))).toEqual({ action: 'catchup', from: place });
    for (const bad of ['l:k:0', 'l:k:01', 'l:o:nope', `l:d:${ID}`, 'l:k:1:2', 'x:k:1', `l:k:x:1:${ID}`, `l:k:n:-1:${ID}`, `l:k:n:01:${ID}`, 'l:k:n:1:nope', `l:k:n:1:${ID}:1`]) {
      expect(decodeCatchupId(bad)).toBeNull();
    }
    const forget = { action: 'forget', userId: '200000000000000101', expiresAt: 1_780_000_000 } as const;
    expect(decodePrivacyId(encodePrivacyId(forget))).toEqual(forget);
    const cancel = { action: 'cancel', userId: '200000000000000101', expiresAt: 1_780_000_000 } as const;
    expect(encodePrivacyId(cancel)).toBe('pv:c:200000000000000101:1780000000');
    expect(decodePrivacyId(encodePrivacyId(cancel))).toEqual(cancel);
    // A Cancel button sent before its id named the confirmation still cancels.
    expect(decodePrivacyId(encodePrivacyId({ action: 'cancel', userId: '5' }))).toEqual({ action: 'cancel', userId: '5' });
    for (const bad of ['pv:f:1', 'pv:f:abc:1', 'pv:c:1:x', 'pv:c:1:2:3', 'pv:c:1:-2', 'pv:x:1', 'pv:f:1:-5']) expect(decodePrivacyId(bad)).toBeNull();
  });
});

describe('privacy views', () => {
  it('the confirmation says when it expires; the outcome lists what went', () => {
    const confirm = renderForgetConfirm('200000000000000101', 1_780_000_000);
    expect(confirm.content).toContain('<t:1780000000:R>');
    const done = renderForgotten({ deleted: { reading_events: 12, member_settings: 1, later_table: 2 }, total: 15 });
    expect(done.content).toContain('reading history (opens and marks): 12');
    expect(done.content).toContain('later_table: 2');
    // The quiz tables in words, as the others (they showed as quiz_attempts, quiz_questions).
    const quizzes = renderForgotten({ deleted: { quiz_attempts: 1, quiz_questions: 5 }, total: 6 }).content ?? '';
    expect(quizzes).toContain('quizzes you took: 1');
    expect(quizzes).not.toContain('quiz_');
    expect(confirm.content).toContain('quiz results');
    expect(renderForgotten({ deleted: {}, total: 0 }).content).toMatch(/Nothing to delete/u);
    // A member who only chose a time zone: one record, as the export counts it ("1 records" before).
    expect(renderForgotten({ deleted: { member_settings: 1 }, total: 1 }).content).toMatch(/^🗑️ Deleted everything stored about you \(1 record\):\n/u);
    expect(done.content).toContain('(15 records)');
  });
});
