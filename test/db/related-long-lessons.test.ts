import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLibrary, prng } from '../../bench/library-generator.js';
import { BATCH_TIMEOUTS } from '../../src/db/timeouts.js';
import { relatedReadings } from '../../src/discovery/related.js';
import type { Lesson } from '../../src/domain/lesson.js';
import { importLessons } from '../../src/lessons/import.js';
import { testDatabaseTargets, type TestDatabase } from '../support/databases.js';
import { makeLesson } from '../support/lessons.js';

/**
 * A lesson near the format's limits (a ~190,000-character article) holds most words of the language, so its
 * article has nearly every word any other lesson is about. Related readings must not list it beside every lesson
 * for that: a word only in a candidate's article counts less the more distinct words that article has. Where it
 * is related (its title on the lesson's topic, or the only other lesson with the lesson's rare words) it is still
 * listed. So for a summary near its limit (20,000 characters): its words count less the more distinct words the
 * title and summary have, in related readings and in matching similar-reading titles (it was in 60 of 60 lists, as
 * the match of headlines naming no lesson of the library, or for its content). The library: generated lessons of
 * ordinary length (bench/library-generator.ts, 20 topics), imported as any library is, with lessons near the
 * limits written from every word of it.
 */
const LESSONS = 300;
/** Ordinary lessons whose related readings are looked at (every 5th). */
const SAMPLED = Array.from({ length: LESSONS / 5 }, (_, i) => i * 5);
/** Made-up words no generated lesson has: one ordinary lesson and the off-topic long lesson's article share them. */
const RARE = ['zorblaxine', 'quintaveery', 'mellifontus'];

/** About `characters` characters of words drawn evenly from `words`, in paragraphs of ~1,000. */
function longArticle(words: readonly string[], characters: number, seed: number): string[] {
  const random = prng(seed);
  const paragraphs: string[] = [];
  for (let length = 0; length < characters; ) {
    const paragraph: string[] = [];
    for (let size = 0; size < 1_000; ) {
      const word = words[Math.floor(random() * words.length)]!;
      paragraph.push(word);
      size += word.length + 1;
    }
    paragraphs.push(`${paragraph.join(' ')}.`);
    length += 1_000;
  }
  return paragraphs;
}

describe.each(testDatabaseTargets())('related readings beside lessons near the format’s limits on $kind', (target) => {
  const library = generateLibrary({ lessons: LESSONS });
  const lessons = Array.from({ length: LESSONS }, (_, index) => library.lesson(index));
  /** Every word of the library's lessons: the language the long lessons are written in. */
  const language = [
    ...new Set(lessons.flatMap((lesson) => `${lesson.summary} ${lesson.article.join(' ')}`.toLowerCase().match(/\p{L}+/gu) ?? [])),
  ].sort();
  // The topic lesson's headline: its topic's name, a function word, its own event words and a topic word.
  const topicLesson = lessons[7]!;
  const headline = library.headlines[7]!.split(' ');

  /** Off topic: its title and summary are words of no lesson; its article holds the library's words and RARE. */
  const offTopic: Lesson = makeLesson({
    date: '2026-01-02',
    title: 'An unusually long feature',
    summary: 'A feature of unusual length.',
    article: [...longArticle(language, 190_000, 1), `The ${RARE.join(' and the ')}.`],
    similarReadings: [],
  });
  /** On the topic lesson's topic: its title has the topic's name and two of the lesson's own words (not its headline). */
  const onTopic: Lesson = makeLesson({
    date: '2026-01-01',
    title: `A long read: ${headline[0]} ${headline[1]} ${headline[3]}`,
    summary: 'A feature of unusual length.',
    article: longArticle(language, 190_000, 2),
    similarReadings: [],
  });
  /** Off topic too, near the summary's limit (20,000 characters): its summary holds ~19,000 characters of the library's words. */
  const longSummary: Lesson = makeLesson({
    date: '2026-01-03',
    title: 'A summary of unusual length',
    summary: longArticle(language, 19_000, 3).join(' '),
    article: ['A short article.'],
    similarReadings: [],
  });
  /** An ordinary lesson about RARE: the off-topic long lesson is the only other with those words. */
  const rareLesson: Lesson = makeLesson({
    date: '2024-06-01',
    title: `The ${RARE[0]} and the ${RARE[1]}`,
    summary: `A ${RARE[2]} of ${RARE[0]}.`,
    article: [`The ${RARE[1]} and the ${RARE[2]}.`],
    similarReadings: [],
  });

  let database: TestDatabase;
  const relatedIds = async (lessonId: string) => (await relatedReadings(database.db, lessonId)).lessons.map((lesson) => lesson.id);

  beforeAll(async () => {
    database = await target.open({ timeouts: BATCH_TIMEOUTS });
    await importLessons(database.db, [...lessons, offTopic, onTopic, longSummary, rareLesson]);
    await sql`analyze`.execute(database.db);
  }, 300_000);
  afterAll(async () => {
    await database?.close();
  });

  it('the long lessons hold most words of the library (what the tests below are about)', async () => {
    const { rows } = await sql<{ id: string; words: number }>`
      select id, length(search_vector) as words from lessons where id in (${offTopic.id}, ${onTopic.id}, ${topicLesson.id})`.execute(database.db);
    const words = Object.fromEntries(rows.map((row) => [row.id, Number(row.words)]));
    const library = await sql<{ n: number }>`select count(*)::int as n from lexeme_docs where lexeme <> '' and text_docs >= 2`.execute(database.db);
    expect(words[offTopic.id]).toBeGreaterThan(0.9 * Number(library.rows[0]!.n));
    expect(words[onTopic.id]).toBeGreaterThan(0.9 * Number(library.rows[0]!.n));
    expect(words[topicLesson.id]).toBeLessThan(300);
  });

  it('is not among the related readings of lessons it shares only article words with', async () => {
    const listing: number[] = [];
    for (const index of SAMPLED) {
      if ((await relatedIds(lessons[index]!.id)).includes(offTopic.id)) listing.push(index);
    }
    expect(listing).toEqual([]);
  });

  it('a summary near its limit is not among the related readings of lessons it shares only its summary’s words with, nor their similar readings’ match', async () => {
    const listing: number[] = [];
    for (const index of SAMPLED) {
      if ((await relatedIds(lessons[index]!.id)).includes(longSummary.id)) listing.push(index);
    }
    expect(listing).toEqual([]);
  });

  it('is among them when its title is on the lesson’s topic', async () => {
    const related = await relatedReadings(database.db, topicLesson.id);
    expect(related.lessons.find((lesson) => lesson.id === onTopic.id)).toMatchObject({ reason: 'content' });
    expect(related.lessons.map((lesson) => lesson.id)).not.toContain(offTopic.id);
  });

  it('is among them when it is the only other lesson with the lesson’s words', async () => {
    expect(await relatedIds(rareLesson.id)).toEqual([offTopic.id]);
  });
});
