import { describe, expect, it } from 'vitest';
import { librarySize } from '../../src/db/lexeme-docs.js';
import { recordReading } from '../../src/db/reading.js';
import { relatedReadings, relatedToJson } from '../../src/discovery/related.js';
import { scoreSimilarReading, MATCH_THRESHOLD } from '../../src/discovery/similar-readings.js';
import { importLessons } from '../../src/lessons/import.js';
import { testDatabaseTargets, useTestDatabase } from '../support/databases.js';
import { discoveryLessons, importDiscoveryLibrary, LIBRARY } from '../support/discovery-library.js';
import { makeLesson } from '../support/lessons.js';

const ids = (related: Awaited<ReturnType<typeof relatedReadings>>) => related.lessons.map((lesson) => lesson.id);

describe.each(testDatabaseTargets())('related readings on $kind', (target) => {
  const database = useTestDatabase(target);

  it('puts the lessons the similar readings name first, even one stored under its first sentence, once each and never itself', async () => {
    await importDiscoveryLibrary(database());
    const related = await relatedReadings(database().db, LIBRARY.cyber);
    const named = related.lessons.filter((lesson) => lesson.reason === 'similar-reading').map((lesson) => lesson.id);
    // Export order: peace, alliance (its title is "Japan's defense minister welcomed …"), peace again ("Summary:" prefix), modern.
    expect(named).toEqual([LIBRARY.peace, LIBRARY.alliance, LIBRARY.modern]);
    // Content matches, if any, only after every named lesson.
    const reasons = related.lessons.map((lesson) => lesson.reason);
    expect(reasons).toEqual([...reasons].sort((a, b) => (a === b ? 0 : a === 'similar-reading' ? -1 : 1)));
    expect(ids(related)).not.toContain(LIBRARY.cyber);
    expect(new Set(ids(related)).size).toBe(ids(related).length);
    expect(related.lessons.length).toBeLessThanOrEqual(5);
    expect(related.notInLibrary).toEqual(['Japan, US defense chiefs agree to strengthen alliance under Trump administration']);
  });

  it('leaves out a similar-reading title that is the lesson’s own title (it is in the library: it is this lesson)', async () => {
    const lesson = makeLesson({ title: 'Tokyo opens a new river park', similarReadings: ['Tokyo opens a new river park', 'TOKYO OPENS A NEW RIVER PARK', 'Osaka builds a harbour bridge'] });
    await importLessons(database().db, [lesson]);
    expect((await relatedReadings(database().db, lesson.id)).notInLibrary).toEqual(['Osaka builds a harbour bridge']);
  });

  it('lists a headline the export gives twice, spelt two ways ("… rise." and "“… rise”"), once under Not in the library', async () => {
    const lesson = makeLesson({ similarReadings: ['Rice prices rise.', '“Rice prices rise”', 'Summary: rice prices rise', 'Osaka builds a harbour bridge'] });
    await importLessons(database().db, [lesson]);
    expect((await relatedReadings(database().db, lesson.id)).notInLibrary).toEqual(['Rice prices rise.', 'Osaka builds a harbour bridge']);
    // Stored twice by an import before the rule (rows written as it wrote them): still listed once.
    await database().db.insertInto('similar_readings').values({ lesson_id: lesson.id, position: 9, title: 'Rice prices rise!', lexemes: ['rice', 'price', 'rise'] }).execute();
    expect((await relatedReadings(database().db, lesson.id)).notInLibrary).toEqual(['Rice prices rise.', 'Osaka builds a harbour bridge']);
  });

  it('matches a near title (a word added, or words dropped), and an unrelated title matches nothing', async () => {
    await importDiscoveryLibrary(database());
    // "Japan, US officials discuss modernized alliance plans" names "Japan, US officials discuss 'modernized alliance'".
    const fromAlliance = await relatedReadings(database().db, LIBRARY.alliance);
    expect(fromAlliance.lessons[0]).toMatchObject({ id: LIBRARY.modern, reason: 'similar-reading' });
    expect(fromAlliance.notInLibrary).toEqual(['Brazil celebrates football World Cup victory with parade']);
    // "Defense chiefs of Japan and US reinforce alliance" names the alliance lesson, stored under its first sentence.
    const fromModern = await relatedReadings(database().db, LIBRARY.modern);
    expect(fromModern.lessons[0]).toMatchObject({ id: LIBRARY.alliance, reason: 'similar-reading' });
    const unrelated = await scoreSimilarReading(database().db, 'Summary: Brazil celebrates football World Cup victory with parade', LIBRARY.alliance);
    expect(unrelated?.score ?? 0).toBeLessThan(MATCH_THRESHOLD);
  });

  it('without similar readings, lessons on the same topic come before anything unrelated', async () => {
    await importDiscoveryLibrary(database());
    const related = await relatedReadings(database().db, LIBRARY.ricePrices);
    expect(related.notInLibrary).toEqual([]);
    expect(related.lessons.every((lesson) => lesson.reason === 'content')).toBe(true);
    const rice = [LIBRARY.farmers, LIBRARY.stockpile];
    expect(ids(related).slice(0, 2).sort()).toEqual([...rice].sort());
    expect(ids(related)).not.toContain(LIBRARY.ricePrices);
    // Lessons sharing fewer telling words (defence talks, robots, ferries) may fill the list, after them.
    expect(related.lessons.length).toBeLessThanOrEqual(5);
  });

  it('a lesson imported later is linked from the lessons imported before that name it', async () => {
    await importDiscoveryLibrary(database(), [[LIBRARY.cyber, LIBRARY.robot], [LIBRARY.peace], [LIBRARY.alliance, LIBRARY.modern]]);
    const related = await relatedReadings(database().db, LIBRARY.cyber);
    expect(related.lessons.filter((l) => l.reason === 'similar-reading').map((l) => l.id)).toEqual([
      LIBRARY.peace,
      LIBRARY.alliance,
      LIBRARY.modern,
    ]);
    expect(related.notInLibrary).toHaveLength(1);
  });

  it('an import written a lesson at a time stores the same titles, links and word counts as in one batch', async () => {
    const { db } = database();
    const stored = async () => ({
      titles: await db.selectFrom('similar_readings').selectAll().orderBy('lesson_id').orderBy('position').execute(),
      docs: await db.selectFrom('lexeme_docs').selectAll().orderBy('lexeme').execute(),
    });
    // A title may name a lesson of a later batch: every title is matched once every lesson is written.
    expect(await importLessons(db, await discoveryLessons(), { batchSize: 1 })).toEqual({ imported: 11, updated: 0, unchanged: 0 });
    const oneAtATime = await stored();
    expect(oneAtATime.titles.filter((title) => title.matched_lesson_id !== null).length).toBeGreaterThanOrEqual(5);
    await database().truncate();
    await importLessons(db, await discoveryLessons());
    expect(await stored()).toEqual(oneAtATime);
  });

  it('a title several lessons list is matched for each of them as alone: never to its own lesson, in any order and batching', async () => {
    const { db } = database();
    const lessons = await discoveryLessons();
    const peace = lessons.find((lesson) => lesson.id === LIBRARY.peace);
    if (!peace) throw new Error('no peace lesson');
    // The peace lesson's title, listed by the peace lesson itself (the best candidate for it is then
    // excepted) and by two others (it names the peace lesson).
    const listing: string[] = [LIBRARY.peace, LIBRARY.cyber, LIBRARY.robot];
    const shared = lessons.map((lesson) =>
      listing.includes(lesson.id) ? { ...lesson, similarReadings: [peace.title, ...lesson.similarReadings] } : lesson,
    );
    const stored = () =>
      db.selectFrom('similar_readings').select(['lesson_id', 'position', 'matched_lesson_id', 'score']).orderBy('lesson_id').orderBy('position').execute();
    const runs: Awaited<ReturnType<typeof stored>>[] = [];
    for (const [order, batchSize] of [
      [shared, 250],
      [[...shared].reverse(), 250],
      [shared, 1],
      [[...shared].reverse(), 1],
    ] as const) {
      await database().truncate();
      await importLessons(db, order, { batchSize });
      runs.push(await stored());
    }
    for (const run of runs.slice(1)) expect(run).toEqual(runs[0]);
    // Each as matched alone (scoreSimilarReading: one title, no other lesson's result at hand).
    const first = (rows: Awaited<ReturnType<typeof stored>>, lessonId: string) => rows.find((row) => row.lesson_id === lessonId && row.position === 0);
    for (const lessonId of listing) {
      const alone = await scoreSimilarReading(db, peace.title, lessonId);
      const expected = alone && alone.score >= MATCH_THRESHOLD ? alone.lessonId : null;
      expect(first(runs[0] ?? [], lessonId)?.matched_lesson_id ?? null).toBe(expected);
    }
    expect(first(runs[0] ?? [], LIBRARY.cyber)?.matched_lesson_id).toBe(LIBRARY.peace);
    expect(first(runs[0] ?? [], LIBRARY.peace)?.matched_lesson_id).not.toBe(LIBRARY.peace);
  });

  it('a re-import keeps the links and does not count words twice', async () => {
    await importDiscoveryLibrary(database());
    const before = relatedToJson(await relatedReadings(database().db, LIBRARY.ricePrices));
    await importLessons(database().db, await discoveryLessons());
    const edited = (await discoveryLessons()).map((lesson) =>
      lesson.id === LIBRARY.cyber ? { ...lesson, summary: `${lesson.summary} Updated.` } : lesson,
    );
    await importLessons(database().db, edited);
    expect(relatedToJson(await relatedReadings(database().db, LIBRARY.ricePrices))).toEqual(before);
    expect(await librarySize(database().db)).toBe(11);
    const rice = await database().db.selectFrom('lexeme_docs').select('docs').where('lexeme', '=', 'rice').executeTakeFirst();
    expect(rice?.docs).toBe(3);
    expect(ids(await relatedReadings(database().db, LIBRARY.cyber)).slice(0, 3)).toEqual([LIBRARY.peace, LIBRARY.alliance, LIBRARY.modern]);
  });

  it('read marks are per member: this member’s reads, in this server, only', async () => {
    await importDiscoveryLibrary(database());
    const read = (guildId: string, userId: string, lessonId: string) =>
      database().db.transaction().execute((trx) => recordReading(trx, { lessonId, guildId, userId, kind: 'article', at: new Date() }));
    await read('g1', 'u1', LIBRARY.alliance);
    await read('g1', 'u2', LIBRARY.peace);
    await read('g2', 'u1', LIBRARY.modern);
    const marks = async (guildId: string, userId: string) =>
      Object.fromEntries((await relatedReadings(database().db, LIBRARY.cyber, { guildId, userId })).lessons.map((l) => [l.id, l.read]));
    expect(await marks('g1', 'u1')).toMatchObject({ [LIBRARY.alliance]: true, [LIBRARY.peace]: false, [LIBRARY.modern]: false });
    expect(await marks('g1', 'u2')).toMatchObject({ [LIBRARY.alliance]: false, [LIBRARY.peace]: true, [LIBRARY.modern]: false });
    expect(await marks('g2', 'u1')).toMatchObject({ [LIBRARY.alliance]: false, [LIBRARY.peace]: false, [LIBRARY.modern]: true });
  });

  it('the JSON entries: library lessons best first, then titles not in the library with null id and date', async () => {
    await importDiscoveryLibrary(database());
    const json = relatedToJson(await relatedReadings(database().db, LIBRARY.cyber));
    expect(json[0]).toEqual({
      id: LIBRARY.peace,
      title: 'Japan, US defense chiefs agree to work for peace and stability in Indo-Pacific',
      date: '2025-03-30',
      reason: 'similar-reading',
    });
    expect(json.at(-1)).toEqual({
      id: null,
      title: 'Japan, US defense chiefs agree to strengthen alliance under Trump administration',
      date: null,
      reason: 'similar-reading',
    });
  });
});
