import { describe, expect, it } from 'vitest';
import { LESSON_LIMITS } from '../../../src/domain/lesson.js';
import { LessonParseError, lessonToJson, parseExportText, parseLessonJson } from '../../../src/domain/lesson-parser/index.js';
import { MAX_EXPORT_LINES } from '../../../src/domain/lesson-parser/lines.js';
import { is, lineNumber, referenceLines, REFERENCE_FILE, referenceText } from '../../fixtures/lessons/reference.js';

const reference = parseExportText(referenceText, { file: REFERENCE_FILE });

function problemsOf(parse: () => unknown): readonly { line: number; message: string }[] {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(LessonParseError);
    return (error as LessonParseError).problems;
  }
  return [];
}

/** A paragraph of `characters` characters of words (what the limits count). */
const paragraphOf = (characters: number): string => 'word '.repeat(Math.ceil(characters / 5)).slice(0, characters).trimEnd().padEnd(characters, 'x');

const SEPARATOR_LINE = referenceLines.findIndex((line) => /^-{4,}$/u.test(line)) + 1;

describe('a lesson over the limits of its parts is refused, naming the part, its size, the limit and the line', () => {
  const article = LESSON_LIMITS.article;

  it('in the text export: an article of the limit is read; one character more is refused at its first line', () => {
    // The reference's body: its dialogue, a separator, its article (then copies): the first article gets a paragraph.
    const withParagraph = (characters: number) => {
      const lines = [...referenceLines];
      lines.splice(SEPARATOR_LINE, 0, paragraphOf(characters));
      return lines.join('\n');
    };
    const own = reference.article.reduce((sum, paragraph) => sum + paragraph.length, 0);
    expect(parseExportText(withParagraph(article - own), { file: 'long.txt' }).article.join('').length).toBe(article);
    expect(problemsOf(() => parseExportText(withParagraph(article - own + 1), { file: 'long.txt' }))).toEqual([
      {
        line: SEPARATOR_LINE + 1,
        message: `the article is 200,001 characters long; a lesson's article may hold at most 200,000 (split it into several lessons)`,
      },
    ]);
  });

  it('in the text export: a dialogue, a summary or a list of similar readings over its limit, each on its own line', () => {
    const lines = [...referenceLines];
    const summaryHeader = lineNumber(is('Summary'));
    lines[summaryHeader] = paragraphOf(LESSON_LIMITS.summary + 1);
    const similarHeader = lines.findIndex((line) => line.startsWith('Similar Readings')) + 1;
    const titles = Array.from({ length: LESSON_LIMITS.similarReadings + 1 }, (_, i) => `Headline number ${i}`);
    lines.splice(similarHeader - 1, 6, `Similar Readings (${titles.length} items)`, ...titles);
    lines[0] = `A: ${paragraphOf(LESSON_LIMITS.dialogue + 1)}`;
    const problems = problemsOf(() => parseExportText(lines.join('\n'), { file: 'long.txt' }));
    expect(problems).toEqual([
      { line: 1, message: expect.stringMatching(/^the dialogue is 2\d\d,\d{3} characters long; a lesson's dialogue may hold at most 200,000 /u) },
      { line: similarHeader, message: '101 similar readings; a lesson may list at most 100' },
      { line: summaryHeader + titles.length - 5, message: expect.stringMatching(/^the summary is 20,\d{3} characters long; a lesson's summary may hold at most 20,000 /u) },
    ]);
  });

  it('in the text export: similar readings without a count are counted too', () => {
    const lines = [...referenceLines];
    const similarHeader = lines.findIndex((line) => line.startsWith('Similar Readings')) + 1;
    const titles = Array.from({ length: 150 }, (_, i) => `Headline number ${i}`);
    lines.splice(similarHeader - 1, 6, 'Similar Readings', ...titles);
    expect(problemsOf(() => parseExportText(lines.join('\n'), { file: 'long.txt' }))).toEqual([
      { line: similarHeader, message: '150 similar readings; a lesson may list at most 100' },
    ]);
    lines.splice(similarHeader, 150, ...titles.slice(0, LESSON_LIMITS.similarReadings));
    expect(parseExportText(lines.join('\n'), { file: 'long.txt' }).similarReadings).toHaveLength(100);
  });

  it('in JSON: each part over its limit, at the line of its key', () => {
    const json = lessonToJson(reference);
    const text = JSON.stringify(
      {
        ...json,
        summary: paragraphOf(LESSON_LIMITS.summary + 1),
        article: [paragraphOf(article / 2), paragraphOf(article / 2 + 1)],
        dialogue: [{ speaker: 'A', text: paragraphOf(LESSON_LIMITS.dialogue + 1) }],
        similarReadings: Array.from({ length: 101 }, (_, i) => `Headline ${i}`),
      },
      null,
      2,
    );
    const lineOf = (key: string) => text.split('\n').findIndex((line) => line.startsWith(`  "${key}"`)) + 1;
    expect(problemsOf(() => parseLessonJson(text, { file: 'long.json' }))).toEqual([
      { line: lineOf('summary'), message: expect.stringMatching(/^summary: the summary is 20,001 characters long; a lesson's summary may hold at most 20,000 /u) },
      { line: lineOf('article'), message: expect.stringMatching(/^article: the article is 200,001 characters long/u) },
      { line: lineOf('dialogue'), message: expect.stringMatching(/^dialogue: the dialogue is 200,001 characters long/u) },
      { line: lineOf('similarReadings'), message: 'similarReadings: 101 similar readings; a lesson may list at most 100' },
    ]);
  });

  it('in JSON: parts at their limits are read', () => {
    const json = lessonToJson(reference);
    const lesson = {
      ...json,
      summary: paragraphOf(LESSON_LIMITS.summary),
      article: [paragraphOf(article)],
      dialogue: [{ speaker: 'A', text: paragraphOf(LESSON_LIMITS.dialogue) }],
      similarReadings: Array.from({ length: 100 }, (_, i) => `Headline ${i}`),
    };
    const [parsed] = parseLessonJson(JSON.stringify(lesson), { file: 'long.json' });
    expect(parsed?.article[0]).toHaveLength(article);
    expect(parsed?.similarReadings).toHaveLength(100);
  });

  it('a similar-reading title longer than a headline can be, on its own line, in both formats', () => {
    const max = LESSON_LIMITS.similarReadingTitle;
    const lines = [...referenceLines];
    const similarHeader = lines.findIndex((line) => line.startsWith('Similar Readings')) + 1;
    lines[similarHeader + 1] = paragraphOf(max + 1);
    expect(problemsOf(() => parseExportText(lines.join('\n'), { file: 'long.txt' }))).toEqual([
      { line: similarHeader + 2, message: `similar reading 2 is 1,001 characters long; a similar-reading title may hold at most 1,000` },
    ]);
    lines[similarHeader + 1] = paragraphOf(max);
    expect(parseExportText(lines.join('\n'), { file: 'long.txt' }).similarReadings[1]).toHaveLength(max);

    const json = JSON.stringify({ ...lessonToJson(reference), similarReadings: ['Short', paragraphOf(max + 1)] }, null, 2);
    const itemLine = json.split('\n').findIndex((line) => line.startsWith('    "word word')) + 1;
    expect(problemsOf(() => parseLessonJson(json, { file: 'long.json' }))).toEqual([
      { line: itemLine, message: expect.stringMatching(/^similarReadings\[1\]: is 1,001 characters long; a similar-reading title may hold at most 1,000$/u) },
    ]);
  });

  it('a category id over 100 characters (and, in JSON, a speaker name), on its line', () => {
    const category = lineNumber((line) => line.startsWith('Category ID:'));
    const withCategory = (id: string) => [...referenceLines.slice(0, category - 1), `Category ID: ${id}`, ...referenceLines.slice(category)].join('\n');
    expect(parseExportText(withCategory('c'.repeat(100)), { file: 'long.txt' }).category).toHaveLength(100);
    expect(problemsOf(() => parseExportText(withCategory('c'.repeat(101)), { file: 'long.txt' }))).toEqual([
      { line: category, message: expect.stringMatching(/^Category ID: expected a category id such as nhk, of at most 100 characters, found "c+…"$/u) },
    ]);

    const json = JSON.stringify({ ...lessonToJson(reference), category: 'c'.repeat(101), dialogue: [{ speaker: 's'.repeat(101), text: 'Hello.' }] }, null, 2);
    const lineOf = (needle: string) => json.split('\n').findIndex((line) => line.includes(needle)) + 1;
    expect(problemsOf(() => parseLessonJson(json, { file: 'long.json' }))).toEqual([
      { line: lineOf('"category"'), message: 'category: must be at most 100 characters' },
      { line: lineOf('"speaker"'), message: 'dialogue[0].speaker: must be at most 100 characters' },
    ]);
    const atLimit = JSON.stringify({ ...lessonToJson(reference), category: 'c'.repeat(100), dialogue: [{ speaker: 's'.repeat(100), text: 'Hello.' }] });
    expect(parseLessonJson(atLimit, { file: 'long.json' })[0]?.dialogue[0]?.speaker).toHaveLength(100);
  });

  it('a category is counted in characters in both formats, so both take the same lessons (emoji are one each)', () => {
    const category = lineNumber((line) => line.startsWith('Category ID:'));
    const withCategory = (id: string) => [...referenceLines.slice(0, category - 1), `Category ID: ${id}`, ...referenceLines.slice(category)].join('\n');
    const flags = '🎌'.repeat(60);
    expect(parseExportText(withCategory(flags), { file: 'flags.txt' }).category).toBe(flags);
    expect(parseLessonJson(JSON.stringify({ ...lessonToJson(reference), category: flags }), { file: 'flags.json' })[0]?.category).toBe(flags);
    // Over the limit, the excerpt in the message never ends in half an emoji.
    const [problem] = problemsOf(() => parseExportText(withCategory('🎌'.repeat(101)), { file: 'flags.txt' }));
    expect(problem?.message).toMatch(/at most 100 characters, found "🎌+…"$/u);
    expect(problem?.message).not.toMatch(/\p{Cs}/u);
  });

  it('a text export of more than 50,000 lines (blank ones too) is refused at the first line over, before it is split', () => {
    // The reference has no final line break: n more line breaks make it referenceLines.length + n lines.
    const withLines = (total: number, lineBreak = '\n') => referenceLines.join(lineBreak) + lineBreak.repeat(total - referenceLines.length);
    expect(parseExportText(withLines(MAX_EXPORT_LINES), { file: 'long.txt' }).id).toBe(reference.id);
    const refusal = { line: MAX_EXPORT_LINES + 1, message: "more than 50,000 lines; a lesson export has a few dozen (is this one lesson's export?)" };
    expect(problemsOf(() => parseExportText(withLines(MAX_EXPORT_LINES + 1), { file: 'long.txt' }))).toEqual([refusal]);
    // CRLF and lone CR each end one line, as the line numbers of every other message count them.
    expect(parseExportText(withLines(MAX_EXPORT_LINES, '\r\n'), { file: 'long.txt' }).id).toBe(reference.id);
    expect(problemsOf(() => parseExportText(withLines(MAX_EXPORT_LINES + 1, '\r'), { file: 'long.txt' }))).toEqual([refusal]);
    // So do NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR.
    for (const lineEnd of ['\u0085', '\u2028', '\u2029']) {
      expect(parseExportText(withLines(MAX_EXPORT_LINES, lineEnd), { file: 'long.txt' }).id).toBe(reference.id);
      expect(problemsOf(() => parseExportText(withLines(MAX_EXPORT_LINES + 1, lineEnd), { file: 'long.txt' }))).toEqual([refusal]);
    }
    // 10 MiB of one-character lines.
    expect(problemsOf(() => parseExportText('a\n'.repeat(5_000_000), { file: 'long.txt' }))).toEqual([refusal]);
  });
});
