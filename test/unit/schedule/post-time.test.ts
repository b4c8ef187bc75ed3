import { describe, expect, it } from 'vitest';
import { formatPostTime, InvalidPostTimeError, parsePostTime } from '../../../src/domain/schedule/post-time.js';

describe('parsePostTime', () => {
  it('reads HH:MM', () => {
    expect(parsePostTime('07:30')).toEqual({ hour: 7, minute: 30 });
    expect(parsePostTime('00:00')).toEqual({ hour: 0, minute: 0 });
    expect(parsePostTime('23:59')).toEqual({ hour: 23, minute: 59 });
  });

  it('accepts a single-digit hour and surrounding spaces', () => {
    expect(parsePostTime('7:30')).toEqual({ hour: 7, minute: 30 });
    expect(parsePostTime(' 18:05 ')).toEqual({ hour: 18, minute: 5 });
  });

  it.each(['25:00', '24:00', '12:60', '7:3', 'ab', '', '07:30:00', '0730', '7.30', '-1:00', '１２:００', '07:30pm'])(
    'rejects %j with an error a person can act on',
    (input) => {
      expect(() => parsePostTime(input)).toThrow(InvalidPostTimeError);
      expect(() => parsePostTime(input)).toThrow(/HH:MM|hour|minute/u);
    },
  );

  it('formats back to zero-padded HH:MM', () => {
    expect(formatPostTime({ hour: 7, minute: 5 })).toBe('07:05');
    expect(formatPostTime(parsePostTime('23:59'))).toBe('23:59');
  });
});
