import { randomUUID } from 'node:crypto';
import type { Lesson } from '../../src/domain/lesson.js';

/** A small valid lesson for tests that are not about parsing. */
export function makeLesson(overrides: Partial<Lesson> = {}): Lesson {
  return {
    id: randomUUID(),
    category: 'nhk',
    url: 'https://www3.nhk.or.jp/nhkworld/en/news/20250531_12/',
    date: '2025-05-31',
    title: 'Japan and US agree to work together in cyberspace',
    summary: 'The defense chiefs of Japan and the United States agreed to strengthen cooperation in cyberspace.',
    article: [
      'The defense chiefs of Japan and the United States have agreed to strengthen cooperation in cyberspace.',
      'The agreement was made in a meeting in Singapore on Saturday.',
    ],
    dialogue: [
      { speaker: 'A', text: 'Hey there, buddy! Heard any interesting news lately?' },
      { speaker: 'B', text: "Not much, just the usual stuff. What's up?" },
    ],
    similarReadings: ['Japan, US defense chiefs agree to strengthen alliance'],
    sourceStats: { words: 417, readCount: 1 },
    sourceTimes: { created: '2025-06-02T07:14:00.000Z', updated: '2025-12-08T03:51:00.000Z', lastRead: null },
    ...overrides,
  };
}
