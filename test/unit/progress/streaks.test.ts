import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bestStreak,
  currentStreak,
  dayNumber,
  dayToDate,
  FREEZE_SPACING_DAYS,
  readingDays,
  streaks,
  today,
} from '../../../src/domain/progress/streaks.js';

const TODAY = '2026-06-15';
/** The dates `n` days before TODAY. */
const ago = (...ns: number[]) => ns.map((n) => dayToDate(dayNumber(TODAY) - n));

describe('current streak', () => {
  it('the issue’s example: read today, 1 and 2 days ago, missed 3, read 4 and 5, missed 6 and 7 → 5 with one freeze', () => {
    const walk = currentStreak(ago(0, 1, 2, 4, 5, 8, 9, 10), TODAY);
    expect(walk.length).toBe(5);
    expect(walk.frozenDays).toEqual(ago(3));
    expect(walk.startedOn).toBe(ago(5)[0]);
  });

  it('starts at yesterday while today has no read yet', () => {
    expect(currentStreak(ago(1, 2, 3), TODAY).length).toBe(3);
    // Reading later today extends it.
    expect(currentStreak(ago(0, 1, 2, 3), TODAY).length).toBe(4);
  });

  it('keeps a streak alive through yesterday when the day before was a reading day (yesterday frozen)', () => {
    const walk = currentStreak(ago(2, 3), TODAY);
    expect(walk.length).toBe(2);
    expect(walk.frozenDays).toEqual(ago(1));
  });

  it('two missed days in a row end the walk', () => {
    expect(currentStreak(ago(0, 3, 4, 5), TODAY).length).toBe(1);
    expect(currentStreak(ago(2, 3), dayToDate(dayNumber(TODAY) + 1)).length).toBe(0);
  });

  it('is zero without any read, or when the last read is long ago', () => {
    expect(currentStreak([], TODAY)).toEqual({ length: 0, frozenDays: [], startedOn: null });
    expect(currentStreak(ago(30, 31, 32), TODAY).length).toBe(0);
  });

  it('frozen days are at least 7 days apart: a second miss 6 days after the first ends the walk', () => {
    // Missed 2 and 8 (6 days apart): the walk freezes day 2, then day 8 is within 6 days after it.
    const walk = currentStreak(ago(0, 1, 3, 4, 5, 6, 7, 9, 10), TODAY);
    expect(walk.length).toBe(7);
    expect(walk.frozenDays).toEqual(ago(2));
  });

  it('a second miss 7 days after the first is frozen too', () => {
    // Missed 2 and 9: both frozen; the walk reaches day 11.
    const walk = currentStreak(ago(0, 1, 3, 4, 5, 6, 7, 8, 10, 11), TODAY);
    expect(walk.length).toBe(10);
    expect(walk.frozenDays).toEqual(ago(2, 9));
    expect(FREEZE_SPACING_DAYS).toBe(7);
  });

  it('a missed day is frozen only when the day before it is a reading day', () => {
    // Missed 2 and 3: day 2's previous day (3) is not a reading day, so the walk ends at day 2.
    expect(currentStreak(ago(0, 1, 4, 5), TODAY).length).toBe(2);
  });

  it('repeated dates and any order give the same answer', () => {
    expect(currentStreak([...ago(5, 4, 2, 1, 0), ...ago(0, 1)], TODAY)).toEqual(currentStreak(ago(0, 1, 2, 4, 5), TODAY));
  });

  it('crosses month and year boundaries and 29 February', () => {
    expect(currentStreak(['2027-12-30', '2027-12-31', '2028-01-01'], '2028-01-01').length).toBe(3);
    expect(currentStreak(['2028-02-28', '2028-02-29', '2028-03-01'], '2028-03-01').length).toBe(3);
    expect(currentStreak(['2027-02-28', '2027-03-01'], '2027-03-01').length).toBe(2);
  });

  it('refuses a malformed date rather than guessing', () => {
    expect(() => currentStreak(['2026-02-30'], TODAY)).toThrow(RangeError);
    expect(() => currentStreak(['15/06/2026'], TODAY)).toThrow(RangeError);
  });
});

