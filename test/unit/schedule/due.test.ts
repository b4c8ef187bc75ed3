import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isDue, nextPostDay, nextPostTime, postDayAt } from '../../../src/domain/schedule/due.js';
import { addDays, localDate } from '../../../src/domain/schedule/local-dates.js';
import { postInstantFor, wallClock } from '../../../src/domain/schedule/post-instant.js';
import { parsePostTime, type PostTime } from '../../../src/domain/schedule/post-time.js';
import { allTimeZones } from '../../../src/domain/schedule/time-zones.js';

const T = (iso: string) => new Date(iso);
const seven30 = parsePostTime('07:30');

describe('isDue', () => {
  it('is false before the post time and true from it on, until posted', () => {
    expect(isDue(T('2026-06-01T07:29:59Z'), seven30, 'UTC', null)).toBe(false);
    expect(isDue(T('2026-06-01T07:30:00Z'), seven30, 'UTC', null)).toBe(true);
    expect(isDue(T('2026-06-01T07:30:00Z'), seven30, 'UTC', '2026-05-31')).toBe(true);
    expect(isDue(T('2026-06-01T07:30:00Z'), seven30, 'UTC', '2026-06-01')).toBe(false);
  });

  it('catches up later the same local day after a missed post', () => {
    expect(isDue(T('2026-06-01T23:59:00Z'), seven30, 'UTC', '2026-05-31')).toBe(true);
  });

  it('never catches up a past day', () => {
    // Down all of 1 June; at 00:30 on 2 June nothing is due until 07:30 (the 1 June post is simply skipped).
    expect(isDue(T('2026-06-02T00:30:00Z'), seven30, 'UTC', '2026-05-31')).toBe(false);
    expect(nextPostTime(T('2026-06-02T00:30:00Z'), seven30, 'UTC', '2026-05-31').toISOString()).toBe('2026-06-02T07:30:00.000Z');
  });

  it('treats a later posted date as posted (a zone moved west must not post twice)', () => {
    // Posted for 1 June in Tokyo, then switched to Los Angeles, where it is still 31 May.
    const now = T('2026-05-31T23:00:00Z');
    expect(isDue(now, parsePostTime('07:00'), 'America/Los_Angeles', '2026-06-01')).toBe(false);
    expect(nextPostTime(now, parsePostTime('07:00'), 'America/Los_Angeles', '2026-06-01').toISOString()).toBe(
      '2026-06-02T14:00:00.000Z',
    );
  });

  it('uses the local date of a server far east (Kiritimati, +14), not UTC’s', () => {
    const now = T('2026-05-31T17:30:00Z'); // 1 June 07:30 in Kiritimati
    expect(isDue(now, parsePostTime('07:00'), 'Pacific/Kiritimati', '2026-05-31')).toBe(true);
    expect(isDue(now, parsePostTime('07:00'), 'Pacific/Kiritimati', '2026-06-01')).toBe(false);
  });

  it('handles a post time of midnight and of 23:59', () => {
    expect(isDue(T('2026-06-01T04:00:00Z'), parsePostTime('00:00'), 'America/New_York', '2026-05-31')).toBe(true);
    expect(isDue(T('2026-06-02T03:58:00Z'), parsePostTime('23:59'), 'America/New_York', '2026-05-31')).toBe(false);
    expect(isDue(T('2026-06-02T03:59:00Z'), parsePostTime('23:59'), 'America/New_York', '2026-05-31')).toBe(true);
  });

  it('is due from the end of a spring-forward gap for a time inside it', () => {
    const time = parsePostTime('02:30');
    expect(isDue(T('2026-03-08T06:59:00Z'), time, 'America/New_York', '2026-03-07')).toBe(false);
    expect(isDue(T('2026-03-08T07:00:00Z'), time, 'America/New_York', '2026-03-07')).toBe(true);
  });

  it('posts a day whose time falls in a gap past midnight once, at the first minute after the gap (Nuuk)', () => {
    // America/Nuuk, Saturday 2026-03-28: 22:59 −02:00 is followed by Sunday 00:00 −01:00 (01:00Z).
    const time = parsePostTime('23:30');
    const zone = 'America/Nuuk';
    expect(isDue(T('2026-03-29T00:59:00Z'), time, zone, '2026-03-27')).toBe(false);
    expect(postDayAt(T('2026-03-29T01:00:00Z'), time, zone)).toBe('2026-03-28');
    expect(isDue(T('2026-03-29T01:00:00Z'), time, zone, '2026-03-27')).toBe(true);
    // Asked on the Saturday evening: Saturday's post, at Sunday 00:00.
    expect(nextPostTime(T('2026-03-28T22:00:00Z'), time, zone, '2026-03-27').toISOString()).toBe('2026-03-29T01:00:00.000Z');
    expect(nextPostDay(T('2026-03-28T22:00:00Z'), time, zone, '2026-03-27')).toBe('2026-03-28');
    // Once it went out, nothing more until Sunday's own 23:30.
    expect(isDue(T('2026-03-29T12:00:00Z'), time, zone, '2026-03-28')).toBe(false);
    expect(nextPostTime(T('2026-03-29T01:01:00Z'), time, zone, '2026-03-28').toISOString()).toBe('2026-03-30T00:30:00.000Z');
    expect(isDue(T('2026-03-30T00:30:00Z'), time, zone, '2026-03-28')).toBe(true);
    // Missed while the bot was down all Sunday: from Sunday's 23:30 on, Sunday's post is the one due (never two).
    expect(postDayAt(T('2026-03-30T00:30:00Z'), time, zone)).toBe('2026-03-29');
    expect(nextPostDay(T('2026-03-30T00:30:00Z'), time, zone, '2026-03-27')).toBe('2026-03-29');
  });

  it('posts a date a zone left out (Pacific/Apia, 2011-12-30) at the first minute after it', () => {
    // Apia went from 2011-12-29 23:59 (−10:00) to 2011-12-31 00:00 (+14:00).
    const next = nextPostTime(T('2011-12-29T20:00:00Z'), seven30, 'Pacific/Apia', '2011-12-29');
    expect(wallClock(next, 'Pacific/Apia')).toBe('2011-12-31 00:00');
    expect(nextPostTime(next, seven30, 'Pacific/Apia', '2011-12-30').toISOString()).toBe(postInstantFor('2011-12-31', seven30, 'Pacific/Apia').toISOString());
  });

  it('during the repeated hour of a fall-back, follows the first occurrence', () => {
    const time = parsePostTime('01:30');
    const secondOccurrence = T('2026-11-01T06:30:00Z'); // 01:30 EST, the second 01:30 that night
    expect(isDue(T('2026-11-01T05:29:00Z'), time, 'America/New_York', '2026-10-31')).toBe(false);
    expect(isDue(T('2026-11-01T05:30:00Z'), time, 'America/New_York', '2026-10-31')).toBe(true);
    expect(isDue(secondOccurrence, time, 'America/New_York', '2026-11-01')).toBe(false);
    expect(isDue(secondOccurrence, time, 'America/New_York', '2026-10-31')).toBe(true);
    expect(isDue(secondOccurrence, time, 'America/New_York', null)).toBe(true);
  });
});

