import { readSources } from '../../src/lessons/sources.js';
import { importLessons, parseSources } from '../../src/lessons/import.js';
import type { Lesson } from '../../src/domain/lesson.js';
import type { Database } from '../../src/db/database.js';

/**
 * The hand-made library of test/fixtures/discovery/: reading-app exports (titles are first sentences)
 * and JSON lessons (titles are headlines), about Japan–US defence talks, rice prices, and unrelated things.
 */
export const DISCOVERY_FIXTURES = 'test/fixtures/discovery';

export const LIBRARY = {
  /** Export; its similar readings name PEACE (twice: once with "Summary:"), ALLIANCE and MODERN, and one absent article. */
  cyber: 'add8c4f2-5778-47a5-bd18-2492841fbc6e',
  /** JSON, headline title. */
  peace: '2b1b7f0e-2a4d-4e5f-9a8b-1c2d3e4f5a61',
  /** Export, title is a first sentence; named by headline from CYBER; names MODERN with a word added, and an unrelated football title. */
  alliance: '3c1b7f0e-2a4d-4e5f-9a8b-1c2d3e4f5a60',
  /** JSON, headline title; names ALLIANCE with words dropped. */
  modern: '4d1b7f0e-2a4d-4e5f-9a8b-1c2d3e4f5a64',
  /** Export, no similar readings; same topic as STOCKPILE and FARMERS. */
  ricePrices: '5e1b7f0e-2a4d-4e5f-9a8b-1c2d3e4f5a62',
  farmers: '6a1b7f0e-2a4d-4e5f-9a8b-1c2d3e4f5a63',
  stockpile: '7f1b7f0e-2a4d-4e5f-9a8b-1c2d3e4f5a65',
  cherry: '8a1b7f0e-2a4d-4e5f-9a8b-1c2d3e4f5a66',
  zurich: '9b1b7f0e-2a4d-4e5f-9a8b-1c2d3e4f5a67',
  robot: '5b0e7a1c-3d2f-4e6a-9b8c-7d6e5f4a3b2c',
  ferry: '0f3c9a52-8d1e-4b7a-a6c5-2e9d8b7f6a10',
} as const;

export async function discoveryLessons(): Promise<Lesson[]> {
  const batch = parseSources(await readSources([DISCOVERY_FIXTURES]), { importTimeZone: 'UTC' });
  if (!batch.ok) throw new Error(`fixtures do not parse: ${JSON.stringify(batch.problems)}`);
  return batch.lessons.map((parsed) => parsed.lesson);
}

/** Imports the library, in one import or in the given groups of ids (each its own import, in order). */
export async function importDiscoveryLibrary(database: Pick<Database, 'db'>, groups?: readonly (readonly string[])[]): Promise<void> {
  const lessons = await discoveryLessons();
  if (!groups) {
    await importLessons(database.db, lessons);
    return;
  }
  for (const group of groups) {
    await importLessons(database.db, lessons.filter((lesson) => group.includes(lesson.id.toLowerCase())));
  }
}
