import { readFileSync } from 'node:fs';
import { formatProblem, importLessons } from '../../src/lessons/import.js';
import { describe, expect, it } from 'vitest';
import { countLessons, upsertLesson } from '../../src/db/lessons.js';
import { countReadersInGuild } from '../../src/db/reading.js';
import { saveSchedule } from '../../src/db/schedules.js';
import { lessonToJson } from '../../src/domain/lesson-parser/index.js';
import { createLessonsService, EMPTY_LIBRARY, IMPORT_NOT_HERE, LESSON_GONE, NO_MATCH, noText, UPLOAD_IMPORT_BATCH } from '../../src/lessons/service.js';
import { UserError } from '../../src/user-error.js';
import { testDatabaseTargets, useTestDatabase } from '../support/databases.js';
import { makeLesson } from '../support/lessons.js';
import { recordQueries } from '../support/query-plans.js';
import { createServiceHarness } from '../support/services.js';

const GUILD = '100000000000000001';
const OTHER_GUILD = '100000000000000002';
const REFERENCE = 'examples/lessons/nhk-2025-05-31-japan-us-cyber.txt';

describe.each(testDatabaseTargets())('lessons and reading services on $kind', (target) => {
  const database = useTestDatabase(target);

  async function setUp() {
    const db = database().db;
    const library = [
      makeLesson({ date: '2025-01-01', title: 'Old ferry lesson' }),
      makeLesson({ date: '2025-03-01', title: 'Newest robot lesson', similarReadings: ['Old ferry lesson', 'Not in the library'] }),
      makeLesson({ date: '2025-02-01', title: 'Middle ferry lesson' }),
    ];
    for (const lesson of library) await upsertLesson(db, lesson);
    const harness = createServiceHarness(db, '2026-05-02T12:00:00Z');
    return { db, library, ...harness, ...harness.services };
  }

  const userError = async (promise: Promise<unknown>) => {
    const error = await promise.then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    return (error as UserError).message;
  };

  describe('today’s lesson', () => {
    it('without a schedule is the newest lesson by article date', async () => {
      const { library: [, newest], lessons: service } = await setUp();
      expect((await service.today(GUILD)).lesson.id).toBe(newest!.id);
    });

    it('with a schedule is the day’s choice: the queue’s head before the post, the posted one after', async () => {
      const { db, library: [oldest, , middle], lessons: service, poster, services } = await setUp();
      await saveSchedule(db, { guildId: GUILD, channelId: '2', postTime: '09:00', timeZone: 'UTC', roleId: null, createThread: false }, new Date('2026-01-01T00:00:00Z'));
      expect((await service.today(GUILD)).lesson.id).toBe(oldest!.id);
      await services.delivery.plan(GUILD, { date: '2026-05-02', lesson: middle!.id, plannedBy: 'mod' });
      expect((await service.today(GUILD)).lesson.id).toBe(middle!.id);
      await poster.post(await services.delivery.requireSchedule(GUILD), '2026-05-02', 0);
      await services.delivery.unplan(GUILD, '2026-05-02');
      expect((await service.today(GUILD)).lesson.id).toBe(middle!.id);
      // Another server without a schedule still gets the newest.
      expect((await service.today(OTHER_GUILD)).lesson.title).toBe('Newest robot lesson');
    });

    it('with an empty library explains how moderators add lessons', async () => {
      const { db, lessons: service } = await setUp();
      await db.deleteFrom('lessons').execute();
      expect(await userError(service.today(GUILD))).toBe(EMPTY_LIBRARY);
    });

    it('its card counts this server’s readers only', async () => {
      const { library: [, newest], lessons: service, reading } = await setUp();
      const stored = await service.byId(newest!.id);
      await reading.opened({ guildId: GUILD, userId: 'u1' }, stored, 'dialogue');
      await reading.opened({ guildId: GUILD, userId: 'u1' }, stored, 'article');
      await reading.opened({ guildId: OTHER_GUILD, userId: 'u2' }, stored, 'article');
      expect((await service.todaysCard(GUILD)).readers).toBe(1);
    });
  });

  describe('lookup', () => {
    it('finds by id in either case, or by a title that matches one lesson', async () => {
      const { library: [oldest, newest], lessons: service } = await setUp();
      expect((await service.requested(GUILD, oldest!.id.toUpperCase())).lesson.id).toBe(oldest!.id);
      expect((await service.requested(GUILD, '  robot ')).lesson.id).toBe(newest!.id);
      expect((await service.requested(GUILD, undefined)).lesson.id).toBe(newest!.id);
    });

    it('explains an unknown id, no match and several matches', async () => {
      const { lessons: service } = await setUp();
      const id = '00000000-0000-4000-8000-000000000000';
      expect(await userError(service.requested(GUILD, id))).toBe(`There is no lesson with the ID \`${id}\`.`);
      expect(await userError(service.requested(GUILD, 'volcano'))).toMatch(/^No lesson matches that/u);
      expect(await userError(service.requested(GUILD, 'ferry'))).toMatch(/^More than one lesson matches that/u);
      expect(await userError(service.byId(id))).toBe(LESSON_GONE);
    });

    it('takes a whole title typed, case and accents aside, even where it begins another title; two of that title are told', async () => {
      const { lessons: service, db } = await setUp();
      const short = makeLesson({ date: '2025-04-01', title: 'Rice prices' });
      const longer = makeLesson({ date: '2025-05-01', title: 'Rice prices hit a record high' });
      const accented = makeLesson({ date: '2025-04-02', title: 'Café owners in Kyōto' });
      for (const lesson of [short, longer, accented]) await upsertLesson(db, lesson);
      // Typed, not picked: every word of the short title begins the longer one's too.
      expect((await service.requested(GUILD, 'Rice prices')).lesson.id).toBe(short.id);
      expect((await service.requested(GUILD, '  RICE PRICES ')).lesson.id).toBe(short.id);
      expect((await service.requested(GUILD, 'cafe owners in kyoto')).lesson.id).toBe(accented.id);
      await upsertLesson(db, makeLesson({ date: '2025-06-01', title: 'Rice prices' }));
      expect(await userError(service.requested(GUILD, 'rice prices'))).toBe('More than one lesson has that title. Pick one from the list: it shows their dates.');
    });

    it('matches no lesson for typed text that names none (no word, no ID), where suggestions offer the newest', async () => {
      const { lessons: service } = await setUp();
      for (const typed of ['%%%%%%%%', '!!! ::: &&&', '"" OR 1=1 --', 'a', '----', '--a-', '------------------------------------']) {
        expect(await userError(service.requested(GUILD, typed)), typed).toBe(NO_MATCH);
      }
      // The suggestions for such text are the newest lessons, to pick from.
      expect((await service.choices('%%%%')).length).toBeGreaterThan(1);
    });

    it('suggests at most 25 lessons, each name within 100 characters', async () => {
      const { db, lessons: service } = await setUp();
      for (let i = 0; i < 30; i++) await upsertLesson(db, makeLesson({ title: `Ferry ${i} ${'very long words '.repeat(8)}`.slice(0, 150) }));
      const choices = await service.choices('ferry');
      expect(choices).toHaveLength(25);
      for (const choice of choices) expect(choice.name.length).toBeLessThanOrEqual(100);
      expect(choices.some((choice) => choice.name.endsWith('…'))).toBe(true);
    });

    it('while the database is busy, autocomplete suggests nothing instead of querying; once it is not, it suggests again', async () => {
      const { db } = await setUp();
      let busy = true;
      const service = createLessonsService({ db, now: () => new Date('2026-05-02T12:00:00Z'), importTimeZone: 'UTC', databaseBusy: () => busy });
      expect(await service.choices('ferry')).toEqual([]);
      busy = false;
      expect((await service.choices('ferry')).map((choice) => choice.name).sort()).toEqual(['2025-01-01 · Old ferry lesson', '2025-02-01 · Middle ferry lesson']);
    });

    it('while the database is busy, date and category autocomplete suggest nothing instead of querying, as lesson titles do; once it is not, they suggest again', async () => {
      const { db: plain } = await setUp();
      await saveSchedule(plain, { guildId: GUILD, channelId: '200000000000000001', postTime: '09:00', timeZone: 'Asia/Tokyo', roleId: null, createThread: false }, new Date('2026-01-01T00:00:00Z'));
      const recorded = recordQueries(plain);
      let busy = true;
      // 12:00 UTC on 2 May is 21:00 in Tokyo: still 2 May there.
      const { services } = createServiceHarness(recorded.db, '2026-05-02T12:00:00Z', undefined, () => busy);
      expect(await services.delivery.dayChoices(GUILD, '')).toEqual([]);
      expect(await services.discovery.categoryChoices('')).toEqual([]);
      expect(await services.lessons.choices('ferry')).toEqual([]);
      expect(recorded.take()).toEqual([]);
      busy = false;
      expect((await services.delivery.dayChoices(GUILD, 'tomorrow')).map((choice) => choice.value)).toEqual(['2026-05-03']);
      expect((await services.discovery.categoryChoices('')).map((choice) => choice.value)).toEqual(['nhk']);
      expect(recorded.take().length).toBeGreaterThan(0);
    });

    it('names a hostile lesson plainly: no control or bidi characters, mentions broken, within 100 characters', async () => {
      const { db, lessons: service } = await setUp();
      const hostile = makeLesson({ title: 'Ferry \u202Eecnalab @everyone <@123456789012345678> ferry news' });
      await upsertLesson(db, hostile);
      const choice = (await service.choices('ferry news')).find((found) => found.value === hostile.id);
      expect(choice?.name).toBeDefined();
      // eslint-disable-next-line no-control-regex -- finding control characters is the point
      expect(choice?.name).not.toMatch(/[\u0000-\u001F\u202A-\u202E\u2066-\u2069]/u);
      expect(choice?.name).not.toMatch(/@everyone|<@1/u);
      expect(choice?.name.length).toBeLessThanOrEqual(100);
    });

    it('related readings link the titles that are lessons here (matched at import) and list the others', async () => {
      const { db, library: [oldest, newest], discovery } = await setUp();
      // Titles are matched when lessons are imported (upsertLesson alone writes only the lesson); importing
      // an unchanged lesson whose titles were never matched matches them.
      await importLessons(db, [newest!]);
      const related = await discovery.related(newest!.id, { guildId: GUILD, userId: '1' });
      expect(related.lessons[0]).toMatchObject({ id: oldest!.id, reason: 'similar-reading', read: false });
      expect(related.notInLibrary).toEqual(['Not in the library']);
    });
  });

  describe('import from an upload', () => {
    it('is every server’s moderators’ unless the operator named the servers that import (IMPORT_GUILD_IDS)', async () => {
      const { db, lessons: anyServer } = await setUp();
      expect(() => anyServer.assertMayImport('810000000000000009')).not.toThrow();
      const named = createLessonsService({ db, now: () => new Date('2026-05-02T12:00:00Z'), importTimeZone: 'UTC', importGuilds: ['810000000000000001'] });
      expect(() => named.assertMayImport('810000000000000001')).not.toThrow();
      expect(() => named.assertMayImport('810000000000000009')).toThrow(IMPORT_NOT_HERE);
    });

    it('imports a valid file, then reports it unchanged', async () => {
      const { db, lessons: service } = await setUp();
      const bytes = readFileSync(REFERENCE);
      const first = await service.importUpload('cyber.txt', bytes);
      expect(first.ok && first.counts).toEqual({ imported: 1, updated: 0, unchanged: 0 });
      const again = await service.importUpload('cyber.txt', bytes);
      expect(again.ok && again.counts).toEqual({ imported: 0, updated: 0, unchanged: 1 });
      expect(await countLessons(db)).toBe(4);
    });

    it('an upload of more lessons than a batch is written a batch at a time (the bot’s statement bound), every lesson of it', async () => {
      const { db } = await setUp();
      const recorder = recordQueries(db);
      const service = createServiceHarness(recorder.db, '2026-05-02T12:00:00Z').services.lessons;
      const lessons = Array.from({ length: UPLOAD_IMPORT_BATCH + 10 }, (_, index) => makeLesson({ title: `Ferry timetable number ${index} changes` }));
      recorder.take();
      const outcome = await service.importUpload('many.json', new TextEncoder().encode(JSON.stringify(lessons.map(lessonToJson))));
      expect(outcome.ok && outcome.counts).toEqual({ imported: UPLOAD_IMPORT_BATCH + 10, updated: 0, unchanged: 0 });
      expect(recorder.take().filter((query) => query.sources.includes('lessons.prepareLessonUpsert'))).toHaveLength(2);
      expect(await countLessons(db)).toBe(3 + UPLOAD_IMPORT_BATCH + 10);
    });

    it('a broken file writes nothing and lists its problems with file and line', async () => {
      const { db, lessons: service } = await setUp();
      const outcome = await service.importUpload('broken.txt', new TextEncoder().encode('just one line\n'));
      expect(outcome.ok).toBe(false);
      expect(!outcome.ok && outcome.problems[0]?.path).toBe('broken.txt');
      expect(await countLessons(db)).toBe(3);
      // Text that is not UTF-8 is the file's one problem, listed as any other.
      const notText = await service.importUpload('bin.txt', new Uint8Array([0x41, 0xc3, 0x28]));
      expect(!notText.ok && notText.problems.map(formatProblem)).toEqual([
        'bin.txt:1: not UTF-8 text: byte 0xC3 on this line is not UTF-8 (is this a lesson export? If so, save it as UTF-8)',
      ]);
      // An export saved by an editor as Windows-1252: the line of its first such byte (it was line 1, whichever line held it).
      const latin1 = await service.importUpload('cp1252.txt', Buffer.from('A: Hi\r\nB: Hello\r\n----------------\r\nThe caf\u00e9 opened.\r\n', 'latin1'));
      expect(!latin1.ok && latin1.problems.map(formatProblem)).toEqual([
        'cp1252.txt:4: not UTF-8 text: byte 0xE9 on this line is not UTF-8 (is this a lesson export? If so, save it as UTF-8)',
      ]);
      // An export saved as "Unicode" on Windows: UTF-16, with what to do about it.
      const utf16 = await service.importUpload('utf16.txt', new Uint8Array([0xff, 0xfe, 0x41, 0x00]));
      expect(!utf16.ok && { problems: utf16.problems.map(formatProblem), count: utf16.problemCount }).toEqual({
        problems: ['utf16.txt:1: not UTF-8 text: this file is UTF-16; save it as UTF-8 and import it again'],
        count: 1,
      });
      expect(await countLessons(db)).toBe(3);
    });
  });

  describe('reading', () => {
    it('counts a member once per lesson, and “Mark as read” once', async () => {
      const { db, library: [oldest], lessons: service, reading } = await setUp();
      const stored = await service.byId(oldest!.id);
      const member = { guildId: GUILD, userId: 'u1' };
      expect((await reading.opened(member, stored, 'dialogue')).firstRead).toBe(true);
      expect((await reading.opened(member, stored, 'article')).firstRead).toBe(false);
      expect((await reading.finished(member, stored)).firstFinish).toBe(true);
      expect((await reading.finished(member, stored)).firstFinish).toBe(false);
      expect(await countReadersInGuild(db, oldest!.id, GUILD)).toBe(1);
    });

    it('a text the lesson lacks (JSON `"dialogue": []`) is told alike to the command’s and the buttons’ lookups (they read nothing then)', async () => {
      const { db, lessons: service } = await setUp();
      const lesson = makeLesson({ date: '2025-04-01', title: 'No *talk* @everyone', dialogue: [] });
      await upsertLesson(db, lesson);
      const told = noText(lesson.title, 'dialogue');
      expect(told).toBe('**No \\*talk\\* @\u200beveryone** has no dialogue. Read its article with `/lesson article` or the **Article** button.');
      expect(await userError(service.requestedWith(GUILD, lesson.id, 'dialogue'))).toBe(told);
      expect(await userError(service.requestedWith(GUILD, undefined, 'dialogue'))).toBe(told);
      expect(await userError(service.byIdWith(lesson.id, 'dialogue'))).toBe(told);
      expect((await service.requestedWith(GUILD, lesson.id, 'article')).lesson.article).toEqual(lesson.article);
      expect((await service.byIdWith(lesson.id, 'article')).lesson.article).toEqual(lesson.article);
      // Turns of no word (only punctuation or emoji) are no dialogue to read either.
      const silent = makeLesson({ date: '2025-04-02', title: 'Silence', dialogue: [{ speaker: 'A', text: '…' }, { speaker: 'B', text: '🎉' }] });
      await upsertLesson(db, silent);
      expect(await userError(service.byIdWith(silent.id, 'dialogue'))).toBe(noText('Silence', 'dialogue'));
    });
  });
});
