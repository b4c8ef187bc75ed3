import { describe, expect, it } from 'vitest';
import { createMigrator } from '../../src/db/migrate.js';
import { relatedReadings, relatedToJson } from '../../src/discovery/related.js';
import { MATCH_THRESHOLD, scoreSimilarReading } from '../../src/discovery/similar-readings.js';
import { searchLibrary } from '../../src/discovery/search.js';
import { testDatabaseTargets, useTestDatabase } from '../support/databases.js';
import {
  HELDOUT,
  HELDOUT_IDS,
  HELDOUT_NAMED,
  HELDOUT_NOT_IN_LIBRARY,
  heldoutTopic,
  importHeldoutLibrary,
} from '../support/discovery-heldout.js';

/*
 * The held-out check, on a library written for it (test/fixtures/discovery-heldout/, not the library
 * the threshold was tuned on): for every lesson, `related` lists the lessons its similar-reading titles name
 * first (in export order), never the lesson itself, and the titles naming nothing in the library last,
 * without an id; then lessons of the same topic before any other. The same whatever order the lessons came in.
 *
 * Content is compared by words, so a lesson of another topic that shares a few telling words can come
 * first: two such lessons are allowed (of 16), and named in the failure message. Known: for the tsunami
 * advisory, the Pokémon-trains lesson (its article mentions the 2011 earthquake and tsunami, and "towns" of
 * a "region") comes before the Noto lesson; for the wage talks, the Kyoto tax lesson ("raise", "pay",
 * "rate", "highest") before the yen lesson. The code before whole-text matching missed 5 of 16.
 */
const ORDERS: Record<string, readonly (readonly string[])[] | undefined> = {
  'one import': undefined,
  // The lessons that name others first, the lessons they name later: links are made backwards.
  'naming lessons first': [
    [HELDOUT.hokkaidoQuake, HELDOUT.bojRate, HELDOUT.h3Rocket, HELDOUT.kyotoTax, HELDOUT.ohtani],
    [HELDOUT.tsunamiLifted, HELDOUT.yen, HELDOUT.slim, HELDOUT.visitors, HELDOUT.worldSeries, HELDOUT.notoHousing],
    [HELDOUT.nankai, HELDOUT.consumerPrices, HELDOUT.wages, HELDOUT.ispace, HELDOUT.pokemonTrains],
  ],
  'one lesson per import, newest file last': HELDOUT_IDS.map((lessonId) => [lessonId]).reverse(),
};

/** Lessons without similar readings: the issue's own case, held to the rule without exception. */
const WITHOUT_TITLES = [HELDOUT.nankai, HELDOUT.ispace];

describe.each(testDatabaseTargets())('related readings on a held-out-like library on $kind', (target) => {
  const database = useTestDatabase(target);

  it.each(Object.entries(ORDERS))('named lessons first, never itself, then the same topic (%s)', async (_name, groups) => {
    await importHeldoutLibrary(database(), groups);
    const named: Record<string, unknown> = {};
    const expectedNamed: Record<string, unknown> = {};
    const topicMisses: string[] = [];
    for (const lessonId of HELDOUT_IDS) {
      const json = relatedToJson(await relatedReadings(database().db, lessonId));
      const names = HELDOUT_NAMED[lessonId] ?? [];
      const lessons = json.filter((entry) => entry.id !== null);
      named[lessonId] = {
        named: lessons.filter((entry) => entry.reason === 'similar-reading').map((entry) => entry.id),
        firstAreNamed: lessons.slice(0, names.length).every((entry) => entry.reason === 'similar-reading'),
        itself: json.some((entry) => entry.id === lessonId),
        notInLibrary: json.filter((entry) => entry.id === null).map((entry) => entry.title),
        libraryFirst: json.findIndex((entry) => entry.id === null) === -1 || json.slice(json.findIndex((entry) => entry.id === null)).every((entry) => entry.id === null),
      };
      expectedNamed[lessonId] = { named: names, firstAreNamed: true, itself: false, notInLibrary: HELDOUT_NOT_IN_LIBRARY[lessonId], libraryFirst: true };

      // Every same-topic lesson that is not named comes before any other topic (in the places left).
      const content = lessons.filter((entry) => entry.reason === 'content').map((entry) => entry.id as string);
      const sameTopic = HELDOUT_IDS.filter((other) => other !== lessonId && heldoutTopic(other) === heldoutTopic(lessonId) && !names.includes(other));
      const places = Math.min(sameTopic.length, 5 - names.length);
      const first = content.slice(0, places);
      if (first.length < places || first.some((other) => heldoutTopic(other) !== heldoutTopic(lessonId))) {
        topicMisses.push(`${lessonId}: ${content.join(', ')}`);
      }
    }
    expect(named).toEqual(expectedNamed);
    expect(topicMisses.filter((miss) => WITHOUT_TITLES.some((lessonId) => miss.startsWith(lessonId)))).toEqual([]);
    expect(topicMisses.length, topicMisses.join('\n')).toBeLessThanOrEqual(2);
  }, 120_000);

  it('scores titles naming a lesson above the threshold and titles naming nothing below it', async () => {
    await importHeldoutLibrary(database());
    const score = async (title: string, from: string) => (await scoreSimilarReading(database().db, title, from)) ?? { lessonId: null, score: 0 };
    // Headline against a first sentence, with "Summary:"; a word dropped; accents left out.
    expect(await score('Summary: Residents of quake-hit Noto Peninsula still living in temporary housing', HELDOUT.hokkaidoQuake)).toMatchObject({
      lessonId: HELDOUT.notoHousing,
      score: expect.closeTo(0.73, 1),
    });
    expect((await score('Bank of Japan raises interest rate to highest level in 17 years', HELDOUT.consumerPrices)).lessonId).toBe(HELDOUT.bojRate);
    expect((await score('Pokemon-themed trains draw tourists to Tohoku', HELDOUT.kyotoTax)).score).toBe(1);
    // The closest a title naming nothing comes: the visitors lesson "hit" a "record", a "new high".
    const rice = await score('Rice prices hit record high', HELDOUT.consumerPrices);
    expect(rice.score).toBeLessThan(MATCH_THRESHOLD);
    expect(rice.score).toBeGreaterThan(0.5);
    // A headline whose own words ("50th", "exclusive", "50-50", "club") are in no lesson: the lesson it names
    // is found by the words it shares, and is the best candidate, but below the threshold.
    const ohtani = await score('Ohtani hits 50th home run, joins exclusive 50-50 club', HELDOUT.worldSeries);
    expect(ohtani.lessonId).toBe(HELDOUT.ohtani);
    expect(ohtani.score).toBeLessThan(MATCH_THRESHOLD);
  });
});

