import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Lesson } from '../../../src/domain/lesson.js';
import { LessonParseError, lessonToJson, parseExportText, parseLessonFile, parseLessonJson } from '../../../src/domain/lesson-parser/index.js';
import { readFixture, REFERENCE_FILE, referenceText } from '../../fixtures/lessons/reference.js';

const sources = [
  referenceText,
  readFixture('ken-yuki-library-robot.txt'),
  readFixture('ferry-crlf-wrapped-turn.txt'),
  readFixture('article-only-no-stats.txt'),
];

/** Characters that matter to the parser, plus any UTF-16 code unit (lone surrogates included). */
const char = fc.oneof(
  fc.constantFrom('\r', '\n', '\r\n', '\t', ' ', ':', '-', '(', ')', '\uFEFF', '{', '[', ']', '}', '"', ',', '0', '9'),
  fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
);
const junk = fc.array(char, { maxLength: 12 }).map((chars) => chars.join(''));

/** Lines that look like the export's structure, to push the parser down its less common paths. */
const structuralLine = fc.oneof(
  fc.constantFrom('----------------', 'Summary', 'Statistics', 'Similar Readings', 'Title:', 'ID:', 'Last Read: Never', 'Words1', 'A:', '{', '['),
  fc.nat({ max: 20 }).map((count) => `Similar Readings (${count} items)`),
  fc.tuple(fc.constantFrom('A', 'B', 'Ken', 'ID', 'Date', 'URL', 'Created'), junk).map(([key, value]) => `${key}: ${value}`),
);

type Mangle = (lines: string[]) => void;

const position = fc.nat();
const at = (lines: readonly string[], n: number): number => (lines.length === 0 ? 0 : n % lines.length);

const mangle: fc.Arbitrary<Mangle> = fc.oneof(
  position.map((n): Mangle => (lines) => void lines.splice(at(lines, n), 1)),
  position.map((n): Mangle => (lines) => void lines.splice(at(lines, n), 0, lines[at(lines, n)] ?? '')),
  fc.tuple(position, position).map(([a, b]): Mangle => (lines) => {
    const [i, j] = [at(lines, a), at(lines, b)];
    [lines[i], lines[j]] = [lines[j] ?? '', lines[i] ?? ''];
  }),
  fc.tuple(position, position).map(([n, cut]): Mangle => (lines) => {
    const line = lines[at(lines, n)] ?? '';
    lines[at(lines, n)] = line.slice(0, cut % (line.length + 1));
  }),
  fc.tuple(position, position, junk).map(([n, offset, text]): Mangle => (lines) => {
    const line = lines[at(lines, n)] ?? '';
    const cut = offset % (line.length + 1);
    lines[at(lines, n)] = line.slice(0, cut) + text + line.slice(cut);
  }),
  fc.tuple(position, structuralLine).map(([n, line]): Mangle => (lines) => void lines.splice(at(lines, n), 0, line)),
  position.map((n): Mangle => (lines) => void lines.splice(at(lines, n))),
);

const lineBreak = fc.constantFrom('\n', '\r\n', '\r', '\u0085', '\u2028', '\u2029');

/** Either lessons that the JSON format accepts and round-trips, or a LessonParseError pointing into the file. */
function checkOutcome(text: string): void {
  const lineCount = text.split(/\r\n|[\r\n\u0085\u2028\u2029]/u).length;
  let lessons: Lesson[];
  try {
    lessons = parseLessonFile(text, { file: 'mangled.txt', importTimeZone: 'Asia/Tokyo' });
  } catch (error) {
    if (!(error instanceof LessonParseError)) throw error;
    expect(error.problems.length).toBeGreaterThan(0);
    for (const problem of error.problems) {
      expect(problem.line).toBeGreaterThanOrEqual(1);
      expect(problem.line).toBeLessThanOrEqual(lineCount);
    }
    return;
  }
  const json = JSON.stringify(lessons.map(lessonToJson));
  expect(parseLessonJson(json, { file: 'round-trip.json' })).toEqual(lessons);
}

describe('parseLessonFile on mangled input', () => {
  it('returns lessons or throws LessonParseError for mangled exports (dropped, duplicated, swapped, cut, junk)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...sources), fc.array(mangle, { minLength: 1, maxLength: 8 }), lineBreak, (source, mangles, eol) => {
        const lines = source.split(/\r\n|\r|\n/u);
        for (const apply of mangles) apply(lines);
        checkOutcome(lines.join(eol));
      }),
      { numRuns: 300 },
    );
  });

  it('returns lessons or throws LessonParseError for mangled JSON', () => {
    const lessons = sources.map((source, index) => parseExportText(source, { file: `${index}` }));
    const json = fc.constantFrom(
      ...lessons.map((lesson) => JSON.stringify(lessonToJson(lesson), null, 2)),
      JSON.stringify(lessons.map(lessonToJson)),
    );
    fc.assert(
      fc.property(json, fc.array(mangle, { minLength: 1, maxLength: 4 }), (text, mangles) => {
        const lines = text.split('\n');
        for (const apply of mangles) apply(lines);
        checkOutcome(lines.join('\n'));
      }),
      { numRuns: 300 },
    );
  });

  it('returns lessons or throws LessonParseError for arbitrary strings', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(junk, structuralLine), { maxLength: 30 }), lineBreak, (lines, eol) => checkOutcome(lines.join(eol))),
      { numRuns: 300 },
    );
  });

  it('keeps the reference export parseable after harmless whitespace changes', () => {
    const expected = parseExportText(referenceText, { file: REFERENCE_FILE });
    fc.assert(
      fc.property(lineBreak, fc.constantFrom('', ' ', '\t', ' \t'), fc.boolean(), (eol, pad, bom) => {
        const text = (bom ? '\uFEFF' : '') + referenceText.split('\n').map((line) => `${pad}${line}${pad}`).join(eol);
        expect(parseExportText(text, { file: REFERENCE_FILE })).toEqual(expected);
      }),
      { numRuns: 50 },
    );
  });
});
