import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { countLessons, findLesson, listLessons, newestLessonHead, upsertLesson } from '../../src/db/lessons.js';
import { countReadersInGuild, recordReading } from '../../src/db/reading.js';
import { suggestLessons } from '../../src/discovery/search.js';
import { makeLesson } from '../support/lessons.js';
import { testDatabaseTargets, useTestDatabase } from '../support/databases.js';

describe.each(testDatabaseTargets())('lesson library on $kind', (target) => {
  const db = useTestDatabase(target);

  it('stores a lesson and reads back exactly the same lesson', async () => {
    const lesson = makeLesson({ sourceTimes: { created: '2025-06-02T07:14:00.000Z', updated: '2025-12-08T03:51:00.000Z', lastRead: '2025-06-02T07:20:00.000Z' } });
    expect(await upsertLesson(db().db, lesson)).toBe('imported');
    const stored = await findLesson(db().db, lesson.id);
    expect(stored?.lesson).toEqual(lesson);
    expect(stored?.articleWords).toBe(16 + 11);
    expect(stored?.dialogueWords).toBe(8 + 8);
    expect(stored?.readCount).toBe(0);
  });

  it('re-importing the same lesson is unchanged, a changed one is updated in place', async () => {
    const lesson = makeLesson();
    await upsertLesson(db().db, lesson);
    expect(await upsertLesson(db().db, { ...lesson })).toBe('unchanged');
    expect(await upsertLesson(db().db, { ...lesson, summary: 'A better summary.' })).toBe('updated');
    expect(await countLessons(db().db)).toBe(1);
    expect((await findLesson(db().db, lesson.id))?.lesson.summary).toBe('A better summary.');
  });

  it("a re-export where only the reading app's Read Count or Last Read changed is unchanged, its statistics stored", async () => {
    const lesson = makeLesson({ sourceStats: { words: 417, readCount: 1 }, sourceTimes: { created: '2025-06-02T07:14:00.000Z', updated: '2025-06-02T07:14:00.000Z', lastRead: null } });
    await upsertLesson(db().db, lesson);
    const hash = () => db().db.selectFrom('lessons').select(['content_hash', 'updated_at']).where('id', '=', lesson.id).executeTakeFirstOrThrow();
    const before = await hash();
    const reread = { ...lesson, sourceStats: { words: 417, readCount: 3 }, sourceTimes: { ...lesson.sourceTimes, lastRead: '2026-12-07T21:05:00.000Z' } };
    expect(await upsertLesson(db().db, reread)).toBe('unchanged');
    expect((await findLesson(db().db, lesson.id))?.lesson).toEqual(reread);
    // The content's fingerprint, which the vocabulary and the matched titles go by, is the same.
    expect(await hash()).toEqual(before);
    expect(await upsertLesson(db().db, { ...reread, sourceTimes: { ...reread.sourceTimes, lastRead: null } })).toBe('unchanged');
    expect((await findLesson(db().db, lesson.id))?.lesson.sourceTimes.lastRead).toBeNull();
    expect(await upsertLesson(db().db, { ...reread, summary: 'A better summary.', sourceStats: { words: 417, readCount: 4 } })).toBe('updated');
    expect((await hash()).content_hash).not.toBe(before.content_hash);
  });

  it('a re-import never loses reading data recorded after the first import', async () => {
    const lesson = makeLesson();
    await upsertLesson(db().db, lesson);
    const at = new Date('2026-01-02T03:04:05.000Z');
    await db().db.transaction().execute((trx) =>
      recordReading(trx, { lessonId: lesson.id, guildId: '1', userId: '2', kind: 'article', at }),
    );
    await upsertLesson(db().db, { ...lesson, title: 'New title' });
    const stored = await findLesson(db().db, lesson.id);
    expect(stored?.readCount).toBe(1);
    expect(stored?.lastReadAt?.toISOString()).toBe(at.toISOString());
    expect(await countReadersInGuild(db().db, lesson.id, '1')).toBe(1);
  });

  it('a read leaves the lesson row itself untouched (its counters live in lesson_read_totals)', async () => {
    const lesson = makeLesson();
    await upsertLesson(db().db, lesson);
    // A row version's xmin is the transaction that wrote it: rewriting the wide lesson row on every read
    // added a version to each of its indexes, the GIN ones included.
    const version = () => sql<{ xmin: string }>`select xmin::text as xmin from lessons where id = ${lesson.id}`.execute(db().db);
    const before = (await version()).rows[0]?.xmin;
    for (const [userId, kind] of [['u1', 'dialogue'], ['u1', 'finished'], ['u2', 'article']] as const) {
      await db().db.transaction().execute((trx) => recordReading(trx, { lessonId: lesson.id, guildId: 'g1', userId, kind, at: new Date() }));
    }
    expect((await version()).rows[0]?.xmin).toBe(before);
    expect((await findLesson(db().db, lesson.id))?.readCount).toBe(2);
  });

  it('counts members, not clicks', async () => {
    const lesson = makeLesson();
    await upsertLesson(db().db, lesson);
    const read = (userId: string, kind: 'dialogue' | 'article' | 'finished', at: string) =>
      db().db.transaction().execute((trx) =>
        recordReading(trx, { lessonId: lesson.id, guildId: 'g1', userId, kind, at: new Date(at) }),
      );
    expect((await read('u1', 'dialogue', '2026-01-01T00:00:00Z')).firstRead).toBe(true);
    expect((await read('u1', 'dialogue', '2026-01-01T00:00:01Z')).firstRead).toBe(false);
    expect((await read('u1', 'article', '2026-01-01T00:00:02Z')).firstRead).toBe(false);
    expect((await read('u1', 'finished', '2026-01-01T00:00:03Z')).firstFinish).toBe(true);
    expect((await read('u1', 'finished', '2026-01-01T00:00:04Z')).firstFinish).toBe(false);
    await read('u2', 'article', '2026-01-01T00:00:05Z');
    const stored = await findLesson(db().db, lesson.id);
    expect(stored?.readCount).toBe(2);
    expect(stored?.lastReadAt?.toISOString()).toBe('2026-01-01T00:00:05.000Z');
    expect(await countReadersInGuild(db().db, lesson.id, 'g1')).toBe(2);
    expect(await countReadersInGuild(db().db, lesson.id, 'other')).toBe(0);
  });

  it('finds the newest lesson by article date and suggests lessons by the words typed', async () => {
    expect(await newestLessonHead(db().db)).toBeUndefined();
    await upsertLesson(db().db, makeLesson({ date: '2025-05-30', title: 'Rice prices rise again' }));
    const newest = makeLesson({ date: '2025-06-01', title: 'Cherry blossoms 100% early_bird' });
    await upsertLesson(db().db, newest);
    await upsertLesson(db().db, makeLesson({ date: '2025-05-29', title: 'Prices of cherries fall' }));
    expect((await newestLessonHead(db().db))?.lesson.id).toBe(newest.id);
    expect((await listLessons(db().db, { limit: 2 })).map((l) => l.date)).toEqual(['2025-06-01', '2025-05-30']);
    const suggest = (typed: string, limit = 25) => suggestLessons(db().db, typed, limit);
    // Whole words or their starts, any case, titles first, then newest.
    expect((await suggest('PRICES')).map((l) => l.title)).toEqual(['Rice prices rise again', 'Prices of cherries fall']);
    expect((await suggest('cherr blossom')).map((l) => l.id)).toEqual([newest.id]);
    // Punctuation is no search: nothing typed means the newest lessons.
    expect((await suggest('%')).map((l) => l.id)[0]).toBe(newest.id);
    expect(await suggest('_bird')).toHaveLength(1);
    expect((await suggest(newest.id.slice(0, 8))).map((l) => l.id)).toEqual([newest.id]);
    expect(await suggest('', 2)).toHaveLength(2);
  });

  it('an unknown or malformed id is simply not found', async () => {
    expect(await findLesson(db().db, 'not-a-uuid')).toBeUndefined();
    expect(await findLesson(db().db, '00000000-0000-4000-8000-000000000000')).toBeUndefined();
  });
});
