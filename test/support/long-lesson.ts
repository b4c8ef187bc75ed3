import { lessonToJson } from '../../src/domain/lesson-parser/index.js';
import { makeLesson } from './lessons.js';

/** A lesson whose article needs several pages and whose text tries to ping everyone and break markdown. */
export function longHostileLesson() {
  const paragraph = (i: number) =>
    `Paragraph ${i}: @everyone and @here should never be pinged, nor <@&123456789012345678> or <@123456789012345678>. ` +
    '**Bold?** __under__ `code` ~~strike~~ [a link](https://example.com) # not a heading. '.repeat(3) +
    'The city council met on Tuesday to discuss the new library budget and the plans for the river park.';
  return makeLesson({
    id: '7b3c8f0e-1d2a-4c5b-9e6f-0a1b2c3d4e5f',
    date: '2025-06-01',
    title: 'Council @everyone **debates** the library budget',
    summary: 'The council debated the budget. @everyone <@&123456789012345678>',
    article: Array.from({ length: 40 }, (_, i) => paragraph(i + 1)),
    dialogue: Array.from({ length: 30 }, (_, i) => ({ speaker: i % 2 === 0 ? 'A' : 'B', text: `Line ${i + 1}: did you hear about the council @here?` })),
  });
}

export function longHostileLessonJson(): string {
  return JSON.stringify(lessonToJson(longHostileLesson()), null, 2);
}