describe.each(testDatabaseTargets())('whole-text word counts on $kind', (target) => {
  const database = useTestDatabase(target);
  const counts = () => database().db.selectFrom('lexeme_docs').selectAll().orderBy('lexeme').execute();

  it('imports count every word of a lesson’s text once, and a re-import or an edit keeps the counts exact', async () => {
    await importHeldoutLibrary(database(), [HELDOUT_IDS.slice(0, 7), HELDOUT_IDS.slice(7)]);
    const byLexeme = new Map((await counts()).map((row) => [row.lexeme, row]));
    expect(byLexeme.get('')).toMatchObject({ docs: 16, text_docs: 16 });
    // "tsunami": in two titles or summaries; also in the articles of the Noto, Nankai and Pokémon-train lessons.
    expect(byLexeme.get('tsunami')).toMatchObject({ docs: 2, text_docs: 5 });
    // Only in articles.
    expect(byLexeme.get('aftershock')).toMatchObject({ docs: 1, text_docs: 2 });
    const before = await counts();
    await importHeldoutLibrary(database());
    expect(await counts()).toEqual(before);
  });

  it('the migration counts a library imported before it as imports do', async () => {
    await importHeldoutLibrary(database());
    const imported = await counts();
    const migrator = createMigrator(database().db);
    expect((await migrator.migrateTo('2026-12-02-03-backlog-index')).error).toBeUndefined();
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    expect(await counts()).toEqual(imported);
  });
});

describe.each(testDatabaseTargets())('search on a held-out-like library on $kind', (target) => {
  const database = useTestDatabase(target);
  const search = async (text: string, options: Parameters<typeof searchLibrary>[2] = {}) =>
    (await searchLibrary(database().db, text, { pageSize: 20, ...options })).results.map((r) => r.id);

  it('ranks the lessons about the query first', async () => {
    await importHeldoutLibrary(database());
    const topicFirst = async (text: string, lessons: readonly string[]) => {
      const found = await search(text);
      expect(found.slice(0, lessons.length).sort(), text).toEqual([...lessons].sort());
    };
    await topicFirst('earthquake', [HELDOUT.hokkaidoQuake, HELDOUT.tsunamiLifted, HELDOUT.notoHousing, HELDOUT.nankai]);
    await topicFirst('tsunami advisory', [HELDOUT.hokkaidoQuake, HELDOUT.tsunamiLifted]);
    // Lessons with one of the words in their title or summary before one with both only in its article.
    await topicFirst('earthquake tsunami', [HELDOUT.hokkaidoQuake, HELDOUT.tsunamiLifted, HELDOUT.notoHousing, HELDOUT.nankai]);
    await topicFirst('interest rate', [HELDOUT.bojRate, HELDOUT.yen]);
    await topicFirst('moon lander', [HELDOUT.slim, HELDOUT.ispace]);
    await topicFirst('wages', [HELDOUT.wages]);
    await topicFirst('Ohtani', [HELDOUT.ohtani, HELDOUT.worldSeries]);
    await topicFirst('overtourism', [HELDOUT.kyotoTax]);
  });

  it('phrases, word starts, case and accents', async () => {
    await importHeldoutLibrary(database());
    expect(await search('POKEMON tohoku')).toEqual([HELDOUT.pokemonTrains]);
    expect(await search('pokémon TŌHOKU')).toEqual([HELDOUT.pokemonTrains]);
    expect(await search('cafe')).toEqual([HELDOUT.pokemonTrains]);
    expect((await search('overtour'))[0]).toBe(HELDOUT.kyotoTax);
    expect((await search('"tsunami advisory"')).sort()).toEqual([HELDOUT.hokkaidoQuake, HELDOUT.tsunamiLifted].sort());
    expect(await search('"advisory tsunami"')).toEqual([]);
    expect(await search('trains', { category: 'easy-news' })).toEqual([HELDOUT.pokemonTrains]);
    expect(await search('trains', { category: 'EASY-NEWS' })).toEqual([HELDOUT.pokemonTrains]);
    expect(await search('trains', { category: 'nhk' })).toEqual([]);
  });
});
