import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays } from '../../../src/domain/schedule/local-dates.js';
import { postInstantFor, wallClock } from '../../../src/domain/schedule/post-instant.js';
import { formatPostTime, parsePostTime, type PostTime } from '../../../src/domain/schedule/post-time.js';
import { allTimeZones } from '../../../src/domain/schedule/time-zones.js';

const at = (date: string, time: string, zone: string) => postInstantFor(date, parsePostTime(time), zone).toISOString();

describe('postInstantFor on ordinary days', () => {
  it('is the moment the local clock shows the post time', () => {
    expect(at('2026-06-01', '07:30', 'UTC')).toBe('2026-06-01T07:30:00.000Z');
    expect(at('2026-06-01', '07:30', 'America/New_York')).toBe('2026-06-01T11:30:00.000Z');
    expect(at('2026-01-15', '07:30', 'America/New_York')).toBe('2026-01-15T12:30:00.000Z');
  });

  it('handles a quarter-hour offset (Kathmandu, +05:45)', () => {
    expect(at('2026-06-01', '07:00', 'Asia/Kathmandu')).toBe('2026-06-01T01:15:00.000Z');
  });

  it('handles both ends of the local day', () => {
    expect(at('2026-06-01', '00:00', 'UTC')).toBe('2026-06-01T00:00:00.000Z');
    expect(at('2026-06-01', '23:59', 'UTC')).toBe('2026-06-01T23:59:00.000Z');
    expect(at('2026-06-01', '00:00', 'America/New_York')).toBe('2026-06-01T04:00:00.000Z');
    expect(at('2026-06-01', '23:59', 'America/New_York')).toBe('2026-06-02T03:59:00.000Z');
  });

  it('lands on the previous UTC day for a server far east (Kiritimati, +14)', () => {
    expect(at('2026-06-01', '07:00', 'Pacific/Kiritimati')).toBe('2026-05-31T17:00:00.000Z');
    expect(at('2026-06-01', '00:00', 'Pacific/Kiritimati')).toBe('2026-05-31T10:00:00.000Z');
  });
});

describe('postInstantFor across a spring-forward gap', () => {
  // New York, 2026-03-08: at 02:00 EST the clocks jump to 03:00 EDT (07:00Z).
  it('keeps times before the gap', () => {
    expect(at('2026-03-08', '01:59', 'America/New_York')).toBe('2026-03-08T06:59:00.000Z');
  });

  it('moves a time inside the gap to the first minute after it, not an hour later', () => {
    expect(at('2026-03-08', '02:00', 'America/New_York')).toBe('2026-03-08T07:00:00.000Z');
    expect(at('2026-03-08', '02:30', 'America/New_York')).toBe('2026-03-08T07:00:00.000Z');
    expect(at('2026-03-08', '02:59', 'America/New_York')).toBe('2026-03-08T07:00:00.000Z');
  });

  it('keeps the first real time after the gap', () => {
    expect(at('2026-03-08', '03:00', 'America/New_York')).toBe('2026-03-08T07:00:00.000Z');
    expect(at('2026-03-08', '03:01', 'America/New_York')).toBe('2026-03-08T07:01:00.000Z');
  });

  // Lord Howe Island changes by half an hour: 2026-10-04 02:00 +10:30 → 02:30 +11:00 (2026-10-03T15:30Z).
  it('handles the half-hour gap on Lord Howe Island', () => {
    expect(at('2026-10-04', '01:59', 'Australia/Lord_Howe')).toBe('2026-10-03T15:29:00.000Z');
    expect(at('2026-10-04', '02:00', 'Australia/Lord_Howe')).toBe('2026-10-03T15:30:00.000Z');
    expect(at('2026-10-04', '02:15', 'Australia/Lord_Howe')).toBe('2026-10-03T15:30:00.000Z');
    expect(at('2026-10-04', '02:30', 'Australia/Lord_Howe')).toBe('2026-10-03T15:30:00.000Z');
    expect(wallClock(postInstantFor('2026-10-04', parsePostTime('02:15'), 'Australia/Lord_Howe'), 'Australia/Lord_Howe')).toBe(
      '2026-10-04 02:30',
    );
  });

  it('moves a time in a gap that runs past midnight to the next date (Greenland, 23:00 → 00:00)', () => {
    // America/Nuuk, 2026-03-28: at 23:00 −02:00 (2026-03-29T01:00Z) the clocks jump to 00:00 −01:00.
    expect(at('2026-03-28', '22:59', 'America/Nuuk')).toBe('2026-03-29T00:59:00.000Z');
    const instant = postInstantFor('2026-03-28', parsePostTime('23:30'), 'America/Nuuk');
    expect(instant.toISOString()).toBe('2026-03-29T01:00:00.000Z');
    expect(wallClock(instant, 'America/Nuuk')).toBe('2026-03-29 00:00');
  });

  it('moves a time on a date the zone skipped entirely to the start of the next date', () => {
    // Samoa moved across the date line: 2011-12-29 23:59 was followed by 2011-12-31 00:00.
    const instant = postInstantFor('2011-12-30', parsePostTime('07:00'), 'Pacific/Apia');
    expect(wallClock(instant, 'Pacific/Apia')).toBe('2011-12-31 00:00');
  });
});

