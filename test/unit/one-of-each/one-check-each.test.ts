import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { clip } from '../../../src/domain/discord-format/escape.js';
import { decodeCustomId, encodeCustomId } from '../../../src/domain/discord-format/custom-id.js';
import { LessonParseError, parseLessonFile } from '../../../src/domain/lesson-parser/index.js';
import { isValidTimeZone } from '../../../src/domain/schedule/time-zones.js';
import { truncateAtWord } from '../../../src/domain/text.js';
import { isUuid, normaliseUuid } from '../../../src/domain/uuid.js';
import { readFileSync } from 'node:fs';

const REFERENCE = readFileSync('examples/lessons/nhk-2025-05-31-japan-us-cyber.txt', 'utf8');

describe('one time-zone check, the same on every Node version', () => {
  // Offsets are refused by their spelling before the runtime is asked: Node 20 refuses them, newer
  // engines accept some, luxon and Postgres read them (Postgres with the sign inverted).
  it.each(['UTC+5', 'UTC+05:00', 'UTC-3', 'GMT+5', 'GMT-03:00', 'UT+1', '+05:00', '-0300', '−05:00', 'UTC5', 'gmt+0', 'utc +5'])(
    'refuses the offset %j',
    (zone) => {
      expect(isValidTimeZone(zone)).toBe(false);
    },
  );

  it.each(['UTC', 'GMT', 'Etc/GMT-5', 'Etc/GMT+12', 'US/Eastern', 'asia/tokyo', 'EST5EDT'])('accepts the name %j', (zone) => {
    expect(isValidTimeZone(zone)).toBe(true);
  });

  it('config, the lesson parser and /schedule set give the same answer for "UTC+5"', () => {
    expect(() => loadConfig({ IMPORT_TIMEZONE: 'UTC+5' })).toThrow(/IMPORT_TIMEZONE/u);
    expect(loadConfig({ IMPORT_TIMEZONE: 'Asia/Tokyo' }).IMPORT_TIMEZONE).toBe('Asia/Tokyo');
    let parseError: unknown;
    try {
      parseLessonFile(REFERENCE, { file: 'x.txt', importTimeZone: 'UTC+5' });
    } catch (error) {
      parseError = error;
    }
    expect(parseError).toBeInstanceOf(LessonParseError);
    expect(String((parseError as Error).message)).toContain('unknown import time zone "UTC+5"');
    expect(parseLessonFile(REFERENCE, { file: 'x.txt', importTimeZone: 'Etc/GMT-5' })).toHaveLength(1);
  });
});

describe('one UUID check', () => {
  const id = '3F2504E0-4F89-11D3-9A0C-0305E82C3301';

  it('accepts either case and normalises to lower case', () => {
    expect(isUuid(id)).toBe(true);
    expect(normaliseUuid(id)).toBe(id.toLowerCase());
  });

  it.each(['', 'not-a-uuid', `${id}0`, id.replace(/-/gu, ''), ` ${id}`])('refuses %j', (text) => {
    expect(isUuid(text)).toBe(false);
    expect(normaliseUuid(text)).toBeNull();
  });

  it('custom ids carry the lower-case spelling only, so equal buttons have equal ids', () => {
    const customId = encodeCustomId({ action: 'read', lessonId: id });
    expect(customId).toBe(`l:m:${id.toLowerCase()}`);
    expect(decodeCustomId(customId)).toEqual({ action: 'read', lessonId: id.toLowerCase() });
    expect(decodeCustomId(`l:m:${id}`)).toBeNull();
  });
});

describe('one truncate-at-word', () => {
  it('cuts at a near word boundary and ends with an ellipsis, within the limit', () => {
    const text = 'Japan and the United States agree to share cyber threat data';
    const cut = truncateAtWord(text, 30);
    expect(cut).toBe('Japan and the United States…');
    expect(cut.length).toBeLessThanOrEqual(30);
  });

  it('cuts mid-word when no boundary is near', () => {
    expect(truncateAtWord('Supercalifragilisticexpialidocious', 10)).toBe('Supercali…');
  });

  it('never leaves half a surrogate pair', () => {
    const cut = truncateAtWord(`${'a'.repeat(8)}😀😀😀`, 10);
    expect(cut).toBe(`${'a'.repeat(8)}…`);
  });

  it('clip is the same cut, never splitting a Markdown escape', () => {
    expect(clip('abcdefgh\\*more', 10)).toBe('abcdefgh…');
    expect(clip('short', 10)).toBe('short');
    expect(truncateAtWord('abcdefgh\\*more', 10)).toBe('abcdefgh\\…');
  });
});
