import { describe, expect, it } from 'vitest';
import { parseExportText, parseLessonFile } from '../../../src/domain/lesson-parser/index.js';
import { is, lineNumber, REFERENCE_FILE, referenceLines, referenceText } from '../../fixtures/lessons/reference.js';

const SEPARATOR = '----------------';
const firstSeparator = lineNumber(is(SEPARATOR)) - 1;
const secondSeparator = referenceLines.indexOf(SEPARATOR, firstSeparator + 1);
const similarHeader = lineNumber(is('Similar Readings (5 items)')) - 1;
const summaryHeader = lineNumber(is('Summary')) - 1;

/** What the file itself says, read without the parser. */
const fileDialogue = referenceLines.slice(0, firstSeparator);
const fileArticle = referenceLines.slice(secondSeparator + 1, similarHeader);
const fileSimilar = referenceLines.slice(similarHeader + 1, summaryHeader);

describe('the reference export', () => {
  const lesson = parseExportText(referenceText, { file: REFERENCE_FILE });

  it('reads the metadata', () => {
    expect(lesson.id).toBe('add8c4f2-5778-47a5-bd18-2492841fbc6e');
    expect(lesson.category).toBe('nhk');
    expect(lesson.url).toBe('https://www3.nhk.or.jp/nhkworld/en/news/20250531_12/');
    expect(lesson.date).toBe('2025-05-31');
  });

  it('keeps the complete first copy of the dialogue: 11 turns alternating A and B', () => {
    expect(lesson.dialogue).toHaveLength(11);
    expect(lesson.dialogue[0]).toEqual({ speaker: 'A', text: 'Hey there, buddy! Heard any interesting news lately?' });
    lesson.dialogue.forEach((turn, index) => expect(turn.speaker).toBe(index % 2 === 0 ? 'A' : 'B'));
    expect(lesson.dialogue.map((turn) => `${turn.speaker}: ${turn.text}`)).toEqual(fileDialogue);
  });

  it('reads the 9 article paragraphs, one per line', () => {
    expect(lesson.article).toHaveLength(9);
    expect(lesson.article).toEqual(fileArticle);
    expect(lesson.article[0]).toBe('The defense chiefs of Japan and the United States have agreed to strengthen cooperation in cyberspace.');
  });

  it('takes exactly the 5 announced similar readings, the fourth beginning with "Summary:"', () => {
    expect(lesson.similarReadings).toHaveLength(5);
    expect(lesson.similarReadings).toEqual(fileSimilar);
    expect(lesson.similarReadings[3]).toBe('Summary: Japan, US defense chiefs agree to work for peace and stability in Indo-Pacific');
  });

  it('reads the summary after the Summary header', () => {
    expect(lesson.summary).toBe(referenceLines[summaryHeader + 1]);
    expect(lesson.summary).toMatch(/^The defense chiefs of Japan and the United States agreed .* in Singapore on Saturday\.$/u);
  });

  it('reads the glued statistics as 417 words and 1 read', () => {
    expect(lesson.sourceStats).toEqual({ words: 417, readCount: 1 });
  });

  it('converts the times to UTC ISO strings', () => {
    expect(lesson.sourceTimes).toEqual({
      created: '2025-06-02T07:14:00.000Z',
      updated: '2025-12-08T03:51:00.000Z',
      lastRead: '2025-06-02T07:20:00.000Z',
    });
  });

  it("derives the title from the article's first sentence", () => {
    expect(lesson.title).toBe('The defense chiefs of Japan and the United States have agreed to strengthen cooperation in cyberspace.');
  });

  it('parses to the same lesson through parseLessonFile', () => {
    expect(parseLessonFile(referenceText, { file: REFERENCE_FILE })).toEqual([lesson]);
  });
});