describe('postInstantFor across a fall-back overlap', () => {
  // New York, 2026-11-01: at 02:00 EDT (06:00Z) the clocks go back to 01:00 EST; 01:00–01:59 happen twice.
  it('uses the first occurrence of a repeated time', () => {
    expect(at('2026-11-01', '01:30', 'America/New_York')).toBe('2026-11-01T05:30:00.000Z');
    expect(at('2026-11-01', '01:00', 'America/New_York')).toBe('2026-11-01T05:00:00.000Z');
  });

  it('is unaffected outside the repeated hour', () => {
    expect(at('2026-11-01', '00:59', 'America/New_York')).toBe('2026-11-01T04:59:00.000Z');
    expect(at('2026-11-01', '02:00', 'America/New_York')).toBe('2026-11-01T07:00:00.000Z');
  });

  // Lord Howe Island, 2026-04-05: 02:00 +11:00 → 01:30 +10:30 (2026-04-04T15:00Z); 01:30–01:59 happen twice.
  it('uses the first occurrence in the half-hour overlap on Lord Howe Island', () => {
    expect(at('2026-04-05', '01:29', 'Australia/Lord_Howe')).toBe('2026-04-04T14:29:00.000Z');
    expect(at('2026-04-05', '01:45', 'Australia/Lord_Howe')).toBe('2026-04-04T14:45:00.000Z');
    expect(at('2026-04-05', '02:00', 'Australia/Lord_Howe')).toBe('2026-04-04T15:30:00.000Z');
  });
});

describe('postInstantFor properties', () => {
  const zone = fc.constantFrom(...allTimeZones());
  // 2000–2037. An exhaustive run over every transition of every zone, 1995–2037, found no
  // counterexample; the only results on the next date were Nuuk/Scoresbysund-style late gaps and
  // skipped days (Apia, Fakaofo 2011).
  const date = fc.integer({ min: 0, max: 38 * 365 }).map((n) => addDays('2000-01-01', n));
  const time = fc.record({ hour: fc.integer({ min: 0, max: 23 }), minute: fc.integer({ min: 0, max: 59 }) });
  const MINUTE = 60_000;

  it('is the first instant whose wall clock shows at least the requested time', () => {
    fc.assert(
      fc.property(zone, date, time, (zone, date, time: PostTime) => {
        const requested = `${date} ${formatPostTime(time)}`;
        const instant = postInstantFor(date, time, zone);
        const shown = wallClock(instant, zone);
        expect(shown >= requested).toBe(true);
        if (shown !== requested) {
          // Only a gap moves the time: the minute before still showed an earlier time.
          expect(wallClock(new Date(instant.getTime() - MINUTE), zone) < requested).toBe(true);
        }
        // Same local date, except when the gap runs past midnight (see the Nuuk and Apia cases).
        if (shown.slice(0, 10) !== date) expect(shown.slice(0, 10)).toBe(addDays(date, 1));
      }),
      { numRuns: 300 },
    );
  });

  it('never has an earlier instant showing the same wall-clock time (first occurrence)', () => {
    fc.assert(
      fc.property(zone, date, time, (zone, date, time: PostTime) => {
        const instant = postInstantFor(date, time, zone);
        const shown = wallClock(instant, zone);
        for (const minutes of [30, 60, 120]) {
          expect(wallClock(new Date(instant.getTime() - minutes * MINUTE), zone)).not.toBe(shown);
        }
      }),
      { numRuns: 300 },
    );
  });
});
