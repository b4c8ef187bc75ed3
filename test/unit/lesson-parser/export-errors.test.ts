import { describe, expect, it } from 'vitest';
import { LessonParseError, parseExportText, type ParseOptions } from '../../../src/domain/lesson-parser/index.js';
import { dropSection, is, lineNumber, referenceLines, referenceText, replaceLine, startsWith } from '../../fixtures/lessons/reference.js';

const FILE = 'broken.txt';

/** Parses and returns the error, failing the test if the parse succeeds or throws anything else. */
function parseError(text: string, options: Partial<ParseOptions> = {}): LessonParseError {
  try {
    parseExportText(text, { file: FILE, ...options });
  } catch (error) {
    expect(error).toBeInstanceOf(LessonParseError);
    return error as LessonParseError;
  }
  throw new Error('expected a LessonParseError');
}

const errorFor = (lines: readonly string[], options: Partial<ParseOptions> = {}) => parseError(lines.join('\n'), options);

describe('sections given twice or out of order are named on their line, not read as the text around them', () => {
  const summary = lineNumber(is('Summary'));
  const statistics = lineNumber(is('Statistics'));

  it('a second Title: line at the top (it was read as the dialogue: 33 problems about the rest of the file)', () => {
    const error = parseError(['Title: One', 'Title: Two', ...referenceLines].join('\n'));
    expect(error.problems).toEqual([{ line: 2, message: 'Title: given twice (first on line 1); keep one' }]);
  });

  it('a Title: line at the top and another among the metadata (the second was dropped without a word)', () => {
    const id = lineNumber(startsWith('ID:'));
    const error = parseError(['Title: One', ...referenceLines.slice(0, id - 1), 'Title: Two', ...referenceLines.slice(id - 1)].join('\n'));
    expect(error.problems).toEqual([{ line: id + 1, message: 'Title: given twice (first on line 1); keep one' }]);
  });

  it('a second Summary section (its header became summary text)', () => {
    const error = errorFor(replaceLine(is('Statistics'), 'Summary', 'More summary.', 'Statistics'));
    expect(error.problems).toEqual([{ line: statistics, message: `a second Summary section (the first starts on line ${summary}); keep one` }]);
  });

  it('Similar Readings after the Summary (its header and titles became summary text)', () => {
    const lines = [...referenceLines];
    const header = lines.findIndex(is('Similar Readings (5 items)'));
    const readings = lines.splice(header, 6);
    const at = lines.findIndex(is('Statistics'));
    lines.splice(at, 0, ...readings);
    const error = errorFor(lines);
    expect(error.problems).toEqual([{ line: at + 1, message: 'Similar Readings comes before the Summary section, not inside Summary' }]);
  });

  it('a second Statistics section, and a Summary after Statistics', () => {
    const id = lineNumber(startsWith('ID:'));
    const twice = errorFor(replaceLine(startsWith('ID:'), 'Statistics', '10 Words', referenceLines[id - 1]!));
    expect(twice.problems).toEqual([{ line: id, message: `a second Statistics section (the first starts on line ${statistics}); keep one` }]);
    const after = errorFor(replaceLine(startsWith('ID:'), 'Summary', referenceLines[id - 1]!));
    expect(after.problems).toEqual([{ line: id, message: 'the Summary section comes before Statistics, not after it' }]);
  });
});