describe('best streak', () => {
  it('is the longest walk ever, even when the current streak is broken', () => {
    // An old run of 6 with a freeze (days 40–46, missed 43), then a current run of 2.
    const days = ago(0, 1, 40, 41, 42, 44, 45, 46);
    expect(currentStreak(days, TODAY).length).toBe(2);
    expect(bestStreak(days)).toBe(6);
    expect(streaks(days, TODAY).best).toBe(6);
  });

  it('equals the current streak when that is the longest', () => {
    const days = ago(0, 1, 2, 4, 5, 20);
    expect(streaks(days, TODAY)).toMatchObject({ current: { length: 5 }, best: 5 });
  });

  it('a walk from an older run may freeze a day that the newer walk cannot', () => {
    // Read 1; missed 2; read 3, 4; missed 5; read 6–10 (days ago). From day 1: 1, freeze 2, 3, 4, and day 5
    // lies 3 days after that freeze → 3. From day 3: 3, 4, freeze 5, 6–10 → 7.
    const days = ago(1, 3, 4, 6, 7, 8, 9, 10);
    expect(currentStreak(days, TODAY)).toMatchObject({ length: 3, frozenDays: ago(2) });
    expect(bestStreak(days)).toBe(7);
  });

  it('is zero without reads', () => {
    expect(bestStreak([])).toBe(0);
  });
});

describe('reading days in local time', () => {
  const utc = (iso: string) => new Date(iso);

  it('reads at 23:59 and 00:01 local are two reading days (a streak of 2)', () => {
    // Tokyo is UTC+9: 23:59 on 14 June is 14:59Z; 00:01 on 15 June is 15:01Z.
    const days = readingDays([utc('2026-06-14T14:59:00Z'), utc('2026-06-14T15:01:00Z')], 'Asia/Tokyo');
    expect(days).toEqual(['2026-06-15', '2026-06-14']);
    expect(currentStreak(days, '2026-06-15').length).toBe(2);
    // In UTC both reads are on 14 June: one reading day.
    expect(readingDays([utc('2026-06-14T14:59:00Z'), utc('2026-06-14T15:01:00Z')], 'UTC')).toEqual(['2026-06-14']);
  });

  it('places the same instants on different days far east (+14) and far west (−11) of UTC', () => {
    const reads = [utc('2026-06-14T11:00:00Z'), utc('2026-06-15T11:00:00Z')];
    expect(readingDays(reads, 'Pacific/Kiritimati')).toEqual(['2026-06-16', '2026-06-15']);
    expect(readingDays(reads, 'Pacific/Pago_Pago')).toEqual(['2026-06-15', '2026-06-14']);
    // On 16 June (Kiritimati) the member has read today and yesterday; in Pago Pago it is still 15 June there.
    const now = utc('2026-06-15T12:00:00Z');
    expect(today(now, 'Pacific/Kiritimati')).toBe('2026-06-16');
    expect(today(now, 'Pacific/Pago_Pago')).toBe('2026-06-15');
    expect(currentStreak(readingDays(reads, 'Pacific/Kiritimati'), today(now, 'Pacific/Kiritimati')).length).toBe(2);
    expect(currentStreak(readingDays(reads, 'Pacific/Pago_Pago'), today(now, 'Pacific/Pago_Pago')).length).toBe(2);
  });

  it('counts a 23-hour spring-forward day and a 25-hour fall-back day as one day each (New York)', () => {
    const reads = [
      utc('2026-03-07T04:59:00Z'), // 6 March 23:59 EST
      utc('2026-03-08T05:01:00Z'), // 8 March 00:01 EST (the 23-hour day begins 05:00Z)
      utc('2026-03-09T03:59:00Z'), // 8 March 23:59 EDT
      utc('2026-11-01T04:01:00Z'), // 1 November 00:01 EDT (the 25-hour day)
      utc('2026-11-02T04:59:00Z'), // 1 November 23:59 EST
      utc('2026-11-02T05:01:00Z'), // 2 November 00:01 EST
    ];
    const days = readingDays(reads, 'America/New_York');
    expect(days).toEqual(['2026-11-02', '2026-11-01', '2026-03-08', '2026-03-06']);
    expect(currentStreak(days, '2026-11-02').length).toBe(2);
    // 7 March missed but 6 March read: frozen, so 6 → 8 March is a walk of 2.
    expect(currentStreak(days, '2026-03-08')).toMatchObject({ length: 2, frozenDays: ['2026-03-07'] });
  });

  it('follows Lord Howe’s half-hour DST shift', () => {
    // Lord Howe is +11 in summer, +10:30 in winter; DST ended on 5 April 2026 at 02:00 local.
    const reads = [utc('2026-04-04T12:59:00Z'), utc('2026-04-04T13:01:00Z')]; // 23:59 (+11) and 00:01 (+11) on 5 April
    expect(readingDays(reads, 'Australia/Lord_Howe')).toEqual(['2026-04-05', '2026-04-04']);
  });

  it('a change of zone re-reads the whole history in the new zone', () => {
    // Reads every day at 03:00Z: in London (+1 in summer) 04:00 each day; in Los Angeles (−7) the evening before.
    const reads = [0, 1, 2].map((n) => new Date(Date.UTC(2026, 5, 13 + n, 3)));
    const now = utc('2026-06-15T20:00:00Z');
    const london = currentStreak(readingDays(reads, 'Europe/London'), today(now, 'Europe/London'));
    const la = currentStreak(readingDays(reads, 'America/Los_Angeles'), today(now, 'America/Los_Angeles'));
    expect(london.length).toBe(3);
    expect(la.length).toBe(3);
    // At 20:00Z it is still 15 June in Los Angeles, whose last reading day is 14 June.
    expect(readingDays(reads, 'America/Los_Angeles')[0]).toBe('2026-06-14');
    // A member who moves from Tokyo to Honolulu: a read at 23:30 Tokyo and one at 00:30 Tokyo the next day
    // are two days in Tokyo and one day in Honolulu.
    const pair = [utc('2026-06-14T14:30:00Z'), utc('2026-06-14T15:30:00Z')];
    expect(readingDays(pair, 'Asia/Tokyo')).toHaveLength(2);
    expect(readingDays(pair, 'Pacific/Honolulu')).toHaveLength(1);
  });

  it('refuses an unknown zone instead of falling back to the host’s', () => {
    expect(() => readingDays([new Date()], 'Mars/Olympus')).toThrow(RangeError);
  });
});

