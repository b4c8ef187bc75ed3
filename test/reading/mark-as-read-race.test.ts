import { describe, expect, it } from 'vitest';
import { findLesson, upsertLesson } from '../../src/db/lessons.js';
import { createReadingService } from '../../src/reading/service.js';
import { testDatabaseTargets, useTestDatabase } from '../support/databases.js';
import { makeLesson } from '../support/lessons.js';

describe.each(testDatabaseTargets())('"Mark as read" clicked many times at once on $kind', (target) => {
  const db = useTestDatabase(target);

  it.each([8, 20])('answers "first finish" exactly once for %i parallel clicks by one member', async (clicks) => {
    const lesson = makeLesson();
    await upsertLesson(db().db, lesson);
    const stored = await findLesson(db().db, lesson.id);
    if (!stored) throw new Error('lesson not stored');
    const reading = createReadingService({ db: db().db, now: () => new Date() });
    const member = { guildId: '100000000000000001', userId: '200000000000000002' };

    const outcomes = await Promise.all(Array.from({ length: clicks }, () => reading.finished(member, stored)));
    expect(outcomes.filter((outcome) => outcome.firstFinish)).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome.firstRead)).toHaveLength(1);
    expect((await findLesson(db().db, lesson.id))?.readCount).toBe(1);

    // Later clicks are never first again.
    expect((await reading.finished(member, stored)).firstFinish).toBe(false);
  });

  it('opening the dialogue and the article many times at once counts one reader, "first read" once', async () => {
    const lesson = makeLesson();
    await upsertLesson(db().db, lesson);
    const stored = await findLesson(db().db, lesson.id);
    if (!stored) throw new Error('lesson not stored');
    const reading = createReadingService({ db: db().db, now: () => new Date() });
    const member = { guildId: '100000000000000001', userId: '200000000000000004' };

    const outcomes = await Promise.all(Array.from({ length: 12 }, (_, i) => reading.opened(member, stored, i % 2 === 0 ? 'dialogue' : 'article')));
    expect(outcomes.filter((outcome) => outcome.firstRead)).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome.firstFinish)).toHaveLength(0);
    expect((await findLesson(db().db, lesson.id))?.readCount).toBe(1);
    const row = await db().db.selectFrom('lesson_readers').selectAll().where('lesson_id', '=', lesson.id).executeTakeFirstOrThrow();
    expect(row.dialogue_read_at).not.toBeNull();
    expect(row.article_read_at).not.toBeNull();
    expect(row.finished_at).toBeNull();
    const events = await db().db.selectFrom('reading_events').select('kind').where('lesson_id', '=', lesson.id).execute();
    expect(events).toHaveLength(12);
    // Finishing afterwards is still the first finish.
    expect((await reading.finished(member, stored)).firstFinish).toBe(true);
  });

  it('a member who opened the article first still finishes exactly once under parallel clicks', async () => {
    const lesson = makeLesson();
    await upsertLesson(db().db, lesson);
    const stored = await findLesson(db().db, lesson.id);
    if (!stored) throw new Error('lesson not stored');
    const reading = createReadingService({ db: db().db, now: () => new Date() });
    const member = { guildId: '100000000000000001', userId: '200000000000000003' };
    expect((await reading.opened(member, stored, 'article')).firstRead).toBe(true);

    const outcomes = await Promise.all(Array.from({ length: 8 }, () => reading.finished(member, stored)));
    expect(outcomes.filter((outcome) => outcome.firstFinish)).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome.firstRead)).toHaveLength(0);
  });
});
