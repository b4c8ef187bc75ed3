import { describe, expect, it } from 'vitest';
import { upsertLesson } from '../../src/db/lessons.js';
import type { LessonPoster } from '../../src/delivery/poster.js';
import { createDeliveryService } from '../../src/delivery/service.js';
import { createLessonsService } from '../../src/lessons/service.js';
import { UserError } from '../../src/user-error.js';
import { testDatabaseTargets, useTestDatabase } from '../support/databases.js';
import { makeLesson } from '../support/lessons.js';

const GUILD = '100000000000000001';
const now = () => new Date('2026-03-01T12:00:00Z');

/** Planning, unplanning and previewing never post (a post fails the test); they only forget a card built ahead. */
const unusedPoster = {
  post: () => {
    throw new Error('nothing is posted here');
  },
  forgetPrepared: () => undefined,
} as unknown as LessonPoster;

describe.each(testDatabaseTargets())('dates moderators type, on $kind', (target) => {
  const db = useTestDatabase(target);
  const service = () => {
    const lessons = createLessonsService({ db: db().db, now, importTimeZone: 'UTC' });
    return createDeliveryService({ db: db().db, now, lessons, poster: unusedPoster });
  };

  const outOfRange = ['0000-01-01', '1999-12-31', '2101-01-01', '9999-12-31'];

  it.each(outOfRange)('unplan %s gets a clear message, not a database error', async (date) => {
    const unplan = service().unplan(GUILD, date);
    await expect(unplan).rejects.toBeInstanceOf(UserError);
    await expect(unplan).rejects.toThrow(`"${date}" is outside the dates I handle (years 2000–2100), for example 2026-03-01.`);
  });

  it.each([
    ['constructor', 'constructor'],
    ['__proto__', '\\_\\_proto\\_\\_'], // shown Markdown-escaped
    ['toString', 'toString'],
  ])('unplan %s (a name every object answers to) is refused as not a date', async (date, shown) => {
    const unplan = service().unplan(GUILD, date);
    await expect(unplan).rejects.toBeInstanceOf(UserError);
    await expect(unplan).rejects.toThrow(`"${shown}" is not a date: use YYYY-MM-DD, for example 2026-03-01.`);
  });

  it.each(outOfRange)('preview %s gets a clear message, not a database error', async (date) => {
    await upsertLesson(db().db, makeLesson());
    await expect(service().preview(GUILD, date)).rejects.toThrow(/is outside the dates I handle/u);
  });

  it.each(['2101-01-01', '9999-12-31'])('plan %s gets a clear message, not a database error', async (date) => {
    const lesson = makeLesson();
    await upsertLesson(db().db, lesson);
    await expect(service().plan(GUILD, { date, lesson: lesson.id, plannedBy: '3' })).rejects.toThrow(/is outside the dates I handle/u);
  });

  it.each([
    ['2026-02-30', 'is not a day of the calendar'],
    ['2026-13-01', 'is not a day of the calendar'],
    ['01/03/2026', 'is not a date: use YYYY-MM-DD'],
    ['**bold**', 'is not a date: use YYYY-MM-DD'],
  ])('%s is refused: %s', async (date, reason) => {
    await expect(service().unplan(GUILD, date)).rejects.toThrow(reason);
  });

  it('escapes what the moderator typed in the message', async () => {
    await expect(service().unplan(GUILD, '`@everyone')).rejects.toThrow('"\\`@\u200beveryone" is not a date');
  });

  it('/schedule set echoes a hostile time zone or time escaped', () => {
    expect(() => service().postingTime('07:30', '[click me](http://evil.example) @everyone')).toThrow(
      '"\\[click me\\](http://evil.example) @\u200beveryone" is not a time zone I know',
    );
    expect(() => service().postingTime('**7**', 'UTC')).toThrow('"\\*\\*7\\*\\*" is not a time');
  });

  it.each([
    ['-1', '-001-01-01'],
    ['a NUL', '2026-03-0\u0000'],
    ['year 10000', '10000-01-01'],
  ])('a date with %s gets a clear message on unplan, preview and plan', async (_what, date) => {
    const lesson = makeLesson();
    await upsertLesson(db().db, lesson);
    await expect(service().unplan(GUILD, date)).rejects.toBeInstanceOf(UserError);
    await expect(service().preview(GUILD, date)).rejects.toBeInstanceOf(UserError);
    await expect(service().plan(GUILD, { date, lesson: lesson.id, plannedBy: '3' })).rejects.toBeInstanceOf(UserError);
  });

  it.each([0, 26, 1_000_000_000, 2.5])('/schedule upcoming with %s days (a forged interaction) gets a clear message', async (days) => {
    await expect(service().upcoming(GUILD, days)).rejects.toThrow('Ask for 1 to 25 days.');
  });

  it('accepts the first and last supported days', async () => {
    expect(await service().unplan(GUILD, '2000-01-01')).toEqual({ day: '2000-01-01', removed: false, passed: true });
    expect(await service().unplan(GUILD, '2100-12-31')).toEqual({ day: '2100-12-31', removed: false });
  });
});
