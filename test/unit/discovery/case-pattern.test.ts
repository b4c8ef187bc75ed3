import { describe, expect, it } from 'vitest';
import { caseInsensitivePattern } from '../../../src/domain/discovery/case-pattern.js';

/** The pattern as JavaScript reads it (PostgreSQL's ARE reads \u and \U escapes and brackets alike). */
const matches = (typed: string, text: string) =>
  new RegExp(caseInsensitivePattern(typed).replace(/\\U([0-9a-f]{8})/gu, (_, hex: string) => `\\u{${hex.replace(/^0+/u, '')}}`), 'u').test(text);

describe('caseInsensitivePattern', () => {
  it('finds what was typed whatever the case of each character, a final sigma and the Kelvin sign included', () => {
    expect(matches('nhk', 'Easy NHK news')).toBe(true);
    expect(matches('ειδησεις', 'ΩΡΑ ΕΙΔΗΣΕΙΣ')).toBe(true);
    expect(matches('ΕΙΔΗΣ', 'ειδησεις')).toBe(true);
    expect(matches('Σ', 'ς')).toBe(true);
    expect(matches('k', '\u212A')).toBe(true);
    expect(matches('😀a', 'x😀A')).toBe(true);
    expect(matches('nhk', 'nhl')).toBe(false);
    expect(matches('', 'anything')).toBe(true);
  });

  it('reads nothing typed as the pattern’s syntax: every character is an escape', () => {
    expect(caseInsensitivePattern('a.]\\')).toBe('[\\u0041\\u0061]\\u002e\\u005d\\u005c');
    expect(matches('.*', 'abc')).toBe(false);
    expect(matches('.*', 'a.*b')).toBe(true);
  });
});