describe('errors name the line of the original file', () => {
  it('names the line of a bad date', () => {
    const error = errorFor(replaceLine(startsWith('Date:'), 'Date: May 32, 2025'));
    expect(error.problems).toEqual([{ line: lineNumber(startsWith('Date:')), message: expect.stringContaining('Date: expected a date') }]);
    expect(error.message).toBe(`${FILE}:${lineNumber(startsWith('Date:'))}: ${error.problems[0]?.message}`);
    expect(error.message).toContain('"May 32, 2025"');
  });

  it('counts a CRLF as one line break', () => {
    const error = parseError(replaceLine(startsWith('Date:'), 'Date: someday').join('\r\n'));
    expect(error.problems.map((problem) => problem.line)).toEqual([lineNumber(startsWith('Date:'))]);
  });

  it('counts a lone CR as one line break', () => {
    const error = parseError(replaceLine(startsWith('Date:'), 'Date: someday').join('\r'));
    expect(error.problems.map((problem) => problem.line)).toEqual([lineNumber(startsWith('Date:'))]);
  });

  it('counts NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR each as one line break', () => {
    for (const lineEnd of ['\u0085', '\u2028', '\u2029']) {
      const error = parseError(replaceLine(startsWith('Date:'), 'Date: someday').join(lineEnd));
      expect(error.problems.map((problem) => problem.line)).toEqual([lineNumber(startsWith('Date:'))]);
      expect(error.message).toBe(`${FILE}:${lineNumber(startsWith('Date:'))}: ${error.problems[0]?.message}`);
    }
    // Mixed with line feeds, a blank line made of one of each included.
    const lines = replaceLine(startsWith('Date:'), 'Date: someday');
    const error = parseError(`\u2028\n${lines.join('\u2029')}`);
    expect(error.problems.map((problem) => problem.line)).toEqual([lineNumber(startsWith('Date:')) + 2]);
  });

  it('names the Similar Readings header when it announces more items than come before Summary', () => {
    const error = errorFor(replaceLine(is('Similar Readings (5 items)'), 'Similar Readings (6 items)'));
    expect(error.problems).toEqual([
      {
        line: lineNumber(is('Similar Readings (5 items)')),
        message: `Similar Readings announces 6 items, but only 5 lines come before the Summary header on line ${lineNumber(is('Summary'))}`,
      },
    ]);
  });

  it('names the extra title line when the header announces fewer items than there are', () => {
    const error = errorFor(replaceLine(is('Similar Readings (5 items)'), 'Similar Readings (4 items)'));
    const fifthTitle = lineNumber(is('Summary')) - 1;
    expect(error.problems).toEqual([{ line: fifthTitle, message: expect.stringMatching(/^expected the Summary header after the 4 similar readings/u) }]);
  });

  it('names where the metadata starts when the ID is missing', () => {
    const error = errorFor(replaceLine(startsWith('ID:')));
    // The ID line is gone, so the block now starts with Category ID, on the ID's old line.
    expect(error.problems).toEqual([{ line: lineNumber(startsWith('ID:')), message: 'missing "ID:" line in the metadata' }]);
  });

  it('names the last line for keys missing when there is no metadata at all', () => {
    const lines = referenceLines.slice(0, lineNumber(startsWith('ID:')) - 1);
    const error = errorFor(lines);
    expect(error.problems).toHaveLength(6);
    expect(new Set(error.problems.map((problem) => problem.line))).toEqual(new Set([lines.length]));
  });

  it('reports an export without an article', () => {
    const lines = [...referenceLines.slice(0, lineNumber(is('----------------'))), ...referenceLines.slice(lineNumber(startsWith('Similar Readings')) - 1)];
    const error = errorFor(lines);
    expect(error.problems).toEqual([{ line: lineNumber(is('----------------')), message: 'no article: expected article paragraphs after this ---- separator' }]);
  });

  it('reports an export that is only metadata', () => {
    const error = errorFor(referenceLines.slice(lineNumber(startsWith('ID:')) - 1));
    expect(error.problems.map((problem) => problem.message)).toEqual([
      expect.stringMatching(/^no article/u),
      expect.stringMatching(/^missing the Summary section/u),
    ]);
  });

  it('reports a missing Summary section where it was expected', () => {
    const error = errorFor(dropSection(is('Summary'), is('Statistics')));
    expect(error.problems).toEqual([{ line: lineNumber(is('Summary')), message: expect.stringMatching(/^missing the Summary section/u) }]);
  });

  it('reports a Statistics section it cannot read at its header', () => {
    const error = errorFor(replaceLine(is('417'), 'many'));
    expect(error.problems).toEqual([{ line: lineNumber(is('Statistics')), message: expect.stringContaining('cannot read the word count') }]);
  });

  it('reports a line in the metadata that is not "Key: value"', () => {
    const error = errorFor([...referenceLines, 'what is this?']);
    expect(error.problems).toEqual([{ line: referenceLines.length + 1, message: expect.stringContaining('"Key: value"') }]);
  });

  it('reports a key given twice', () => {
    const error = errorFor([...referenceLines, 'URL: https://example.com/other']);
    expect(error.problems).toEqual([{ line: referenceLines.length + 1, message: `URL: given twice (first on line ${lineNumber(startsWith('URL:'))})` }]);
  });

  it.each([
    ['ID:', 'ID: not-a-uuid', 'ID: expected a UUID'],
    ['URL:', 'URL: ftp://example.com/file', 'URL: expected an http(s) URL'],
    ['Created:', 'Created: 2025/06/02', 'Created: expected a time like 2025/06/02 07:14'],
    ['Updated:', 'Updated: 2025/13/02 07:14', 'Updated: expected a time'],
    ['Last Read:', 'Last Read: yesterday', 'Last Read: expected a time'],
    ['Category ID:', 'Category ID:', 'Category ID: expected a category id'],
    // Only a right-to-left override: it shows nothing, so it could not be named, picked or listed (Discord refuses a blank choice).
    ['Category ID:', 'Category ID: \u202E', 'Category ID: expected a category id'],
  ])('names the line of a bad "%s" value', (prefix, replacement, message) => {
    const error = errorFor(replaceLine(startsWith(prefix), replacement));
    expect(error.problems).toEqual([{ line: lineNumber(startsWith(prefix)), message: expect.stringContaining(message) }]);
  });

  it('reports every problem at once, in line order', () => {
    const lines = replaceLine(startsWith('Date:'), 'Date: tomorrow').map((line) => (line.startsWith('URL:') ? 'URL: nowhere' : line));
    const error = errorFor(lines.filter((line) => !line.startsWith('Created:')));
    expect(error.problems.map((problem) => problem.line)).toEqual([lineNumber(startsWith('ID:')), lineNumber(startsWith('URL:')), lineNumber(startsWith('Date:'))]);
    expect(error.message.split('\n')).toHaveLength(3);
  });

  it('reports an unknown import time zone', () => {
    const error = parseError(referenceText, { importTimeZone: 'Mars/Olympus_Mons' });
    expect(error.problems).toEqual([{ line: 1, message: 'unknown import time zone "Mars/Olympus_Mons"' }]);
  });

  it('reports a first line that is neither dialogue nor article', () => {
    const error = errorFor(['just some words', ...referenceLines]);
    expect(error.problems).toEqual([{ line: 1, message: expect.stringContaining('expected a dialogue line') }]);
  });

  it.each([['empty', ''], ['blank', ' \n\r\n\t\n'], ['BOM-only', '\uFEFF']])('reports a %s file as having no lessons', (_kind, text) => {
    expect(parseError(text).problems).toEqual([{ line: 1, message: 'no lessons in this file' }]);
  });
});
