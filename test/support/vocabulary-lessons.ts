import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lesson } from '../../src/domain/lesson.js';
import { parseLessonFile } from '../../src/domain/lesson-parser/index.js';
import { referenceText } from '../fixtures/lessons/reference.js';
import { makeLesson } from './lessons.js';

/** The reference export, parsed. */
export function referenceLesson(): Lesson {
  const [lesson] = parseLessonFile(referenceText, { file: 'reference.txt', importTimeZone: 'UTC' });
  if (!lesson) throw new Error('reference lesson did not parse');
  return lesson;
}

/** Names everywhere: mid-sentence, at the start of sentences, days, places, titles, and numbers in words and digits. */
export const namesLesson = makeLesson({
  id: '0b7f3c2e-8a41-4d6e-9c55-2f1e7d9a0c11',
  title: 'Ministers meet in Singapore',
  article: [
    'Hegseth met Nakatani in Singapore on Saturday to discuss the fragile ceasefire and the contentious tariffs.',
    'Nakatani told reporters in Tokyo that fifteen negotiators had drafted a provisional memorandum over 1,200 pages long.',
    'Hegseth said the Pentagon would scrutinize the memorandum before Wednesday, while Kiyoshi Ishiba praised the diligent diplomats.',
    'Albanese, visiting from Canberra in February, called the accord a watershed and urged both delegations to reciprocate.',
  ],
  dialogue: [
    { speaker: 'Ken', text: 'Did you see that Hegseth flew to Singapore again?' },
    { speaker: 'Yuki', text: 'Yes! Nakatani looked exhausted, but the accord sounds like a breakthrough.' },
  ],
});

/** Inflected rare words: plurals, past tenses, -ing forms, comparatives, and a sentence-initial rare word. */
export const formsLesson = makeLesson({
  id: '5c2d9e71-3b8f-4a06-b1d4-7e6f0a9c2b33',
  title: 'Beekeepers rescue hives',
  article: [
    'Beekeepers in the valley salvaged dozens of waterlogged hives after torrential rains inundated the orchards.',
    'Volunteers were meticulously scraping mildew from the honeycombs and replenishing the depleted colonies.',
    'Agronomists cautioned that the wetter spring had exacerbated fungal blights on the sturdiest apple trees.',
    'Pollination rebounded quickly, and growers reckoned the harvest would be bountiful despite the setbacks.',
  ],
  dialogue: [
    { speaker: 'A', text: 'I heard the bees survived the floods. Isn’t that astonishing?' },
    { speaker: 'B', text: 'Totally! The beekeepers worked tirelessly to dry out the hives.' },
  ],
});

/** A lesson with very few content words: the list is shorter than 8, never padded with names or numbers. */
export const tinyLesson = makeLesson({
  id: '9e8d7c6b-5a49-4382-a1f0-e9d8c7b6a543',
  title: 'Tokyo on Monday',
  article: ['On Monday, Tanaka went to Tokyo with 3 friends.', 'They ate sushi and admired the lanterns.'],
  dialogue: [{ speaker: 'A', text: 'Tanaka went to Tokyo!' }],
});

export const handMadeLessons = [namesLesson, formsLesson, tinyLesson];

/** Every sentence the lesson has (article paragraphs and dialogue turns), to check that a sentence is the lesson's, word for word. */
export function lessonText(lesson: Lesson): string {
  return [...lesson.article, ...lesson.dialogue.map((turn) => turn.text)].join('\n');
}

/** Hand-made exports of test/fixtures/vocabulary/: politics with many names, sport, science, economy, hyphens and contractions, acronyms, demonyms, a plain one. */
export const VOCABULARY_FIXTURES = 'test/fixtures/vocabulary';

export function fixtureLessons(): { name: string; lesson: Lesson }[] {
  return readdirSync(VOCABULARY_FIXTURES)
    .filter((file) => file.endsWith('.txt'))
    .sort()
    .map((file) => {
      const [lesson] = parseLessonFile(readFileSync(join(VOCABULARY_FIXTURES, file), 'utf8'), { file, importTimeZone: 'UTC' });
      if (!lesson) throw new Error(`${file} did not parse`);
      return { name: file.replace(/\.txt$/u, ''), lesson };
    });
}