describe('reading days in the last 7', () => {
  it('counts today and the 6 days before it', () => {
    expect(streaks(ago(0, 2, 6, 7, 30), TODAY).readingDaysLast7).toBe(3);
    expect(streaks([], TODAY).readingDaysLast7).toBe(0);
  });
});

describe('streak properties', () => {
  const history = fc.uniqueArray(fc.integer({ min: 0, max: 120 }), { maxLength: 80 });

  it('frozen days are 7+ days apart, each right after a reading day, and the streak never exceeds the reading days', () => {
    fc.assert(
      fc.property(history, (offsets) => {
        const dates = ago(...offsets);
        const walk = currentStreak(dates, TODAY);
        const set = new Set(offsets);
        const frozen = walk.frozenDays.map((d) => dayNumber(TODAY) - dayNumber(d));
        for (const f of frozen) expect(set.has(f + 1)).toBe(true);
        for (let i = 1; i < frozen.length; i += 1) expect(frozen[i]! - frozen[i - 1]!).toBeGreaterThanOrEqual(7);
        expect(walk.length).toBeLessThanOrEqual(offsets.length);
        expect(bestStreak(dates)).toBeGreaterThanOrEqual(walk.length);
      }),
    );
  });

  it('best streak equals the longest walk from any day (brute force)', () => {
    fc.assert(
      fc.property(history, (offsets) => {
        const dates = ago(...offsets);
        let brute = 0;
        for (let n = -1; n <= 122; n += 1) {
          const from = dayToDate(dayNumber(TODAY) - n);
          // A walk from `from` as if it were today and read: start there (it counts only if it is a reading day).
          const walk = currentStreak(dates, from);
          brute = Math.max(brute, walk.length);
        }
        expect(bestStreak(dates)).toBe(brute);
      }),
    );
  });
});
