import { describe, expect, it } from 'vitest';
import { articleWordCount, MAX_TITLE_LENGTH } from '../../../src/domain/lesson.js';
import { parseExportText, type LessonParseError, type ParseOptions } from '../../../src/domain/lesson-parser/index.js';
import {
  dropSection,
  is,
  lineNumber,
  referenceLines,
  referenceText,
  replaceLine,
  startsWith,
} from '../../fixtures/lessons/reference.js';

const options: ParseOptions = { file: 'variant.txt' };
const parse = (lines: readonly string[], extra: Partial<ParseOptions> = {}) => parseExportText(lines.join('\n'), { ...options, ...extra });
const reference = parseExportText(referenceText, options);

const SEPARATOR = '----------------';
const firstSeparator = lineNumber(is(SEPARATOR)) - 1;
const secondSeparator = referenceLines.indexOf(SEPARATOR, firstSeparator + 1);
const similarHeader = lineNumber(startsWith('Similar Readings')) - 1;
const dialogue = referenceLines.slice(0, firstSeparator);
const article = referenceLines.slice(secondSeparator + 1, similarHeader);
const trailer = referenceLines.slice(similarHeader);

describe('line ends and stray characters', () => {
  it('reads CRLF line ends', () => {
    expect(parseExportText(referenceLines.join('\r\n'), options)).toEqual(reference);
  });

  it('reads CRLF line ends with a final line break', () => {
    expect(parseExportText(`${referenceLines.join('\r\n')}\r\n`, options)).toEqual(reference);
  });

  it('skips a UTF-8 byte order mark', () => {
    expect(parseExportText(`\uFEFF${referenceText}`, options)).toEqual(reference);
  });

  it('reads lone CR line ends (old Mac style)', () => {
    expect(parseExportText(referenceLines.join('\r'), options)).toEqual(reference);
  });

  it('reads NEL (U+0085), LINE SEPARATOR (U+2028) and PARAGRAPH SEPARATOR (U+2029) line ends, alone or mixed with the others', () => {
    // Until 2026-12-07 they ended no line: the file was one line, its fields run together.
    for (const lineEnd of ['\u0085', '\u2028', '\u2029']) expect(parseExportText(referenceLines.join(lineEnd), options)).toEqual(reference);
    const mixed = ['\n', '\u2028', '\r\n', '\u0085', '\r', '\u2029'];
    expect(parseExportText(referenceLines.map((line, i) => `${line}${mixed[i % mixed.length]}`).join(''), options)).toEqual(reference);
    // A paragraph separator between two paragraphs of the article ends the first, as a line feed does.
    const [first, second] = article;
    const joined = [...dialogue, SEPARATOR, `${first}\u2029${second}`, ...article.slice(2), ...trailer];
    expect(parse(joined).article).toEqual(article);
  });

  it('ignores tabs, trailing whitespace and blank lines between blocks', () => {
    const messy = referenceLines.flatMap((line) => [`\t${line.replace(/ /gu, ' \t ')}   `, '', ' \t ']);
    expect(parse(messy)).toEqual(reference);
  });
});