describe('nextPostTime', () => {
  it('is today’s post time when today has not been posted and it is still ahead', () => {
    expect(nextPostTime(T('2026-06-01T05:00:00Z'), seven30, 'UTC', '2026-05-31').toISOString()).toBe('2026-06-01T07:30:00.000Z');
  });

  it('is today’s (past) post time when today is overdue, so the caller posts at once', () => {
    const now = T('2026-06-01T09:00:00Z');
    expect(nextPostTime(now, seven30, 'UTC', null).toISOString()).toBe('2026-06-01T07:30:00.000Z');
  });

  it('is tomorrow’s post time once today is posted, across a clock change', () => {
    expect(nextPostTime(T('2026-03-07T13:00:00Z'), seven30, 'America/New_York', '2026-03-07').toISOString()).toBe(
      '2026-03-08T11:30:00.000Z',
    );
    expect(nextPostTime(T('2026-03-07T13:00:00Z'), parsePostTime('02:30'), 'America/New_York', '2026-03-07').toISOString()).toBe(
      '2026-03-08T07:00:00.000Z',
    );
  });

  it('rejects a malformed last-posted date', () => {
    expect(() => nextPostTime(T('2026-06-01T05:00:00Z'), seven30, 'UTC', '1 June')).toThrow(RangeError);
  });
});

describe('isDue and nextPostTime agree', () => {
  const zone = fc.constantFrom(...allTimeZones());
  const now = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2037, 11, 31) }).map((ms) => new Date(ms));
  const time = fc.record({ hour: fc.integer({ min: 0, max: 23 }), minute: fc.integer({ min: 0, max: 59 }) });
  const lastPostedShift = fc.constantFrom(null, -2, -1, 0, 1);

  it('due exactly when the next post time is not in the future; after posting, the next is in the future', () => {
    fc.assert(
      fc.property(zone, now, time, lastPostedShift, (zone, now, time: PostTime, shift) => {
        const today = localDate(now, zone);
        const lastPosted = shift === null ? null : addDays(today, shift);
        const next = nextPostTime(now, time, zone, lastPosted);
        expect(isDue(now, time, zone, lastPosted)).toBe(next.getTime() <= now.getTime());
        expect(nextPostTime(now, time, zone, today).getTime()).toBeGreaterThan(now.getTime());
      }),
      { numRuns: 300 },
    );
  });
});
