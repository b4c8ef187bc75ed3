import { describe, expect, it } from 'vitest';
import { dayChoices, namedDay, weekdayOf } from '../../../src/domain/schedule/day-choices.js';

// 2026-12-04 is a Friday.
const TODAY = '2026-12-04';

describe('dayChoices', () => {
  it('offers the next 25 days, today first, each with its weekday and how far it is', () => {
    const choices = dayChoices('', TODAY);
    expect(choices).toHaveLength(25);
    expect(choices.slice(0, 4)).toEqual([
      { name: '2026-12-04 · Friday 4 December · today', value: '2026-12-04' },
      { name: '2026-12-05 · Saturday 5 December · tomorrow', value: '2026-12-05' },
      { name: '2026-12-06 · Sunday 6 December · in 2 days', value: '2026-12-06' },
      { name: '2026-12-07 · Monday 7 December · in 3 days', value: '2026-12-07' },
    ]);
    expect(choices[7]).toEqual({ name: '2026-12-11 · Friday 11 December', value: '2026-12-11' });
    expect(choices.at(-1)?.value).toBe('2026-12-28');
  });

  it('finds days by the beginnings of their words: weekday, month, day of the month, today and tomorrow', () => {
    expect(dayChoices('sat', TODAY).slice(0, 3).map((c) => c.value)).toEqual(['2026-12-05', '2026-12-12', '2026-12-19']);
    expect(dayChoices('dec 25', TODAY).map((c) => c.value)).toEqual(['2026-12-25']);
    expect(dayChoices('25 JAN', TODAY).map((c) => c.value)).toEqual(['2027-01-25']);
    expect(dayChoices('tom', TODAY).map((c) => c.value)).toEqual(['2026-12-05']);
    expect(dayChoices('today', TODAY).map((c) => c.value)).toEqual(['2026-12-04']);
    expect(dayChoices('friday 18', TODAY).map((c) => c.value)).toEqual(['2026-12-18', '2027-06-18']); // both Fridays
    expect(dayChoices('25', TODAY).slice(0, 2).map((c) => c.value)).toEqual(['2026-12-25', '2027-01-25']);
  });

  it('finds days by their date, whole or in part, and crosses into the next year', () => {
    expect(dayChoices('2026-12-31', TODAY).map((c) => c.value)).toEqual(['2026-12-31']);
    expect(dayChoices('12-25', TODAY).map((c) => c.value)).toEqual(['2026-12-25']);
    expect(dayChoices('2027-02', TODAY).map((c) => c.value)).toEqual(Array.from({ length: 25 }, (_, i) => `2027-02-${String(i + 1).padStart(2, '0')}`));
    expect(dayChoices('２０２７－０１－０１', TODAY).map((c) => c.value)).toEqual(['2027-01-01']);
  });

  it('reaches a year ahead; a whole date beyond it is offered as typed, and days before today are not offered', () => {
    expect(dayChoices('2027-12-04', TODAY).map((c) => c.value)).toEqual(['2027-12-04']);
    expect(dayChoices('2027-12-05', TODAY)).toEqual([{ name: '2027-12-05', value: '2027-12-05' }]);
    expect(dayChoices('2026-12-03', TODAY)).toEqual([{ name: '2026-12-03', value: '2026-12-03' }]);
    expect(dayChoices('2026-12-0', TODAY).map((c) => c.value)).toEqual(['2026-12-04', '2026-12-05', '2026-12-06', '2026-12-07', '2026-12-08', '2026-12-09']);
  });

  it('offers nothing for what names no day, and counts leap days', () => {
    expect(dayChoices('someday', TODAY)).toEqual([]);
    expect(dayChoices('feb 29', TODAY)).toEqual([]);
    expect(dayChoices('feb 29', '2027-12-04').map((c) => c.value)).toEqual(['2028-02-29']);
    expect(dayChoices('x'.repeat(500), TODAY)).toEqual([]);
    // A forged autocomplete of thousands of words is read as its first ones, at once.
    expect(dayChoices('dec 25 '.repeat(5_000), TODAY).map((c) => c.value)).toEqual(['2026-12-25']);
  });

  it('keeps every name within Discord’s 100 characters and never offers more than asked', () => {
    expect(dayChoices('', TODAY, 5)).toHaveLength(5);
    for (const choice of dayChoices('2027', TODAY, 400)) expect(choice.name.length).toBeLessThanOrEqual(100);
    expect(dayChoices('2027', TODAY, 400)).toHaveLength(338);
  });
});

describe('namedDay', () => {
  it('reads today and tomorrow in the server’s calendar, whatever their case', () => {
    expect(namedDay('today', TODAY)).toBe('2026-12-04');
    expect(namedDay(' Tomorrow ', TODAY)).toBe('2026-12-05');
    expect(namedDay('tomorrow', '2026-12-31')).toBe('2027-01-01');
    expect(namedDay('2026-12-05', TODAY)).toBeNull();
    expect(namedDay('yesterday', TODAY)).toBeNull();
    // Names every JavaScript object answers to are no day either.
    for (const word of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) expect(namedDay(word, TODAY)).toBeNull();
  });
});

describe('weekdayOf', () => {
  it('names the weekday of a calendar date, whole or in three letters, whatever the host’s zone', () => {
    expect(weekdayOf('2026-12-04')).toBe('Friday');
    expect(weekdayOf('2026-12-06', 'short')).toBe('Sun');
    expect(weekdayOf('2028-02-29')).toBe('Tuesday');
    expect(weekdayOf('2000-01-01', 'short')).toBe('Sat');
  });
});
