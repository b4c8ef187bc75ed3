import { describe, expect, it } from 'vitest';
import { upsertLesson } from '../../src/db/lessons.js';
import { createLessonsService, NO_MATCH } from '../../src/lessons/service.js';
import { UserError } from '../../src/user-error.js';
import { testDatabaseTargets, useTestDatabase } from '../support/databases.js';
import { makeLesson } from '../support/lessons.js';

const GUILD = '100000000000000001';
const withControls = ['\u0000', 'Japan\u0000', '\u0000add8c4f2', 'cyber\u001bspace', '\u0007', `${'a'.repeat(50)}\u0000${'b'.repeat(50)}`];

describe.each(testDatabaseTargets())('member input with control characters on $kind', (target) => {
  const db = useTestDatabase(target);
  const service = () => createLessonsService({ db: db().db, now: () => new Date('2026-03-01T12:00:00Z'), importTimeZone: 'UTC' });

  it.each(withControls.map((text) => [JSON.stringify(text), text]))('the lesson option %s gets "no such lesson", not a database error', async (_shown, text) => {
    await upsertLesson(db().db, makeLesson({ title: 'Japan and US agree to work together in cyberspace' }));
    const lookup = service().requested(GUILD, text);
    await expect(lookup).rejects.toBeInstanceOf(UserError);
    await expect(lookup).rejects.toThrow(NO_MATCH);
    await expect(service().card(GUILD, text)).rejects.toThrow(NO_MATCH);
  });

  it.each(withControls.map((text) => [JSON.stringify(text), text]))('autocomplete of %s suggests nothing, without an error', async (_shown, text) => {
    await upsertLesson(db().db, makeLesson({ title: 'Japan and US agree to work together in cyberspace' }));
    expect(await service().choices(text)).toEqual([]);
  });

  it('still finds a lesson by a title typed with tabs around it', async () => {
    const lesson = makeLesson({ title: 'Japan and US agree to work together in cyberspace' });
    await upsertLesson(db().db, lesson);
    expect((await service().requested(GUILD, '\tcyberspace\t')).lesson.id).toBe(lesson.id);
  });
});
