import { describe, expect, it } from 'vitest';
import {
  LessonParseError,
  lessonToJson,
  MAX_PROBLEMS_PER_FILE,
  parseExportText,
  parseLessonFile,
  type LessonJson,
} from '../../../src/domain/lesson-parser/index.js';
import { LESSON_LIMITS } from '../../../src/domain/lesson.js';
import { dropSection, is, lineNumber, REFERENCE_FILE, referenceLines, referenceText, replaceLine, startsWith } from '../../fixtures/lessons/reference.js';

const reference = lessonToJson(parseExportText(referenceText, { file: REFERENCE_FILE }));

function parseError(text: string, file = 'hostile.json'): LessonParseError {
  try {
    parseLessonFile(text, { file });
  } catch (error) {
    expect(error).toBeInstanceOf(LessonParseError);
    return error as LessonParseError;
  }
  throw new Error('expected a LessonParseError');
}

const jsonWith = (change: (json: Record<string, unknown>) => void): string => {
  const json = structuredClone(reference) as unknown as Record<string, unknown>;
  change(json);
  return JSON.stringify(json, null, 2);
};

const lineOf = (text: string, needle: string): number => text.split('\n').findIndex((line) => line.includes(needle)) + 1;

describe('a file of very many invalid lessons', () => {
  it('lists the first problems by line and counts the rest (12,000 empty objects)', () => {
    const text = `[\n${Array.from({ length: 12_000 }, () => '{}').join(',\n')}\n]`;
    const error = parseError(text);
    expect(error.problems).toHaveLength(MAX_PROBLEMS_PER_FILE);
    // Each empty object misses all 11 keys; the first ones listed belong to the first lessons, line by line.
    expect(error.problems[0]).toEqual({ line: 2, message: 'lesson 1: id: missing' });
    expect(error.problems.map((problem) => problem.line)).toEqual([...error.problems.map((p) => p.line)].sort((a, b) => a - b));
    expect(error.problems.length + error.omitted).toBe(12_000 * 11);
    expect(error.message.split('\n')).toHaveLength(MAX_PROBLEMS_PER_FILE + 1);
    expect(error.message).toMatch(/hostile\.json: and 131950 more problems not listed/u);
  });

  it('keeps the report small for a 2 MiB file of one-key objects', () => {
    const count = 200_000;
    const text = `[${Array.from({ length: count }, () => '{"id":1}').join(',')}]`;
    const error = parseError(text);
    expect(error.problems).toHaveLength(MAX_PROBLEMS_PER_FILE);
    expect(error.problems.length + error.omitted).toBe(count * 11);
    expect(error.message.length).toBeLessThan(10_000);
  });

  it('keeps the first problems by line in an export, wherever they were found', () => {
    // 80 dialogue lines without a speaker before the separator, and a bad date near the end.
    const lines = [...Array.from({ length: 80 }, (_, i) => `no speaker here ${i}`), ...replaceLine(startsWith('Date:'), 'Date: someday')];
    const error = parseError(lines.join('\n'), 'broken.txt');
    expect(error.problems).toHaveLength(MAX_PROBLEMS_PER_FILE);
    expect(error.problems.map((problem) => problem.line)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(error.omitted).toBe(31);
  });
});

describe('one lesson of very many entries or keys', () => {
  /** The reference lesson with `value` (JSON text) as its `key`, and the key's line. */
  const lessonWith = (key: string, value: string) => {
    const text = JSON.stringify({ ...reference, [key]: 'VALUE' }, null, 2);
    return { text: text.replace('"VALUE"', value), line: lineOf(text, `"${key}": "VALUE"`) };
  };

  it('refuses a million similar readings by their count, one problem (before, a million: 4 GB and 102 s for 10 MiB)', () => {
    const { text, line } = lessonWith('similarReadings', `[${Array.from({ length: 1_000_000 }, () => '0').join(',')}]`);
    const error = parseError(text);
    expect(error.problems).toEqual([{ line, message: 'similarReadings: 1,000,000 similar readings; a lesson may list at most 100' }]);
    expect(error.omitted).toBe(0);
  });

  it('refuses an article or a dialogue of more entries than its characters allow by their count', () => {
    const entries = LESSON_LIMITS.article + 1;
    const article = lessonWith('article', `[${Array.from({ length: entries }, () => '0').join(',')}]`);
    expect(parseError(article.text).problems).toEqual([
      { line: article.line, message: "article: the article has 200,001 paragraphs; a lesson's article may hold at most 200,000 characters (split it into several lessons)" },
    ]);
    const dialogue = lessonWith('dialogue', `[${Array.from({ length: entries }, () => '{}').join(',')}]`);
    expect(parseError(dialogue.text).problems).toEqual([
      { line: dialogue.line, message: "dialogue: the dialogue has 200,001 turns; a lesson's dialogue may hold at most 200,000 characters (split it into several lessons)" },
    ]);
  });

  it('lists the first problems of one lesson by line and counts the rest, its keys in the file\'s order', () => {
    // Keys out of the format's order: 60 bad dialogue turns, then a bad date, then 100,000 unknown keys, then the id missing.
    const { id: _id, date: _date, dialogue: _dialogue, ...rest } = reference;
    const turns = Array.from({ length: 60 }, () => '    {}').join(',\n');
    const unknown = Array.from({ length: 100_000 }, (_, i) => `  "extra${i}": 0`).join(',\n');
    const text = `{\n  "dialogue": [\n${turns}\n  ],\n  "date": "someday",\n${unknown},\n${JSON.stringify(rest, null, 2).slice(2)}`;
    const error = parseError(text);
    expect(error.problems).toHaveLength(MAX_PROBLEMS_PER_FILE);
    expect(error.problems[0]).toEqual({ line: 1, message: 'id: missing' });
    expect(error.problems.slice(1, 4)).toEqual([
      { line: 3, message: 'dialogue[0].speaker: missing' },
      { line: 3, message: 'dialogue[0].text: missing' },
      { line: 4, message: 'dialogue[1].speaker: missing' },
    ]);
    expect(error.problems.length + error.omitted).toBe(1 + 60 * 2 + 1 + 100_000);
  });
});

describe('a Statistics section of hostile text', () => {
  /** The reference export with `junk` as a line of its Statistics section, before its counts. */
  const withJunk = (junk: string) => replaceLine(is('Statistics'), 'Statistics', junk).join('\n');

  it('is read in time linear in its length: a long run of digits, of commas, of many counts (each took 7–29 s at 40,000–240,000 characters)', () => {
    const junks = ['1'.repeat(40_000), '1,'.repeat(20_000), '1 Words '.repeat(30_000), 'Words: 1 '.repeat(30_000)];
    for (const junk of junks) {
      const started = performance.now();
      const lesson = parseExportText(withJunk(junk), { file: REFERENCE_FILE });
      expect(performance.now() - started).toBeLessThan(1_500);
      // A count before the export's own is the first of its label (as before): junk of digits alone is no count.
      expect(lesson.sourceStats).toEqual(junk.includes('Words') ? { words: 1, readCount: 1 } : { words: 417, readCount: 1 });
    }
  });

  it('reads no count from a run of digits longer than any count, nor from its end', () => {
    const stats = [`${'9'.repeat(40)} Words`, '1 Read Count'];
    const text = dropSection(is('Statistics'), startsWith('ID:'))
      .flatMap((line) => (line.startsWith('ID:') ? ['Statistics', ...stats, line] : [line]))
      .join('\n');
    expect(() => parseExportText(text, { file: REFERENCE_FILE })).toThrow(/Statistics: cannot read the word count/u);
  });
});

describe('control characters', () => {
  it.each([
    ['NUL', '\u0000'],
    ['ESC', '\u001b'],
    ['form feed', '\u000c'],
    ['vertical tab', '\u000b'],
  ])('refuses %s in an export with the line it is on', (_name, char) => {
    const lines = replaceLine(startsWith('Summary'), 'Summary', `The defense chiefs${char} agreed.`);
    const summaryLine = lineNumber(startsWith('Summary')) + 1;
    const error = parseError(lines.join('\n'), 'nul.txt');
    expect(error.problems).toContainEqual({ line: summaryLine, message: expect.stringMatching(/control character U\+00[01][0-9A-F]/u) });
    expect(error.message).toMatch(new RegExp(`^nul\\.txt:${summaryLine}: `, 'mu'));
  });

  it('refuses NUL in a Title line and in a dialogue line of an export', () => {
    const lines = [`Title: Cyber${'\u0000'}pact`, ...referenceLines];
    lines[1] = `${lines[1]}\u0000`;
    const error = parseError(lines.join('\n'), 'nul.txt');
    expect(error.problems.map((problem) => problem.line)).toEqual([1, 2]);
  });

  it('accepts tabs, CR and LF', () => {
    const text = referenceLines.map((line) => `${line}\t`).join('\r\n');
    expect(parseLessonFile(text, { file: 'ok.txt' })).toHaveLength(1);
  });

  it.each(['title', 'summary', 'category', 'url'] as const)('refuses an escaped NUL in the JSON %s, naming its line', (key) => {
    const text = jsonWith((json) => {
      json[key] = `${String(json[key])}\u0000`;
    });
    const error = parseError(text);
    expect(error.problems).toEqual([{ line: lineOf(text, `"${key}"`), message: expect.stringContaining(`${key}: contains the control character U+0000`) }]);
  });

  it('refuses a control character in a dialogue turn of a JSON lesson', () => {
    const text = jsonWith((json) => {
      (json.dialogue as { speaker: string; text: string }[])[1] = { speaker: 'B', text: 'bell\u0007' };
    });
    expect(parseError(text).problems).toEqual([{ line: lineOf(text, '"bell'), message: expect.stringContaining('dialogue[1].text: contains the control character U+0007') }]);
  });
});

describe('control characters in every field and key of a JSON lesson', () => {
  const fields: [string, (json: Record<string, unknown>) => void, string][] = [
    ['id', (json) => (json.id = `${String(json.id)}\u001b`), '"id"'],
    ['date', (json) => (json.date = '2025-05-31\u0000'), '"date"'],
    ['article[0]', (json) => ((json.article as string[])[0] = 'First\u0000 paragraph.'), 'First\\u0000'],
    ['similarReadings[0]', (json) => ((json.similarReadings as string[])[0] = 'Related\u001f'), 'Related\\u001f'],
    ['dialogue[0].speaker', (json) => ((json.dialogue as { speaker: string; text: string }[])[0] = { speaker: 'A\u0000', text: 'Hi.' }), 'A\\u0000'],
    ['sourceTimes.created', (json) => ((json.sourceTimes as Record<string, unknown>).created = '2025-06-02T07:14:00.000Z\u0000'), '"created"'],
  ];

  it.each(fields)('refuses one in %s, naming its line', (field, change, needle) => {
    const text = jsonWith(change);
    const error = parseError(text);
    expect(error.problems).toEqual([{ line: lineOf(text, needle), message: expect.stringContaining(`${field}: contains the control character U+00`) }]);
  });

  it('shows an unknown key with control characters by their code points, and a huge key cut short', () => {
    const text = jsonWith((json) => {
      json['ti\u0000tle\u001b'] = 'x';
      json['k'.repeat(100_000)] = 'x';
    });
    const messages = parseError(text).problems.map((problem) => problem.message);
    expect(messages).toContain('tiU+0000tleU+001B: unknown key');
    for (const message of messages) {
      // eslint-disable-next-line no-control-regex -- finding control characters is the point
      expect(message).not.toMatch(/[\u0000-\u001F]/u);
      expect(message.length).toBeLessThan(200);
    }
  });

  it('names a raw control character outside a string by its code point', () => {
    const error = parseError('[\n{}\u0000]');
    expect(error.problems).toEqual([{ line: 2, message: "invalid JSON: expected ',' or ']', found U+0000" }]);
  });
});

describe('empty files', () => {
  it.each([
    ['a 0-byte text file', ''],
    ['an empty JSON array', '[]'],
    ['whitespace', '\n\n  \n'],
  ])('%s has no lessons in it', (_name, text) => {
    expect(parseError(text).problems).toEqual([{ line: 1, message: 'no lessons in this file' }]);
  });
});

describe('invisible titles', () => {
  // Variation selectors (U+FE0F, U+E0101) and Mongolian ones (U+180B) are marks that show nothing, as the joiners.
  const invisible = ['\u200b\u200b', '\u200d\u2060\ufeff', '\u00ad \u200c', '\u3164', '\u202e\u200b', '\u0085', '\u0080\u009f', '\u007f', '\ufe0f', '\ufe0f\u{e0101} \u180b'];

  it.each(invisible.map((title) => [JSON.stringify(title), title]))('refuses the JSON title %s', (_shown, title) => {
    const text = jsonWith((json) => {
      json.title = title;
    });
    expect(parseError(text).problems).toEqual([{ line: lineOf(text, '"title"'), message: expect.stringContaining('title: shows nothing') }]);
  });

  // In an export a NEL ends the line (an empty `Title:` is no title); in JSON it is a character of the string.
  const invisibleInALine = invisible.filter((title) => title !== '\u0085');
  it.each(invisibleInALine.map((title) => [JSON.stringify(title), title]))('refuses the export Title line %s', (_shown, title) => {
    const error = parseError([`Title: ${title}`, ...referenceLines].join('\n'), 'blank.txt');
    expect(error.problems).toEqual([{ line: 1, message: expect.stringContaining('shows nothing') }]);
  });

  it('accepts a title with a zero-width joiner or a variation selector inside real text', () => {
    const text = jsonWith((json) => {
      json.title = 'Family 👨\u200d👩\u200d👧 news ❤\ufe0f';
    });
    expect(parseLessonFile(text, { file: 'ok.json' })[0]?.title).toBe('Family 👨\u200d👩\u200d👧 news ❤\ufe0f');
  });
});

describe('dates PostgreSQL cannot store or no lesson has', () => {
  it.each(['0000-01-01', '1999-12-31', '2101-01-01', '9999-12-31'])('refuses the JSON date %s', (date) => {
    const text = jsonWith((json) => {
      json.date = date;
    });
    expect(parseError(text).problems).toEqual([{ line: lineOf(text, '"date"'), message: 'date: expected a date in the years 2000–2100' }]);
  });

  it.each(['2000-01-01', '2100-12-31'])('accepts the JSON date %s', (date) => {
    const text = jsonWith((json) => {
      json.date = date;
    });
    expect(parseLessonFile(text, { file: 'ok.json' })[0]?.date).toBe(date);
  });

  it('refuses a JSON time in year 0', () => {
    const text = jsonWith((json) => {
      json.sourceTimes = { created: '0000-01-01T00:00:00Z', updated: '2025-06-02T07:14:00.000Z', lastRead: null };
    });
    expect(parseError(text).problems).toEqual([{ line: lineOf(text, '"created"'), message: 'sourceTimes.created: expected a time in the years 2000–2100' }]);
  });

  it.each([
    ['Date:', 'Date: Jan 1, 0000'],
    ['Date:', 'Date: 1899-05-31'],
    ['Created:', 'Created: 0000/01/01 00:00'],
    ['Last Read:', 'Last Read: 2400/01/01 00:00'],
  ])('refuses the export line "%s" in a year outside 2000–2100', (prefix, line) => {
    const error = parseError(replaceLine(startsWith(prefix), line).join('\n'), 'old.txt');
    expect(error.problems).toEqual([{ line: lineNumber(startsWith(prefix)), message: expect.stringContaining('expected a date in the years 2000–2100') }]);
  });
});

// The JSON type is what the tests build on; keep it referenced so a schema change shows up here.
export type { LessonJson };
