import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCustomId, encodeCustomId, type LessonButton } from '../../../src/domain/discord-format/custom-id.js';
import { CUSTOM_ID_MAX } from '../../../src/domain/discord-format/limits.js';

const ID = '0f8fad5b-d9cb-469f-a165-70867728950e';

describe('encodeCustomId', () => {
  it('is compact', () => {
    expect(encodeCustomId({ action: 'dialogue', lessonId: ID })).toBe(`l:d:${ID}`);
    expect(encodeCustomId({ action: 'article', lessonId: ID })).toBe(`l:a:${ID}`);
    expect(encodeCustomId({ action: 'related', lessonId: ID })).toBe(`l:r:${ID}`);
    expect(encodeCustomId({ action: 'read', lessonId: ID })).toBe(`l:m:${ID}`);
    expect(encodeCustomId({ action: 'page', lessonId: ID, kind: 'article', page: 3 })).toBe(`l:p:a:${ID}:3`);
    expect(encodeCustomId({ action: 'page', lessonId: ID, kind: 'dialogue', page: 12, shared: true })).toBe(`l:p:d:${ID}:12:s`);
  });

  it('writes one spelling per button (lower-case id, no flag when not shared)', () => {
    expect(encodeCustomId({ action: 'read', lessonId: ID.toUpperCase() })).toBe(`l:m:${ID}`);
    expect(encodeCustomId({ action: 'page', lessonId: ID, kind: 'article', page: 1, shared: false })).toBe(`l:p:a:${ID}:1`);
  });

  it('refuses what would not round-trip: a non-UUID lesson id or a bad page', () => {
    expect(() => encodeCustomId({ action: 'read', lessonId: 'lesson-1' })).toThrow(RangeError);
    expect(() => encodeCustomId({ action: 'page', lessonId: ID, kind: 'article', page: 0 })).toThrow(RangeError);
    expect(() => encodeCustomId({ action: 'page', lessonId: ID, kind: 'article', page: 1.5 })).toThrow(RangeError);
    expect(() => encodeCustomId({ action: 'page', lessonId: ID, kind: 'article', page: 10_000 })).toThrow(RangeError);
  });
});

describe('decodeCustomId', () => {
  it.each([
    '',
    'l',
    'l:d',
    `l:d:${ID}:extra`,
    `l:x:${ID}`,
    `x:d:${ID}`,
    'l:d:not-a-uuid',
    `l:d:${ID.toUpperCase()}`,
    `l:p:a:${ID}`,
    `l:p:x:${ID}:1`,
    `l:p:a:${ID}:0`,
    `l:p:a:${ID}:03`,
    `l:p:a:${ID}:-1`,
    `l:p:a:${ID}:1e3`,
    `l:p:a:${ID}:10000`,
    `l:p:a:${ID}:1:t`,
    `l:p:a:${ID}:1:s:s`,
    `l:d:${ID} `,
    'a'.repeat(101),
    '__proto__',
    'l:constructor:x',
  ])('rejects %j', (id) => {
    expect(decodeCustomId(id)).toBeNull();
  });

  it('round-trips every button within the 100-character limit', () => {
    const lessonId = fc.uuid();
    const button: fc.Arbitrary<LessonButton> = fc.oneof(
      fc.record({ action: fc.constantFrom('dialogue', 'article', 'related', 'read' as const), lessonId }),
      fc.record(
        {
          action: fc.constant('page' as const),
          lessonId,
          kind: fc.constantFrom('dialogue', 'article' as const),
          page: fc.integer({ min: 1, max: 9999 }),
          shared: fc.constant(true),
        },
        { requiredKeys: ['action', 'lessonId', 'kind', 'page'] },
      ),
    );
    fc.assert(
      fc.property(button, (b) => {
        const id = encodeCustomId(b);
        expect(id.length).toBeGreaterThanOrEqual(1);
        expect(id.length).toBeLessThanOrEqual(CUSTOM_ID_MAX);
        expect(decodeCustomId(id)).toEqual(b);
      }),
    );
  });

  it('returns null, never throws, for any string', () => {
    fc.assert(
      fc.property(fc.string(), (id) => {
        const decoded = decodeCustomId(id);
        if (decoded !== null) expect(encodeCustomId(decoded)).toBe(id);
      }),
    );
  });
});
