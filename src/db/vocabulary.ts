import { sql } from 'kysely';
import type { LessonLevel, VocabularyEntry } from '../domain/vocabulary/types.js';
import { LIBRARY_CHANNEL, VOCABULARY_WANTED } from './change-feed.js';
import type { Executor } from './schema.js';

export interface StoredVocabulary {
  readonly entries: readonly VocabularyEntry[];
  readonly level: LessonLevel;
  readonly contentHash: string;
  readonly lexiconVersion: string;
}

export interface VocabularyToStore {
  readonly lessonId: string;
  readonly contentHash: string;
  readonly lexiconVersion: string;
  readonly entries: readonly VocabularyEntry[];
  readonly level: LessonLevel;
}

/**
 * Replaces the vocabulary of each lesson given, in the caller's transaction: the lesson's row and words are
 * written over (upserts), and words past the new list's end deleted. Members asking for a lesson whose vocabulary
 * is missing or stale, the catch-up job and another process may write one lesson's at once: a later writer waits
 * for the first to commit, then writes over it (the last writer's rows stay, whole). With delete-then-insert the
 * later writers' inserts met the first's uncommitted rows and failed on the primary key (an apology for those
 * members). Lessons are written in id order, so two writers of several lessons never wait on each other.
 */
export async function replaceVocabularies(db: Executor, items: readonly VocabularyToStore[]): Promise<void> {
  if (items.length === 0) return;
  // One row per lesson (the last given), in id order.
  const byLesson = [...new Map(items.map((item) => [item.lessonId.toLowerCase(), item])).entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, item]) => item);
  await db
    .insertInto('lesson_vocabularies')
    .values(
      byLesson.map((item) => ({
        lesson_id: item.lessonId,
        content_hash: item.contentHash,
        lexicon_version: item.lexiconVersion,
        level: item.level.band,
        outside_2k: item.level.outside2k,
        outside_5k: item.level.outside5k,
        counted_words: item.level.words,
      })),
    )
    .onConflict((oc) =>
      oc.column('lesson_id').doUpdateSet((eb) => ({
        content_hash: eb.ref('excluded.content_hash'),
        lexicon_version: eb.ref('excluded.lexicon_version'),
        level: eb.ref('excluded.level'),
        outside_2k: eb.ref('excluded.outside_2k'),
        outside_5k: eb.ref('excluded.outside_5k'),
        counted_words: eb.ref('excluded.counted_words'),
        computed_at: sql<Date>`now()`,
      })),
    )
    .execute();
  const words = byLesson.flatMap((item) =>
    item.entries.map((entry, position) => ({
      lesson_id: item.lessonId,
      position,
      word: entry.word,
      lemma: entry.lemma,
      pos: entry.pos,
      definition: entry.definition,
      sentence: entry.sentence,
      source: entry.source,
      frequency: entry.frequency,
      distractors: JSON.stringify(entry.distractors),
    })),
  );
  // PostgreSQL takes at most 65,535 parameters a statement: 10 columns, so chunks of 5,000 rows.
  for (let start = 0; start < words.length; start += 5000) {
    await db
      .insertInto('lesson_vocabulary_words')
      .values(words.slice(start, start + 5000))
      .onConflict((oc) =>
        oc.columns(['lesson_id', 'position']).doUpdateSet((eb) => ({
          word: eb.ref('excluded.word'),
          lemma: eb.ref('excluded.lemma'),
          pos: eb.ref('excluded.pos'),
          definition: eb.ref('excluded.definition'),
          sentence: eb.ref('excluded.sentence'),
          source: eb.ref('excluded.source'),
          frequency: eb.ref('excluded.frequency'),
          distractors: eb.ref('excluded.distractors'),
        })),
      )
      .execute();
  }
  // Words a longer list stored before (this writer's or one that wrote meanwhile) are not this list's.
  const ids = byLesson.map((item) => item.lessonId);
  const counts = byLesson.map((item) => item.entries.length);
  await sql`delete from lesson_vocabulary_words w using unnest(${ids}::uuid[], ${counts}::int[]) as n(lesson_id, count)
    where w.lesson_id = n.lesson_id and w.position >= n.count`.execute(db);
}

export async function findVocabulary(db: Executor, lessonId: string): Promise<StoredVocabulary | undefined> {
  const head = await db.selectFrom('lesson_vocabularies').selectAll().where('lesson_id', '=', lessonId).executeTakeFirst();
  if (!head) return undefined;
  const rows = await db.selectFrom('lesson_vocabulary_words').selectAll().where('lesson_id', '=', lessonId).orderBy('position').execute();
  return {
    contentHash: head.content_hash,
    lexiconVersion: head.lexicon_version,
    level: { band: head.level, outside2k: head.outside_2k, outside5k: head.outside_5k, words: head.counted_words },
    entries: rows.map((row) => ({
      word: row.word,
      lemma: row.lemma,
      pos: row.pos,
      definition: row.definition,
      sentence: row.sentence,
      source: row.source,
      frequency: row.frequency,
      distractors: row.distractors,
    })),
  };
}

