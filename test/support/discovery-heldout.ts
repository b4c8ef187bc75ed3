import type { Database } from '../../src/db/database.js';
import type { Lesson } from '../../src/domain/lesson.js';
import { importLessons, parseSources } from '../../src/lessons/import.js';
import { readSources } from '../../src/lessons/sources.js';

/**
 * A second hand-made library (test/fixtures/discovery-heldout/), written the way the held-out
 * check describes one: 16 lessons on five topics, exports (stored under their article's first sentence)
 * and JSON lessons (stored under their headline), whose similar-reading titles name other lessons by their
 * headline, with and without "Summary:", with a word added or dropped, accents left out, the lesson
 * itself, same-topic articles that are not in the library, and titles naming nothing at all.
 */
export const HELDOUT_FIXTURES = 'test/fixtures/discovery-heldout';

const id = (code: string) => `c0a80101-0001-4a00-8000-00000000${code}`;

export const HELDOUT = {
  // Earthquakes and tsunamis.
  /** Export: "A strong earthquake with a magnitude of 6.9 struck off the coast of eastern Hokkaido …". */
  hokkaidoQuake: id('0e01'),
  tsunamiLifted: id('0e02'),
  /** Export: "More than a year after the powerful earthquake on New Year's Day, …". */
  notoHousing: id('0e03'),
  /** JSON, no similar readings. */
  nankai: id('0e04'),
  // Economy.
  /** Export: "Japan's central bank has decided to raise its short-term policy rate to 0.5 percent.". */
  bojRate: id('0b01'),
  yen: id('0b02'),
  /** Export: "Consumer prices in Japan, excluding fresh food, rose 3.2 percent …"; one title names itself. */
  consumerPrices: id('0b03'),
  wages: id('0b04'),
  // Space.
  h3Rocket: id('0501'),
  /** Export: "Japan's space agency says its small moon lander has survived …"; one title names itself. */
  slim: id('0502'),
  /** Export, no similar readings. */
  ispace: id('0503'),
  // Tourism.
  /** Export: "The city of Kyoto plans to increase the tax it charges hotel guests, …". */
  kyotoTax: id('0701'),
  visitors: id('0702'),
  /** JSON, category easy-news, "Pokémon-themed trains draw tourists to Tōhoku". */
  pokemonTrains: id('0703'),
  // Baseball.
  /** Export: "Los Angeles Dodgers star Shohei Ohtani has become the first player …". */
  ohtani: id('0901'),
  /** JSON; one title names itself with words dropped. */
  worldSeries: id('0902'),
} as const;

export type HeldoutLesson = (typeof HELDOUT)[keyof typeof HELDOUT];

/** What each lesson's similar-reading titles name in the library, in export order (a lesson named twice once). */
export const HELDOUT_NAMED: Record<HeldoutLesson, readonly string[]> = {
  [HELDOUT.hokkaidoQuake]: [HELDOUT.tsunamiLifted, HELDOUT.notoHousing, HELDOUT.nankai],
  [HELDOUT.tsunamiLifted]: [HELDOUT.hokkaidoQuake],
  [HELDOUT.notoHousing]: [HELDOUT.nankai, HELDOUT.hokkaidoQuake],
  [HELDOUT.nankai]: [],
  [HELDOUT.bojRate]: [HELDOUT.yen, HELDOUT.consumerPrices, HELDOUT.wages],
  [HELDOUT.yen]: [HELDOUT.bojRate],
  [HELDOUT.consumerPrices]: [HELDOUT.bojRate],
  [HELDOUT.wages]: [HELDOUT.consumerPrices, HELDOUT.bojRate],
  [HELDOUT.h3Rocket]: [HELDOUT.slim, HELDOUT.ispace],
  [HELDOUT.slim]: [HELDOUT.h3Rocket],
  [HELDOUT.ispace]: [],
  [HELDOUT.kyotoTax]: [HELDOUT.visitors, HELDOUT.pokemonTrains],
  [HELDOUT.visitors]: [HELDOUT.kyotoTax],
  [HELDOUT.pokemonTrains]: [HELDOUT.kyotoTax],
  [HELDOUT.ohtani]: [HELDOUT.worldSeries],
  [HELDOUT.worldSeries]: [HELDOUT.ohtani],
};

/** The titles that name nothing in the library (absent articles, other subjects, or the lesson itself). */
export const HELDOUT_NOT_IN_LIBRARY: Record<HeldoutLesson, readonly string[]> = {
  [HELDOUT.hokkaidoQuake]: ['Strong quake jolts Taiwan, several buildings collapse'],
  [HELDOUT.tsunamiLifted]: ['Hokkaido town holds evacuation drill for tsunami'],
  [HELDOUT.notoHousing]: ['Volunteers help clean up after floods in Noto'],
  [HELDOUT.nankai]: [],
  [HELDOUT.bojRate]: ['US Federal Reserve keeps interest rates unchanged'],
  [HELDOUT.yen]: ['Yen falls to 34-year low against dollar'],
  [HELDOUT.consumerPrices]: ["Japan's core consumer prices rise 3.2% in January", 'Rice prices hit record high'],
  [HELDOUT.wages]: [],
  [HELDOUT.h3Rocket]: ['SpaceX Starship explodes during test flight'],
  [HELDOUT.slim]: ['Japanese lunar lander SLIM wakes up after second lunar night'],
  [HELDOUT.ispace]: [],
  [HELDOUT.kyotoTax]: ['Mount Fuji to introduce climbing fee', 'Brazil wins Copa América'],
  [HELDOUT.visitors]: [],
  [HELDOUT.pokemonTrains]: [],
  [HELDOUT.ohtani]: ['Ohtani named MVP for third time'],
  [HELDOUT.worldSeries]: ['Dodgers win the World Series'],
};

/** The topic of a lesson: its id's second-to-last byte. */
export const heldoutTopic = (lessonId: string): string => lessonId.slice(-4, -2);

export const HELDOUT_IDS = Object.values(HELDOUT) as HeldoutLesson[];

export async function heldoutLessons(): Promise<Lesson[]> {
  const batch = parseSources(await readSources([HELDOUT_FIXTURES]), { importTimeZone: 'UTC' });
  if (!batch.ok) throw new Error(`fixtures do not parse: ${JSON.stringify(batch.problems)}`);
  return batch.lessons.map((parsed) => parsed.lesson);
}

/** Imports the library in one import, or in the given groups of ids (each its own import, in order). */
export async function importHeldoutLibrary(database: Pick<Database, 'db'>, groups?: readonly (readonly string[])[]): Promise<void> {
  const lessons = await heldoutLessons();
  if (!groups) {
    await importLessons(database.db, lessons);
    return;
  }
  for (const group of groups) await importLessons(database.db, lessons.filter((lesson) => group.includes(lesson.id)));
}