describe('repeated dialogue and article blocks', () => {
  const marked = (paragraphs: readonly string[], mark: string) => paragraphs.map((paragraph) => `${paragraph} ${mark}`);

  it('keeps the most complete copy even when it comes second', () => {
    const lines = [...dialogue.slice(1), SEPARATOR, ...article, ...dialogue, SEPARATOR, ...marked(article, '(second)'), ...trailer];
    const lesson = parse(lines);
    expect(lesson.dialogue).toHaveLength(11);
    expect(lesson.dialogue[0]?.text).toBe('Hey there, buddy! Heard any interesting news lately?');
    expect(lesson.article).toEqual(marked(article, '(second)'));
  });

  it('keeps the first copy when two copies are equally complete', () => {
    const lines = [...dialogue, SEPARATOR, ...marked(article, '(first)'), ...dialogue, SEPARATOR, ...article, ...trailer];
    expect(parse(lines).article).toEqual(marked(article, '(first)'));
  });

  it('counts the article too: a copy missing a paragraph loses to a complete one', () => {
    const lines = [...dialogue, SEPARATOR, ...article.slice(0, -2), ...dialogue.slice(1), SEPARATOR, ...article, ...trailer];
    const lesson = parse(lines);
    expect(lesson.article).toEqual(article);
    expect(lesson.dialogue).toHaveLength(10);
  });

  it('reads three copies', () => {
    const lines = [...dialogue, SEPARATOR, ...article, ...dialogue.slice(2), SEPARATOR, ...article, ...dialogue.slice(1), SEPARATOR, ...article, ...trailer];
    expect(parse(lines)).toEqual(reference);
  });

  it('reads an export without the repetition', () => {
    expect(parse([...dialogue, SEPARATOR, ...article, ...trailer])).toEqual(reference);
  });

  it.each(['––––', '————', '——', '――――', '−−−−', '－－－－', '‐‐‐', '-–—', '────'])(
    'reads a separator retyped as a line of other dashes (%s) as the separator: it made the dialogue the article and its first turn the title',
    (dashes) => {
      expect(parse(referenceLines.map((line) => (line === SEPARATOR ? dashes : line)))).toEqual(reference);
    },
  );

  it('keeps a line of one or two short dashes, or dashes among words, in the article', () => {
    for (const paragraph of ['–', '--', '––', 'Tokyo – Osaka ––– Kyoto']) {
      expect(parse([...dialogue, SEPARATOR, paragraph, ...article, ...trailer]).article[0]).toBe(paragraph);
    }
  });

  it('reads an export without a dialogue as an article alone', () => {
    const lesson = parse([...article, ...trailer]);
    expect(lesson.dialogue).toEqual([]);
    expect(lesson.article).toEqual(article);
  });

  it('joins a wrapped dialogue line to the turn before it', () => {
    const lines = ['A: The first turn goes on', 'and on over two lines.', 'B: Short answer.', SEPARATOR, ...article, ...trailer];
    expect(parse(lines).dialogue).toEqual([
      { speaker: 'A', text: 'The first turn goes on and on over two lines.' },
      { speaker: 'B', text: 'Short answer.' },
    ]);
  });

  it('keeps colons inside a turn', () => {
    const lines = ['A: The time was 10:30: early!', SEPARATOR, ...article, ...trailer];
    expect(parse(lines).dialogue).toEqual([{ speaker: 'A', text: 'The time was 10:30: early!' }]);
  });
});

describe('Similar Readings', () => {
  it('reads "Similar Readings (0 items)" as no readings', () => {
    const lines = [...referenceLines.slice(0, similarHeader), 'Similar Readings (0 items)', ...referenceLines.slice(lineNumber(is('Summary')) - 1)];
    expect(parse(lines).similarReadings).toEqual([]);
  });

  it('reads a missing Similar Readings section as no readings', () => {
    expect(parse(dropSection(startsWith('Similar Readings'), is('Summary'))).similarReadings).toEqual([]);
  });

  it('lets the count decide: a title beginning with "Summary:" is a title', () => {
    const lines = replaceLine(is('Similar Readings (5 items)'), 'Similar Readings (6 items)');
    lines.splice(lineNumber(is('Summary')) - 1, 0, 'Summary: Yet another look at the alliance');
    const lesson = parse(lines);
    expect(lesson.similarReadings).toHaveLength(6);
    expect(lesson.similarReadings[5]).toBe('Summary: Yet another look at the alliance');
    expect(lesson.summary).toBe(reference.summary);
  });

  it('reads a header without a count up to the Summary header', () => {
    expect(parse(replaceLine(is('Similar Readings (5 items)'), 'Similar Readings')).similarReadings).toEqual(reference.similarReadings);
  });

  it('reads "Similar Readings (5)" as the header it is (it and its titles were read as the article\'s last paragraphs)', () => {
    const lesson = parse(replaceLine(is('Similar Readings (5 items)'), 'Similar Readings (5)'));
    expect(lesson.similarReadings).toEqual(reference.similarReadings);
    expect(lesson.article).toEqual(reference.article);
  });

  it('reads a count on the line after a bare header as its count, not as the first title', () => {
    expect(parse(replaceLine(is('Similar Readings (5 items)'), 'Similar Readings', '(5 items)')).similarReadings).toEqual(reference.similarReadings);
    // The count then decides, as on the header's line: a title beginning with "Summary:" is a title.
    const lines = replaceLine(is('Similar Readings (5 items)'), 'Similar Readings', '(6 items)');
    lines.splice(lineNumber(is('Summary'), lines) - 1, 0, 'Summary: Yet another look at the alliance');
    expect(parse(lines).similarReadings).toEqual([...reference.similarReadings, 'Summary: Yet another look at the alliance']);
  });

  it('reads "(1 item)" in the singular', () => {
    const lines = dropSection(startsWith('Similar Readings'), is('Summary'));
    lines.splice(lineNumber(is('Summary'), lines) - 1, 0, 'Similar Readings (1 item)', 'Only one');
    expect(parse(lines).similarReadings).toEqual(['Only one']);
  });
});

