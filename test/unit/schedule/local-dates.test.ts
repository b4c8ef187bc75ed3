import { describe, expect, it } from 'vitest';
import { addDays, dateRange, localDate } from '../../../src/domain/schedule/local-dates.js';

describe('localDate', () => {
  it('is the calendar date in the zone, not in UTC', () => {
    const instant = new Date('2026-05-31T23:30:00Z');
    expect(localDate(instant, 'UTC')).toBe('2026-05-31');
    expect(localDate(instant, 'Asia/Tokyo')).toBe('2026-06-01');
    expect(localDate(instant, 'America/Los_Angeles')).toBe('2026-05-31');
  });

  it('puts a server far east (Kiritimati, UTC+14) a day ahead of UTC for most of the day', () => {
    expect(localDate(new Date('2026-05-31T10:00:00Z'), 'Pacific/Kiritimati')).toBe('2026-06-01');
    expect(localDate(new Date('2026-05-31T10:00:00Z'), 'Pacific/Pago_Pago')).toBe('2026-05-30');
  });

  it('refuses an unknown zone instead of using the host clock', () => {
    expect(() => localDate(new Date(), 'Mars/Olympus_Mons')).toThrow(RangeError);
  });
});

describe('addDays and dateRange', () => {
  it('cross month, year and leap-day boundaries', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2026-03-08', 0)).toBe('2026-03-08');
  });

  it('are calendar arithmetic, unaffected by clock changes', () => {
    expect(dateRange('2026-03-07', 3)).toEqual(['2026-03-07', '2026-03-08', '2026-03-09']);
    expect(dateRange('2026-03-07', 0)).toEqual([]);
  });

  it.each(['2026-02-30', '2026-3-8', '08/03/2026', '', '2026-03-08T00:00'])('reject the malformed date %j', (date) => {
    expect(() => addDays(date, 1)).toThrow(RangeError);
  });
});