/** The level shown on a lesson's card, if computed. */
export async function findLevel(db: Executor, lessonId: string): Promise<LessonLevel | undefined> {
  const row = await db
    .selectFrom('lesson_vocabularies')
    .select(['level', 'outside_2k', 'outside_5k', 'counted_words'])
    .where('lesson_id', '=', lessonId)
    .executeTakeFirst();
  return row && { band: row.level, outside2k: row.outside_2k, outside5k: row.outside_5k, words: row.counted_words };
}

/** One window of the library in id order, and which of its lessons need a vocabulary. */
export interface VocabularyWindow {
  /** The window's lessons whose vocabulary is missing or stale (or all of them, with `all`). */
  readonly ids: string[];
  /** The last lesson of the window, where the next one starts; undefined when no lesson was left. */
  readonly lastScanned: string | undefined;
}

/**
 * Lessons whose vocabulary is missing, was computed for other content, or with other word lists: after an
 * interrupted import, or an upgrade of the word lists. The library is read a window of `window` lessons at a
 * time (keyset-paged by id, through the primary key), so no statement reads the whole library: a catch-up of a
 * library that needs nothing is many short statements the bot can rest between, not one long scan of every
 * lesson (0.85 s at 100,000 lessons, evicting the cache members' commands use).
 */
export async function lessonsNeedingVocabulary(
  db: Executor,
  options: { lexiconVersion: string; after?: string; window: number; all?: boolean; among?: readonly string[] },
): Promise<VocabularyWindow> {
  if (options.among?.length === 0) return { ids: [], lastScanned: undefined };
  let window = db.selectFrom('lessons').select(['lessons.id', 'lessons.content_hash']).orderBy('lessons.id').limit(options.window);
  if (options.after !== undefined) window = window.where('lessons.id', '>', options.after);
  if (options.among !== undefined) window = window.where('lessons.id', 'in', options.among);
  const rows = await db
    .selectFrom(window.as('l'))
    .leftJoin('lesson_vocabularies as v', 'v.lesson_id', 'l.id')
    .select((eb) => [
      'l.id',
      eb
        .or([eb('v.lesson_id', 'is', null), eb('v.content_hash', '<>', eb.ref('l.content_hash')), eb('v.lexicon_version', '<>', options.lexiconVersion)])
        .as('stale'),
    ])
    .orderBy('l.id')
    .execute();
  return {
    ids: rows.filter((row) => options.all === true || row.stale === true).map((row) => row.id),
    lastScanned: rows.at(-1)?.id,
  };
}

export async function countLessonsNeedingVocabulary(db: Executor, lexiconVersion: string): Promise<number> {
  const row = await db
    .selectFrom('lessons')
    .leftJoin('lesson_vocabularies as v', 'v.lesson_id', 'lessons.id')
    .select(sql<number>`count(*)::int`.as('count'))
    .where((eb) => eb.or([eb('v.lesson_id', 'is', null), eb('v.content_hash', '<>', eb.ref('lessons.content_hash')), eb('v.lexicon_version', '<>', lexiconVersion)]))
    .executeTakeFirstOrThrow();
  return row.count;
}

/**
 * Tells the bots on this database (their change feeds) that lessons were left without vocabulary for their
 * background job. Delivered at commit, to the processes listening then; a bot started later finds them at its start.
 */
export async function askForVocabularyCatchUp(db: Executor): Promise<void> {
  await sql`select pg_notify(${LIBRARY_CHANNEL}, ${VOCABULARY_WANTED})`.execute(db);
}

export interface LessonText {
  readonly id: string;
  readonly contentHash: string;
  readonly article: readonly string[];
  readonly dialogue: readonly { speaker: string; text: string }[];
}

/**
 * A lesson's content hash, or undefined when there is no such lesson: whether its stored vocabulary is current.
 * Index-only (`lessons (id) include (content_hash)`): its texts, up to 0.4 MB, are not read (lessonTexts read
 * them on every `/lesson vocab` and quiz until 2026-12-07).
 */
export async function storedContentHash(db: Executor, lessonId: string): Promise<string | undefined> {
  const row = await db.selectFrom('lessons').select('content_hash').where('id', '=', lessonId).executeTakeFirst();
  return row?.content_hash;
}

/** What vocabulary is computed from, for the lessons given (by primary key). */
export async function lessonTexts(db: Executor, ids: readonly string[]): Promise<LessonText[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('lessons').select(['id', 'content_hash', 'article', 'dialogue']).where('id', 'in', ids).orderBy('id').execute();
  return rows.map((row) => ({ id: row.id, contentHash: row.content_hash, article: row.article, dialogue: row.dialogue }));
}
