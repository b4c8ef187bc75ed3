import { describe, expect, it } from 'vitest';
import { formatPostTime, InvalidPostTimeError, parsePostTime, readTypedPostTime } from '../../../src/domain/schedule/post-time.js';

describe('parsePostTime (the stored form)', () => {
  it('reads HH:MM', () => {
    expect(parsePostTime('07:30')).toEqual({ hour: 7, minute: 30 });
    expect(parsePostTime('00:00')).toEqual({ hour: 0, minute: 0 });
    expect(parsePostTime('23:59')).toEqual({ hour: 23, minute: 59 });
  });

  it('accepts a single-digit hour and surrounding spaces', () => {
    expect(parsePostTime('7:30')).toEqual({ hour: 7, minute: 30 });
    expect(parsePostTime(' 18:05 ')).toEqual({ hour: 18, minute: 5 });
  });

  it.each(['25:00', '24:00', '12:60', '7:3', 'ab', '', '07:30:00', '0730', '7.30', '07:30pm'])('rejects %j', (input) => {
    expect(() => parsePostTime(input)).toThrow(InvalidPostTimeError);
  });

  it('formats back to zero-padded HH:MM', () => {
    expect(formatPostTime({ hour: 7, minute: 5 })).toBe('07:05');
    expect(formatPostTime(parsePostTime('23:59'))).toBe('23:59');
  });
});

describe('readTypedPostTime (what a moderator types)', () => {
  it.each([
    ['07:30', '07:30'],
    ['7:30', '07:30'],
    [' 18:05 ', '18:05'],
    ['00:00', '00:00'],
    ['23:59', '23:59'],
    ['19.30', '19:30'],
    ['7.05', '07:05'],
    ['19h30', '19:30'],
    ['19 h 30', '19:30'],
    ['7h', '07:00'],
    ['19H', '19:00'],
    ['1930', '19:30'],
    ['0730', '07:30'],
    ['１９：３０', '19:30'],
    ['１９:００', '19:00'],
  ])('reads %j on the 24-hour clock as %s', (typed, stored) => {
    expect(formatPostTime(readTypedPostTime(typed))).toBe(stored);
  });

  it.each([
    ['7:30pm', '19:30'],
    ['7:30 PM', '19:30'],
    ['7:30 p.m.', '19:30'],
    ['7:30\u202fPM', '19:30'],
    ['7pm', '19:00'],
    ['7 pm', '19:00'],
    ['7p', '19:00'],
    ['7.30pm', '19:30'],
    ['7:30am', '07:30'],
    ['7 a.m.', '07:00'],
    ['11:59 pm', '23:59'],
    ['12am', '00:00'],
    ['12:15 am', '00:15'],
    ['12pm', '12:00'],
    ['12:45 p.m.', '12:45'],
    ['１２：３０ｐｍ', '12:30'],
  ])('reads %j on the 12-hour clock as %s', (typed, stored) => {
    expect(formatPostTime(readTypedPostTime(typed))).toBe(stored);
  });

  it.each([
    ['25:00', /no such hour: hours go from 00 to 23/u],
    ['24:00', /midnight is 00:00/u],
    ['12:60', /no such minute/u],
    ['2460', /no such hour/u],
    ['13pm', /on the 12-hour clock hours go from 1 to 12/u],
    ['0:30am', /on the 12-hour clock hours go from 1 to 12/u],
    ['7:75 pm', /no such minute/u],
    ['7:3', /HH:MM/u],
    ['730', /HH:MM/u],
    ['07:30:00', /HH:MM/u],
    ['ab', /HH:MM/u],
    ['', /HH:MM/u],
    ['-1:00', /HH:MM/u],
    ['7:30 pmx', /HH:MM/u],
    ['7 o’clock', /HH:MM/u],
    ['19h3', /HH:MM/u],
  ])('refuses %j with an error a person can act on', (typed, explanation) => {
    expect(() => readTypedPostTime(typed)).toThrow(InvalidPostTimeError);
    expect(() => readTypedPostTime(typed)).toThrow(explanation);
  });

  it('names what was typed, clipped, in its refusal', () => {
    expect(() => readTypedPostTime('half past seven')).toThrow('"half past seven" is not a time: use the 24-hour HH:MM format');
    expect(() => readTypedPostTime('x'.repeat(500))).toThrow(`"${'x'.repeat(23)}…" is not a time`);
  });
});