describe('Summary', () => {
  it('joins a summary spread over several lines into one paragraph', () => {
    const summaryLine = lineNumber(is('Summary'));
    const lines = [...referenceLines];
    lines.splice(summaryLine, 1, 'The defense chiefs agreed', 'to work together', '', 'in cyberspace.');
    expect(parse(lines).summary).toBe('The defense chiefs agreed to work together in cyberspace.');
  });
});

describe('Statistics', () => {
  const withStatistics = (...stats: string[]) => parse(dropSection(is('Statistics'), startsWith('ID:')).flatMap((line) => (line.startsWith('ID:') ? ['Statistics', ...stats, line] : [line])));

  it('reads the glued form 417 / Words1 / Read CountDetails', () => {
    expect(withStatistics('417', 'Words1', 'Read CountDetails').sourceStats).toEqual({ words: 417, readCount: 1 });
  });

  it('reads "417 Words" and "1 Read Count"', () => {
    expect(withStatistics('417 Words', '1 Read Count', 'Details').sourceStats).toEqual({ words: 417, readCount: 1 });
  });

  it('reads "Words: 417" and "Read Count: 1"', () => {
    expect(withStatistics('Words: 417', 'Read Count: 1').sourceStats).toEqual({ words: 417, readCount: 1 });
  });

  it('reads numbers with thousands separators', () => {
    expect(withStatistics('Words: 1,417', 'Read Count: 12').sourceStats).toEqual({ words: 1417, readCount: 12 });
  });

  it('refuses a count past what the database stores (2,147,483,647), at the section, rather than failing the import', () => {
    const refused = (...stats: string[]) => {
      try {
        withStatistics(...stats);
      } catch (error) {
        return (error as LessonParseError).problems;
      }
      throw new Error('expected a LessonParseError');
    };
    const line = lineNumber(is('Statistics'), dropSection(is('Statistics'), startsWith('ID:')).flatMap((l) => (l.startsWith('ID:') ? ['Statistics', 'x', l] : [l])));
    expect(refused('3000000000', 'Words1', 'Read CountDetails')).toEqual([
      { line, message: 'Statistics: the word count 3000000000 is more than 2147483647 (is it a typo?)' },
    ]);
    expect(refused('Words: 417', 'Read Count: 2,147,483,648')[0]?.message).toBe('Statistics: the read count 2147483648 is more than 2147483647 (is it a typo?)');
    expect(withStatistics('Words: 2,147,483,647', 'Read Count: 1').sourceStats.words).toBe(2_147_483_647);
  });

  it('counts the article itself and assumes no reads when the export has no Statistics section', () => {
    const lesson = parse(dropSection(is('Statistics'), startsWith('ID:')));
    expect(lesson.sourceStats).toEqual({ words: articleWordCount(reference), readCount: 0 });
  });
});

