import { describe, expect, it } from 'vitest';
import { caseInsensitivePattern, sameLowerCasePattern } from '../../../src/domain/discovery/case-pattern.js';

/** The pattern as JavaScript reads it (PostgreSQL's ARE reads \u and \U escapes, brackets and (?:…|…) alike). */
const asRegExp = (pattern: string) => new RegExp(pattern.replace(/\\U([0-9a-f]{8})/gu, (_, hex: string) => `\\u{${hex.replace(/^0+/u, '')}}`), 'u');
const matches = (typed: string, text: string) => asRegExp(caseInsensitivePattern(typed)).test(text);

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

describe('sameLowerCasePattern', () => {
  const named = (name: string, text: string) => asRegExp(sameLowerCasePattern(name)).test(text);

  it('matches every text JavaScript lowers as it lowers the name: the candidates of a category filter, compared after', () => {
    expect(named('Nhk', 'NHK')).toBe(true);
    expect(named('ειδησεις', 'ΕΙΔΗΣΕΙΣ')).toBe(true);
    expect(named('İSTANBUL', 'i̇stanbul')).toBe(true);
    expect(named('i̇stanbul', 'İSTANBUL')).toBe(true);
    expect(named('ΩΡΑ', '😀ΩΡΑ')).toBe(false);
    expect(named('nhk', 'NHK World')).toBe(false);
    expect(named('.*', 'abc')).toBe(false);
    // Every pair of characters of one lower case (the Kelvin sign and k, ẞ and ß, ǅ and ǆ), each for the other.
    const byLower = new Map<string, string[]>();
    for (let code = 0; code <= 0x10ffff; code++) {
      if (code >= 0xd800 && code <= 0xdfff) continue;
      const char = String.fromCodePoint(code);
      const lower = char.toLowerCase();
      if (lower === char && char.toUpperCase() === char) continue;
      const known = byLower.get(lower);
      if (known) known.push(char);
      else byLower.set(lower, [char]);
    }
    const missed = [...byLower.values()].filter((chars) => chars.length > 1).flatMap((chars) => chars.flatMap((a) => chars.filter((b) => !named(a, b)).map((b) => `${a}→${b}`)));
    expect(missed).toEqual([]);
  });
});
