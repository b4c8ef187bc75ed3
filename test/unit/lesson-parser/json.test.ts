import { describe, expect, it } from 'vitest';
import {
  LessonParseError,
  lessonJsonSchema,
  lessonToJson,
  parseExportText,
  parseLessonFile,
  parseLessonJson,
  type LessonJson,
} from '../../../src/domain/lesson-parser/index.js';
import { readFixture, REFERENCE_FILE, referenceText } from '../../fixtures/lessons/reference.js';

const FILE = 'lessons.json';
const reference = parseExportText(referenceText, { file: REFERENCE_FILE });
const fixtures = ['ken-yuki-library-robot.txt', 'ferry-crlf-wrapped-turn.txt', 'article-only-no-stats.txt'].map((name) =>
  parseExportText(readFixture(name), { file: name }),
);
const referenceJson = lessonToJson(reference);

function jsonError(text: string): LessonParseError {
  try {
    parseLessonJson(text, { file: FILE });
  } catch (error) {
    expect(error).toBeInstanceOf(LessonParseError);
    return error as LessonParseError;
  }
  throw new Error('expected a LessonParseError');
}

/** The reference lesson as pretty-printed JSON with `change` applied to the object first. */
const prettyWith = (change: (json: Record<string, unknown>) => void): string => {
  const json = structuredClone(referenceJson) as unknown as Record<string, unknown>;
  change(json);
  return JSON.stringify(json, null, 2);
};

/** 1-based line of the first line containing `needle`. */
const lineContaining = (text: string, needle: string): number => text.split('\n').findIndex((line) => line.includes(needle)) + 1;

describe('lessonToJson', () => {
  it('writes the keys in the documented order', () => {
    expect(Object.keys(referenceJson)).toEqual([
      'id', 'category', 'url', 'date', 'title', 'summary', 'article', 'dialogue', 'similarReadings', 'sourceStats', 'sourceTimes',
    ]);
    expect(Object.keys(referenceJson.sourceStats)).toEqual(['words', 'readCount']);
    expect(Object.keys(referenceJson.sourceTimes)).toEqual(['created', 'updated', 'lastRead']);
    expect(Object.keys(referenceJson.dialogue[0] ?? {})).toEqual(['speaker', 'text']);
  });

  it('writes what the schema accepts', () => {
    expect(lessonJsonSchema.parse(referenceJson)).toEqual(reference);
  });
});

describe('parseLessonJson', () => {
  it.each([reference, ...fixtures].map((lesson) => [lesson.id, lesson]))('round-trips lesson %s through JSON', (_id, lesson) => {
    expect(parseLessonJson(JSON.stringify(lessonToJson(lesson)), { file: FILE })).toEqual([lesson]);
  });

  it('reads an array of lessons', () => {
    const text = JSON.stringify([reference, ...fixtures].map(lessonToJson), null, 2);
    expect(parseLessonJson(text, { file: FILE })).toEqual([reference, ...fixtures]);
  });

  it.each(['[]', ' [ \n ] '])('refuses an empty array %j: no lessons in this file', (text) => {
    expect(jsonError(text).problems).toEqual([{ line: 1, message: 'no lessons in this file' }]);
  });

  it('reads a file with a BOM and CRLF line ends', () => {
    const text = `\uFEFF${JSON.stringify(referenceJson, null, 2).replace(/\n/gu, '\r\n')}\r\n`;
    expect(parseLessonJson(text, { file: FILE })).toEqual([reference]);
  });

  it('lowercases the id and moves times with an offset to UTC', () => {
    const text = prettyWith((json) => {
      json.id = reference.id.toUpperCase();
      json.sourceTimes = { created: '2025-06-02T16:14:00+09:00', updated: '2025-12-08T03:51Z', lastRead: null };
    });
    const [lesson] = parseLessonJson(text, { file: FILE });
    expect(lesson?.id).toBe(reference.id);
    expect(lesson?.sourceTimes).toEqual({ created: '2025-06-02T07:14:00.000Z', updated: '2025-12-08T03:51:00.000Z', lastRead: null });
  });

  it('takes the offsets clocks have (to ±14:00, +05:45 and -0930 included) and refuses others at their line', () => {
    const created = (value: string) => prettyWith((json) => (json.sourceTimes = { created: value, updated: '2025-12-08T03:51Z', lastRead: null }));
    expect(parseLessonJson(created('2025-06-02T12:59:00+05:45'), { file: FILE })[0]?.sourceTimes.created).toBe('2025-06-02T07:14:00.000Z');
    expect(parseLessonJson(created('2025-06-02T07:14:00+14:00'), { file: FILE })[0]?.sourceTimes.created).toBe('2025-06-01T17:14:00.000Z');
    expect(parseLessonJson(created('2025-06-01T21:44:00-0930'), { file: FILE })[0]?.sourceTimes.created).toBe('2025-06-02T07:14:00.000Z');
    for (const value of ['2025-06-02T10:00:00+99:99', '2025-06-02T10:00:00+15:00', '2025-06-02T10:00:00-05:60']) {
      const text = created(value);
      expect(jsonError(text).problems, value).toEqual([{ line: lineContaining(text, value), message: expect.stringContaining('sourceTimes.created') }]);
    }
  });

  it('drops the spaces and line breaks around its texts, as the export format does (a category filter for `misc` found `" misc "` never)', () => {
    const padded = prettyWith((json) => {
      json.category = ' misc ';
      json.title = '\n  Japan and U.S. agree on cyber defense\t';
      json.url = ` ${referenceJson.url} `;
      json.summary = `  ${referenceJson.summary}\n`;
      json.article = referenceJson.article.map((paragraph) => ` ${paragraph}\r\n`);
      json.dialogue = referenceJson.dialogue.map((turn) => ({ speaker: ` ${turn.speaker} `, text: `\u3000${turn.text} ` }));
      json.similarReadings = referenceJson.similarReadings.map((title) => `${title}\n`);
    });
    const [lesson] = parseLessonJson(padded, { file: FILE });
    expect(lesson).toEqual({ ...reference, category: 'misc', title: 'Japan and U.S. agree on cyber defense' });
    // A text of only spaces is still blank.
    expect(jsonError(prettyWith((json) => (json.category = ' \n '))).problems[0]?.message).toMatch(/category.*must not be blank/u);
  });

  it('allows an empty dialogue', () => {
    const [lesson] = parseLessonJson(prettyWith((json) => (json.dialogue = [])), { file: FILE });
    expect(lesson?.dialogue).toEqual([]);
  });
});