describe('metadata', () => {
  it('reads a missing Last Read as never read', () => {
    expect(parse(replaceLine(startsWith('Last Read:'))).sourceTimes.lastRead).toBeNull();
  });

  it.each(['Last Read:', 'Last Read: -', 'Last Read: Never'])('reads "%s" as never read', (line) => {
    expect(parse(replaceLine(startsWith('Last Read:'), line)).sourceTimes.lastRead).toBeNull();
  });

  it.each([
    ['May 31, 2025', '2025-05-31'],
    ['May 1, 2025', '2025-05-01'],
    ['Sep 3, 2025', '2025-09-03'],
    ['September 3, 2025', '2025-09-03'],
    ['2025-05-31', '2025-05-31'],
  ])('reads the date "%s" as %s', (written, iso) => {
    expect(parse(replaceLine(startsWith('Date:'), `Date: ${written}`)).date).toBe(iso);
  });

  it('reads times as UTC by default', () => {
    expect(reference.sourceTimes.created).toBe('2025-06-02T07:14:00.000Z');
  });

  it('reads times in the import time zone and converts them to UTC', () => {
    const lesson = parseExportText(referenceText, { file: 'tokyo.txt', importTimeZone: 'Asia/Tokyo' });
    expect(lesson.sourceTimes).toEqual({
      created: '2025-06-01T22:14:00.000Z',
      updated: '2025-12-07T18:51:00.000Z',
      lastRead: '2025-06-01T22:20:00.000Z',
    });
  });

  it('follows daylight saving time in the import time zone', () => {
    const lines = replaceLine(startsWith('Created:'), 'Created: 2025/07/01 12:00:30');
    expect(parse(lines, { importTimeZone: 'Europe/London' }).sourceTimes.created).toBe('2025-07-01T11:00:30.000Z');
  });

  it('matches keys without case and ignores unknown keys', () => {
    const lines = referenceLines.map((line) => (line.startsWith('Category ID:') ? 'CATEGORY id: nhk' : line));
    lines.push('Source App Version: 3.2');
    expect(parse(lines)).toEqual(reference);
  });

  it('lowercases the id', () => {
    expect(parse(replaceLine(startsWith('ID:'), 'ID: ADD8C4F2-5778-47A5-BD18-2492841FBC6E')).id).toBe(reference.id);
  });
});

describe('title', () => {
  it('uses a "Title:" first line over the derived title', () => {
    expect(parse(['Title: Allies team up online', ...referenceLines]).title).toBe('Allies team up online');
  });

  it('uses a "Title:" metadata line over the derived title', () => {
    expect(parse([...referenceLines, 'Title: Allies team up online']).title).toBe('Allies team up online');
  });

  it('cuts a long first sentence to a title of at most 256 characters', () => {
    const long = `${'The ministers talked about many things '.repeat(12)}and then went home.`;
    const lines = referenceLines.map((line) => (line === article[0] ? long : line));
    const lesson = parse(lines);
    expect(lesson.article[0]).toBe(long);
    expect(lesson.title.length).toBeLessThanOrEqual(MAX_TITLE_LENGTH);
    expect(lesson.title).toMatch(/^The ministers talked about many things .*…$/u);
  });

  it('cuts a long "Title:" line to 256 characters', () => {
    const title = parse([`Title: ${'word '.repeat(80)}`, ...referenceLines]).title;
    expect(title.length).toBeLessThanOrEqual(MAX_TITLE_LENGTH);
  });

  it.each([
    ['The U.S. and Japan agreed on Saturday. More followed.', 'The U.S. and Japan agreed on Saturday.'],
    ['Mr. Tanaka met Gen. Smith in Tokyo. They talked.', 'Mr. Tanaka met Gen. Smith in Tokyo.'],
    ['John F. Kennedy visited Berlin. Crowds cheered.', 'John F. Kennedy visited Berlin.'],
    ['Prices rose 3.5 percent in May! Economists were surprised.', 'Prices rose 3.5 percent in May!'],
    ['He said "no." Then he left.', 'He said "no."'],
  ])('does not end the first sentence at an abbreviation or a decimal: %j', (first, title) => {
    const lines = referenceLines.map((line) => (line === article[0] ? first : line));
    expect(parse(lines).title).toBe(title);
  });

  it.each([
    ['日本とアメリカは土曜日に合意しました。サイバー攻撃への対策を話し合いました。', '日本とアメリカは土曜日に合意しました。'],
    ['本当ですか？みんな驚きました。', '本当ですか？'],
    ['やった！勝ちました。', 'やった！'],
    ['「明日行きます。」と田中さんは言いました。次の日、彼は来ました。', '「明日行きます。」と田中さんは言いました。'],
    ['他说：“我们明天见。” 然后离开了。', '他说：“我们明天见。”'],
    ['中国和日本周六达成协议。双方讨论了网络安全。', '中国和日本周六达成协议。'],
    ['価格は３．５％上がりました｡専門家は驚きました｡', '価格は３．５％上がりました｡'],
  ])('ends the first sentence of a Japanese or Chinese article at 。 ！ ？: %j', (first, title) => {
    const lines = referenceLines.map((line) => (line === article[0] ? first : line));
    expect(parse(lines).title).toBe(title);
  });

  it('ends a Latin sentence as before: a full stop glued to the next word is not an end', () => {
    const lines = referenceLines.map((line) => (line === article[0] ? 'Visit example.com today. Then read on.' : line));
    expect(parse(lines).title).toBe('Visit example.com today.');
  });
});
