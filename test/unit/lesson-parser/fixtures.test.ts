import { describe, expect, it } from 'vitest';
import { articleWordCount } from '../../../src/domain/lesson.js';
import { parseLessonFile } from '../../../src/domain/lesson-parser/index.js';
import { readFixture } from '../../fixtures/lessons/reference.js';

const parseFixture = (name: string) => {
  const lessons = parseLessonFile(readFixture(name), { file: name });
  expect(lessons).toHaveLength(1);
  return lessons[0]!;
};

describe('hand-made exports', () => {
  it('reads named speakers, no repetition, 0 similar readings, a two-line summary and no Last Read', () => {
    const lesson = parseFixture('ken-yuki-library-robot.txt');
    expect(lesson).toMatchObject({
      id: '5b0e7a1c-3d2f-4e6a-9b8c-7d6e5f4a3b2c',
      category: 'easy-news',
      url: 'https://example.com/news/2025/09/03/library-robot',
      date: '2025-09-03',
      title: 'City library lends a robot that reads picture books aloud',
      similarReadings: [],
      sourceStats: { words: 76, readCount: 0 },
      sourceTimes: { created: '2025-09-04T09:05:00.000Z', updated: '2025-09-04T09:05:00.000Z', lastRead: null },
    });
    expect(lesson.dialogue.map((turn) => turn.speaker)).toEqual(['Ken', 'Yuki', 'Ken', 'Yuki', 'Ken']);
    expect(lesson.dialogue[2]?.text).toBe("That's it. They have a robot now: it reads picture books to kids on Saturdays.");
    expect(lesson.article).toHaveLength(4);
    expect(lesson.summary).toBe(
      'A city library in Tokyo now offers free Saturday sessions in which a small robot reads picture books aloud to children. Staff hope it will help shy children enjoy reading.',
    );
  });

  it('reads a CRLF export with a wrapped turn, tabs, blank lines, lower-case keys and a partial second copy', () => {
    const lesson = parseFixture('ferry-crlf-wrapped-turn.txt');
    expect(lesson.dialogue).toHaveLength(4);
    expect(lesson.dialogue[0]).toEqual({ speaker: 'A', text: 'Did you hear the ferry to the island is running again?' });
    expect(lesson.dialogue[2]).toEqual({
      speaker: 'A',
      text: 'Yes, the pier was damaged, and repairs took almost two months because the parts had to come from the mainland.',
    });
    expect(lesson.article).toEqual([
      'Ferry services between Port Ellis and Gull Island resumed on Monday after a two-month break.',
      "A storm in July damaged the island's only pier, forcing the operator to suspend all sailings.",
      'Island residents had relied on a small water taxi to reach jobs, schools and the hospital on the mainland.',
      'The operator says the new pier is built to withstand stronger waves.',
    ]);
    expect(lesson.similarReadings).toEqual(['Storm damage closes island pier', 'Summary: Water taxis fill the gap for island commuters']);
    expect(lesson.summary).toBe(
      "Ferries between Port Ellis and Gull Island are running again after a storm damaged the island's pier in July. Residents had used water taxis in the meantime.",
    );
    expect(lesson).toMatchObject({
      id: '0f3c9a52-8d1e-4b7a-a6c5-2e9d8b7f6a10',
      category: 'local',
      date: '2025-08-18',
      title: 'Ferry services between Port Ellis and Gull Island resumed on Monday after a two-month break.',
      sourceStats: { words: 71, readCount: 2 },
      sourceTimes: { created: '2025-08-19T21:40:05.000Z', updated: '2025-08-20T06:02:00.000Z', lastRead: null },
    });
  });

  it('reads an article-only export without Similar Readings or Statistics', () => {
    const lesson = parseFixture('article-only-no-stats.txt');
    expect(lesson.dialogue).toEqual([]);
    expect(lesson.article).toHaveLength(3);
    expect(lesson.similarReadings).toEqual([]);
    expect(lesson.sourceStats).toEqual({ words: articleWordCount(lesson), readCount: 0 });
    expect(lesson).toMatchObject({
      url: 'http://example.net/rivermead-oaks',
      date: '2025-05-01',
      title: 'Volunteers planted 1,200 oak saplings along the Rivermead canal on Saturday, the first stage of a plan to shade the towpath.',
      sourceTimes: { created: '2025-05-02T10:00:00.000Z', updated: '2025-05-03T11:30:00.000Z', lastRead: null },
    });
  });
});