describe('JSON errors name the line of the bad value', () => {
  it('names the line of a bad date', () => {
    const text = prettyWith((json) => (json.date = '31/05/2025'));
    expect(jsonError(text).problems).toEqual([{ line: lineContaining(text, '"date"'), message: 'date: expected YYYY-MM-DD' }]);
  });

  it('refuses half a character (a surrogate escape without its pair) at its line: stored, it became U+FFFD', () => {
    const text = prettyWith((json) => (json.title = 'Hello \ud83d world'));
    expect(text).toContain('\\ud83d');
    expect(jsonError(text).problems).toEqual([{ line: lineContaining(text, '"title"'), message: expect.stringMatching(/^title: contains half a character \(U\+D83D/u) }]);
    // A pair is one character, escaped or not.
    expect(() => parseLessonJson(prettyWith((json) => (json.title = 'Hello \ud83d\ude00 world')), { file: FILE })).not.toThrow();
  });

  it('refuses a category that shows nothing (only zero-width or bidirectional characters)', () => {
    const text = prettyWith((json) => (json.category = '\u2066\u2069'));
    expect(jsonError(text).problems).toEqual([{ line: lineContaining(text, '"category"'), message: expect.stringContaining('category: shows nothing') }]);
  });

  it('rejects a date that is not on the calendar', () => {
    const text = prettyWith((json) => (json.date = '2025-02-30'));
    expect(jsonError(text).message).toBe(`${FILE}:${lineContaining(text, '"date"')}: date: expected YYYY-MM-DD`);
  });

  it('names the line of a bad value inside an array, with its path', () => {
    const text = prettyWith((json) => ((json.dialogue as { speaker: unknown }[])[3]!.speaker = 7));
    const line = lineContaining(text, '"speaker": 7');
    expect(jsonError(text).problems).toEqual([{ line, message: 'dialogue[3].speaker: expected the speaker' }]);
  });

  it('numbers the lesson in an array', () => {
    const broken = { ...referenceJson, sourceStats: { words: -1, readCount: 1 } };
    const text = JSON.stringify([referenceJson, broken], null, 2);
    const line = text.split('\n').findIndex((l) => l.includes('"words": -1')) + 1;
    expect(jsonError(text).problems).toEqual([{ line, message: 'lesson 2: sourceStats.words: expected a non-negative integer' }]);
  });

  it('refuses a count past what the database stores (2,147,483,647) at its line', () => {
    const text = prettyWith((json) => ((json.sourceStats as { words: number }).words = 3_000_000_000));
    const line = lineContaining(text, '"words": 3000000000');
    expect(jsonError(text).problems).toEqual([{ line, message: 'sourceStats.words: expected at most 2147483647' }]);
  });

  it('names the line of an unknown key', () => {
    const text = prettyWith((json) => (json.titel = 'typo'));
    expect(jsonError(text).problems).toEqual([{ line: lineContaining(text, '"titel"'), message: 'titel: unknown key' }]);
  });

  it('names the line of the object for a missing key', () => {
    const text = prettyWith((json) => delete (json.sourceTimes as Record<string, unknown>).lastRead);
    expect(jsonError(text).problems).toEqual([{ line: lineContaining(text, '"sourceTimes"'), message: 'sourceTimes.lastRead: missing' }]);
  });

  it('reports every bad field at once', () => {
    const text = prettyWith((json) => {
      json.id = 'nope';
      json.url = 'mailto:someone@example.com';
      json.article = [];
      json.title = 'x'.repeat(257);
    });
    expect(jsonError(text).problems.map((problem) => problem.message)).toEqual([
      'id: expected a UUID',
      'url: expected an http(s) URL',
      'title: must be at most 256 characters',
      'article: expected at least one paragraph',
    ]);
  });

  it('names the line of a syntax error', () => {
    const text = '{\n  "id": "x",\n  "category": "nhk",,\n}';
    expect(jsonError(text).problems).toEqual([{ line: 3, message: expect.stringMatching(/^invalid JSON: /u) }]);
  });

  it.each([
    ['{"a": tru}', 1],
    ['[\n1,\n]', 3],
    ['{\n"a": "unterminated', 2],
    ['{\r\n"a": 1\r\n"b": 2}', 3],
    ['{\r"a": 1,\r\r\r"b": 2]', 5],
    ['[1] 2', 1],
    ['[', 1],
  ])('names the line of the syntax error in %j', (text, line) => {
    expect(jsonError(text).problems[0]?.line).toBe(line);
  });

  it('rejects JSON that is neither an object nor an array', () => {
    expect(jsonError('"a lesson"').problems).toEqual([{ line: 1, message: 'expected a lesson object or an array of lesson objects' }]);
  });

  it('rejects an array item that is not an object', () => {
    expect(jsonError('[\n  42\n]').problems).toEqual([{ line: 2, message: 'lesson 1: expected a lesson object' }]);
  });

  it('refuses nesting deeper than a lesson file needs, on the line where it goes too deep, before building it', () => {
    const tooDeep = 'nested more than 32 levels deep (a lesson file needs at most 4)';
    // 32 levels are still read (and then are not a lesson); the 33rd container is refused where it opens.
    expect(jsonError(`${'['.repeat(32)}${']'.repeat(32)}`).problems).toEqual([{ line: 1, message: 'lesson 1: expected a lesson object' }]);
    expect(jsonError(`${'['.repeat(33)}${']'.repeat(33)}`).problems).toEqual([{ line: 1, message: tooDeep }]);
    expect(jsonError(`[\n${'{"a":\n'.repeat(40)}1${'}'.repeat(40)}]`).problems).toEqual([{ line: 33, message: tooDeep }]);
    // What 10 MiB of brackets would make JSON.parse build (~600 MB) is refused at the 33rd.
    const hostile = `${'['.repeat(5_000_000)}${']'.repeat(5_000_000)}`;
    expect(jsonError(hostile).problems).toEqual([{ line: 1, message: tooDeep }]);
  });

  it('refuses a lesson given twice in one file on the second copy’s line (the import named line 1)', () => {
    const copy = { ...referenceJson, title: 'The same lesson, edited' };
    const text = JSON.stringify([referenceJson, copy], null, 2);
    const secondId = text.split('\n').findIndex((line, index, all) => line.includes(`"id": "${referenceJson.id}"`) && all.slice(0, index).some((l) => l.includes(`"id": "${referenceJson.id}"`)));
    expect(jsonError(text).problems).toEqual([{ line: secondId + 1, message: `lesson 2: the id ${referenceJson.id} is lesson 1's too (a lesson goes in a file once)` }]);
  });

  it('refuses a property given twice in one object (JSON.parse would keep the last without a word), on its second line', () => {
    const lesson = JSON.stringify(referenceJson, null, 2).split('\n');
    const titleLine = lesson.findIndex((line) => line.includes('"title"'));
    const twice = [...lesson.slice(0, titleLine + 1), '  "title": "A second title",', ...lesson.slice(titleLine + 1)].join('\n');
    expect(jsonError(twice).problems).toEqual([{ line: titleLine + 2, message: 'the property "title" appears twice in one object' }]);
    // Deeper down too (a dialogue turn), and the same name in two objects is fine.
    expect(jsonError('[{"dialogue": [{"speaker": "A",\n "speaker": "B"}]}]').problems).toEqual([{ line: 2, message: 'the property "speaker" appears twice in one object' }]);
    expect(jsonError('[{"a": {"x": 1}, "b": {"x": 2}}]').problems.map((problem) => problem.message)).not.toContainEqual(expect.stringContaining('twice'));
    // A key written with an escape is the same key.
    expect(jsonError('{"title": "x", "t\\u0069tle": "y"}').problems).toEqual([{ line: 1, message: 'the property "title" appears twice in one object' }]);
  });
});

describe('parseLessonFile', () => {
  const json = JSON.stringify(referenceJson satisfies LessonJson);

  it('chooses JSON by content, whatever the file is called', () => {
    expect(parseLessonFile(json, { file: 'lesson.txt' })).toEqual([reference]);
    expect(parseLessonFile(`\uFEFF \n\t${json}`, { file: 'lesson' })).toEqual([reference]);
    expect(parseLessonFile(`[${json}]`, { file: 'lesson.txt' })).toEqual([reference]);
  });

  it('chooses the export format by content, whatever the file is called', () => {
    expect(parseLessonFile(referenceText, { file: 'lesson.json' })).toEqual([reference]);
  });
});
