import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runLessonsCli } from '../../src/cli/lessons.js';
import { lessonToJson, parseLessonFile } from '../../src/domain/lesson-parser/index.js';
import { testDatabaseTargets, useTestDatabase, type TestDatabase } from '../support/databases.js';
import { BATCH_TIMEOUTS } from '../../src/db/timeouts.js';

/*
 * The lessons CLI's contract (output, exit codes, one transaction), run in-process against each database:
 * the same checks the process-level tests made, without a Node start per command. One process-level
 * smoke test stays in test/e2e/lessons-cli.test.ts. Each test starts from an empty database of its own.
 */
const REFERENCE = 'examples/lessons/nhk-2025-05-31-japan-us-cyber.txt';
const REFERENCE_ID = 'add8c4f2-5778-47a5-bd18-2492841fbc6e';

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(args: string[], env: Record<string, string>, stdin = '', database?: () => TestDatabase): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runLessonsCli(args, {
    env: { LOG_LEVEL: 'warn', ...env },
    stdin: Readable.from([Buffer.from(stdin)]),
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    // The test's open database; the CLI's own opening is what the process-level smoke test covers.
    ...(database ? { openDatabase: async () => ({ db: database().db, close: async () => undefined }) } : {}),
  });
  const text = (lines: string[]) => (lines.length > 0 ? `${lines.join('\n')}\n` : '');
  return { code, stdout: text(out), stderr: text(err) };
}

describe('lessons import --dry-run --json (in-process)', () => {
  it('prints the reference export as one lesson matching the file, and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'newsdesk-cli-'));
    const result = await run(['import', REFERENCE, '--dry-run', '--json'], { DATA_DIR: dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lessons = JSON.parse(result.stdout) as Record<string, unknown>[];
    expect(lessons).toHaveLength(1);
    const lesson = lessons[0] as {
      id: string; category: string; url: string; date: string; summary: string;
      dialogue: { speaker: string; text: string }[]; article: string[]; similarReadings: string[];
      sourceStats: unknown; sourceTimes: unknown;
    };
    expect(Object.keys(lesson)).toEqual(['id', 'category', 'url', 'date', 'title', 'summary', 'article', 'dialogue', 'similarReadings', 'sourceStats', 'sourceTimes']);
    expect(lesson.id).toBe(REFERENCE_ID);
    expect(lesson.category).toBe('nhk');
    expect(lesson.url).toBe('https://www3.nhk.or.jp/nhkworld/en/news/20250531_12/');
    expect(lesson.date).toBe('2025-05-31');
    expect(lesson.dialogue).toHaveLength(11);
    expect(lesson.dialogue.map((line) => line.speaker)).toEqual(['A', 'B', 'A', 'B', 'A', 'B', 'A', 'B', 'A', 'B', 'A']);
    expect(lesson.dialogue[0]?.text).toMatch(/^Hey there, buddy!/u);
    expect(lesson.article).toHaveLength(9);
    expect(lesson.similarReadings).toHaveLength(5);
    expect(lesson.similarReadings[3]).toMatch(/^Summary:/u);
    expect(lesson.summary).toMatch(/^The defense chiefs of Japan and the United States agreed/u);
    expect(lesson.sourceStats).toEqual({ words: 417, readCount: 1 });
    expect(lesson.sourceTimes).toEqual({ created: '2025-06-02T07:14:00.000Z', updated: '2025-12-08T03:51:00.000Z', lastRead: '2025-06-02T07:20:00.000Z' });
    // A dry run does not even open the database.
    expect(readdirSync(dir)).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads lines ending in NEL, LINE SEPARATOR or PARAGRAPH SEPARATOR, and names a problem\'s line counting them', async () => {
    // Until 2026-12-07 such a file was one line: "missing the Summary section" and six missing fields, all on line 1.
    const dir = mkdtempSync(join(tmpdir(), 'newsdesk-cli-'));
    const lines = readFileSync(REFERENCE, 'utf8').split('\n');
    const lineEnds = ['\u2028', '\u0085', '\u2029', '\n'];
    const withLineEnds = (all: readonly string[]) => all.map((line, i) => `${line}${lineEnds[i % lineEnds.length]}`).join('');
    const good = join(dir, 'separators.txt');
    writeFileSync(good, withLineEnds(lines));
    const read = await run(['import', good, '--dry-run', '--json'], { DATA_DIR: dir });
    expect(read.code).toBe(0);
    expect(JSON.parse(read.stdout)).toEqual(JSON.parse((await run(['import', REFERENCE, '--dry-run', '--json'], { DATA_DIR: dir })).stdout));
    const broken = join(dir, 'broken.txt');
    const dateLine = lines.findIndex((line) => line.startsWith('Date:'));
    writeFileSync(broken, withLineEnds(lines.map((line, i) => (i === dateLine ? 'Date: someday' : line))));
    const refused = await run(['import', broken, '--dry-run'], { DATA_DIR: dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')[0]).toMatch(new RegExp(`^${broken.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&')}:${dateLine + 1}: Date: expected a date`, 'u'));
    rmSync(dir, { recursive: true, force: true });
  });
});

describe.each(testDatabaseTargets())('lessons CLI on $kind (in-process)', (target) => {
  // The CLI's own bounds (a batch job's, as src/cli/lessons.ts opens its database), not a command's: an import
  // computes vocabulary in its thread while a statement is out.
  const database = useTestDatabase(target, { timeouts: BATCH_TIMEOUTS });
  const env = { DATA_DIR: 'unused' };
  let work: string;
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'newsdesk-files-'));
  });
  afterEach(() => {
    rmSync(work, { recursive: true, force: true });
  });

  const lessons = (...args: string[]) => run(args, env, '', database);

  it('imports, then re-imports in place, then reports an update', async () => {
    expect((await lessons('import', REFERENCE)).stdout.trim()).toBe('imported 1, updated 0, unchanged 0');
    expect((await lessons('import', REFERENCE)).stdout.trim()).toBe('imported 0, updated 0, unchanged 1');
    const changed = join(work, 'changed.txt');
    writeFileSync(changed, readFileSync(REFERENCE, 'utf8').replace('Singapore on Saturday.', 'Singapore on Sunday.'));
    expect((await lessons('import', changed)).stdout.trim()).toBe('imported 0, updated 1, unchanged 0');
    const list = await lessons('list');
    expect(list.stdout).toContain(REFERENCE_ID);
    expect(list.stdout).toContain('(1 of 1 lessons)');
    const exported = JSON.parse((await lessons('export', REFERENCE_ID)).stdout) as { article: string[] };
    expect(exported.article.join(' ')).toContain('Singapore on Sunday.');
  });

  /** Imports the example library in-process, recording each opening and closing of the database. */
  async function importRecordingOpenings(extraEnv: Record<string, string>) {
    const openings: string[] = [];
    /** How many lessons had a vocabulary as each opening closed. */
    const vocabulariesAtClose: number[] = [];
    const err: string[] = [];
    const code = await runLessonsCli(['import', 'examples/library'], {
      env: { LOG_LEVEL: 'warn', ...env, ...extraEnv },
      stdin: Readable.from([]),
      out: () => undefined,
      err: (line) => err.push(line),
      openDatabase: async () => {
        openings.push('open');
        return {
          db: database().db,
          close: async () => {
            openings.push('close');
            vocabulariesAtClose.push((await database().db.selectFrom('lesson_vocabularies').select('lesson_id').execute()).length);
          },
        };
      },
    });
    return { code, err, openings, vocabulariesAtClose };
  }

  /** Every example lesson has its vocabulary, and every table statistics (the vocabulary tables' after the vocabulary step). */
  async function expectVocabularyAndStatistics() {
    const db = database().db;
    expect(await db.selectFrom('lesson_vocabularies').select('lesson_id').execute()).toHaveLength(10);
    // The planner knows their sizes (ANALYZE sets reltuples; a table never analyzed says -1, one analyzed empty 0).
    for (const table of ['lessons', 'lesson_vocabularies', 'lesson_vocabulary_words'] as const) {
      const rows = await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      const analyzed = await sql<{ n: number }>`select reltuples::float8 as n from pg_class where oid = ${table}::regclass`.execute(db);
      expect(Number(rows.n)).toBeGreaterThan(0);
      expect(Number(analyzed.rows[0]?.n), table).toBe(Number(rows.n));
    }
  }

  it('with DATABASE_URL (PostgreSQL), computes the vocabulary alongside the import, committed with its lessons, and leaves every table with statistics', async () => {
    const { code, err, openings, vocabulariesAtClose } = await importRecordingOpenings({ DATABASE_URL: 'postgres://unused@127.0.0.1:1/unused' });
    expect(err).toEqual([]);
    expect(code).toBe(0);
    // The import's opening already committed every vocabulary; the refresh after it (an opening of its own) finds none left.
    expect(openings).toEqual(['open', 'close', 'open', 'close']);
    expect(vocabulariesAtClose).toEqual([10, 10]);
    await expectVocabularyAndStatistics();
  });

  it('on PGlite (no DATABASE_URL), computes the vocabulary in steps with the database closed meanwhile, and leaves every table with statistics', async () => {
    const { code, err, openings } = await importRecordingOpenings({});
    expect(err).toEqual([]);
    expect(code).toBe(0);
    // The import; its statistics (an opening of their own on PGlite); the texts of the lessons lacking a
    // vocabulary written out; (the worker computes them, the database closed); their vocabularies stored, and
    // nothing more to write.
    expect(openings).toEqual(['open', 'close', 'open', 'close', 'open', 'close', 'open', 'close']);
    await expectVocabularyAndStatistics();
    // Nothing left: vocab-refresh opens the database once and computes nothing.
    openings.length = 0;
    expect((await run(['vocab-refresh'], env, '', database)).code).toBe(0);
    expect(await database().db.selectFrom('lesson_vocabularies').select('lesson_id').execute()).toHaveLength(10);
  });

  it('refuses a batch with a broken file, naming file and line, and writes nothing', async () => {
    await lessons('import', REFERENCE);
    const good = join(work, 'good.json');
    const reference = JSON.parse((await lessons('export', REFERENCE_ID)).stdout) as Record<string, unknown>;
    writeFileSync(good, JSON.stringify({ ...reference, id: '11111111-2222-4333-8444-555555555555' }, null, 2));
    const broken = join(work, 'broken.txt');
    const lines = readFileSync(REFERENCE, 'utf8').split('\n');
    const urlLine = lines.findIndex((line) => line.startsWith('URL:'));
    lines[urlLine] = 'URL: not a url';
    writeFileSync(broken, lines.join('\r\n'));
    const result = await lessons('import', good, broken);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${broken}:${urlLine + 1}:`);
    expect(result.stdout).toBe('');
    const list = await lessons('list');
    expect(list.stdout).not.toContain('11111111-2222-4333-8444-555555555555');
    expect(list.stdout).toContain('(1 of 1 lessons)');
  });

  /** Seven copies of the reference lesson, one a JSON file in the work directory (ids …0 to …6, titles "Lesson 0" to "Lesson 6"). */
  function sevenLessonFiles(): string[] {
    const [reference] = parseLessonFile(readFileSync(REFERENCE, 'utf8'), { file: REFERENCE, importTimeZone: 'UTC' });
    return Array.from({ length: 7 }, (_, i) => {
      const path = join(work, `lesson-${i}.json`);
      const lesson = { ...lessonToJson(reference!), id: `00000000-0000-4000-8000-00000000000${i}`, title: `Lesson ${i}` };
      writeFileSync(path, JSON.stringify(lesson, null, 2));
      return path;
    });
  }

  it('writes nothing when a file turns bad after the check, batches into the import (IMPORT_BATCH_SIZE=2)', async () => {
    await lessons('import', REFERENCE);
    const lexemeDocs = () => database().db.selectFrom('lexeme_docs').selectAll().orderBy('lexeme').execute();
    const docsBefore = await lexemeDocs();
    const files = sevenLessonFiles();
    const bad = files[5] as string;
    const out: string[] = [];
    const err: string[] = [];
    const code = await runLessonsCli(['import', work], {
      env: { LOG_LEVEL: 'warn', DATA_DIR: 'unused', IMPORT_BATCH_SIZE: '2' },
      stdin: Readable.from([]),
      out: (line) => out.push(line),
      err: (line) => err.push(line),
      // Every file passed the check; the sixth (in the third batch of two) changes before it is written.
      openDatabase: async () => {
        writeFileSync(bad, readFileSync(bad, 'utf8').replace('"url": "https:', '"url": "ftp:'));
        return { db: database().db, close: async () => undefined };
      },
    });
    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(err).toHaveLength(1);
    expect(err[0]).toContain(`nothing imported: ${bad} changed while it was imported: ${bad}:`);
    const list = await lessons('list');
    expect(list.stdout).toContain('(1 of 1 lessons)');
    expect(await lexemeDocs()).toEqual(docsBefore);
    const titles = await database().db.selectFrom('similar_readings').select('lesson_id').distinct().execute();
    expect(titles.map((row) => row.lesson_id)).toEqual([REFERENCE_ID]);
  });

  /** Seven lessons, one a file; the third and the sixth broken (a bad URL, a bad date), each on a line of its own. */
  function filesWithTwoBroken(): { files: string[]; broken: { path: string; line: number }[] } {
    const files = sevenLessonFiles();
    const breakLine = (path: string, from: string, to: string) => {
      const lines = readFileSync(path, 'utf8').split('\n');
      const index = lines.findIndex((line) => line.includes(from));
      lines[index] = (lines[index] as string).replace(from, to);
      writeFileSync(path, lines.join('\n'));
      return { path, line: index + 1 };
    };
    return { files, broken: [breakLine(files[2] as string, '"url": "https:', '"url": "ftp:'), breakLine(files[5] as string, '"date": "2025-', '"date": "20x5-')] };
  }

  it('with DATABASE_URL (one pass, the files written as they are checked), lists every problem as the check pass does and writes nothing', async () => {
    await lessons('import', REFERENCE);
    const docsBefore = await database().db.selectFrom('lexeme_docs').selectAll().orderBy('lexeme').execute();
    const { broken } = filesWithTwoBroken();
    // Batches of two: the first two lessons are written (with their vocabulary alongside) before the first problem.
    const onePass = await run(['import', work], { ...env, DATABASE_URL: 'postgres://unused@127.0.0.1:1/unused', IMPORT_BATCH_SIZE: '2' }, '', database);
    expect(onePass.code).toBe(1);
    expect(onePass.stdout).toBe('');
    const lines = onePass.stderr.trim().split('\n');
    expect(lines.map((line) => line.split(': ')[0])).toEqual([`${broken[0]?.path}:${broken[0]?.line}`, `${broken[1]?.path}:${broken[1]?.line}`, 'nothing imported']);
    expect(lines.at(-1)).toBe('nothing imported: 2 problems');
    // What two passes print (no DATABASE_URL: the check pass before anything is opened), line for line.
    expect((await lessons('import', work)).stderr).toBe(onePass.stderr);
    expect((await lessons('list')).stdout).toContain('(1 of 1 lessons)');
    expect(await database().db.selectFrom('lexeme_docs').selectAll().orderBy('lexeme').execute()).toEqual(docsBefore);
    const vocabularies = await database().db.selectFrom('lesson_vocabularies').select('lesson_id').execute();
    expect(vocabularies.map((row) => row.lesson_id)).toEqual([REFERENCE_ID]);
  });

  it('with DATABASE_URL (one pass), imports valid files with their vocabulary, and refuses an unreadable one as the check pass does', async () => {
    const { files } = filesWithTwoBroken();
    for (const path of [files[2], files[5]]) rmSync(path as string);
    const withUrl = { ...env, DATABASE_URL: 'postgres://unused@127.0.0.1:1/unused', IMPORT_BATCH_SIZE: '2' };
    const imported = await run(['import', work], withUrl, '', database);
    expect(imported.stderr).toBe('');
    expect(imported.stdout.trim()).toBe('imported 5, updated 0, unchanged 0');
    expect(await database().db.selectFrom('lesson_vocabularies').select('lesson_id').execute()).toHaveLength(5);
    // A lesson file that is a device when it is read (a link to /dev/null): refused, named, nothing more written.
    const notAFile = join(work, 'lesson-9.json');
    symlinkSync('/dev/null', notAFile);
    const refused = await run(['import', files[0] as string, notAFile], withUrl, '', database);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe((await lessons('import', files[0] as string, notAFile)).stderr);
    expect(refused.stderr).toBe(`${notAFile}: not a regular file (a device, pipe or socket cannot be a lesson file)\nnothing imported: 1 problem\n`);
    expect((await lessons('list')).stdout).toContain('(5 of 5 lessons)');
  });

  it('lists a file it cannot read (not UTF-8, UTF-16, too big) among the other problems, goes on checking the rest, and writes nothing', async () => {
    const { files, broken } = filesWithTwoBroken();
    // Among the files, in name order: one of bytes that are not UTF-8, one saved as UTF-16, one over the limit.
    const binary = join(work, 'lesson-1a.json');
    writeFileSync(binary, Buffer.from([0x7b, 0xc3, 0x28, 0x7d]));
    const utf16 = join(work, 'lesson-3a.json');
    writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(readFileSync(files[0] as string, 'utf8'), 'utf16le')]));
    const big = join(work, 'lesson-4a.json');
    writeFileSync(big, Buffer.alloc(10 * 1024 * 1024 + 1, 0x20));
    const expected = [
      `${binary}:1: not UTF-8 text: byte 0xC3 on this line is not UTF-8 (is this a lesson export? If so, save it as UTF-8)`,
      `${broken[0]?.path}:${broken[0]?.line}: `,
      `${utf16}:1: not UTF-8 text: this file is UTF-16; save it as UTF-8 and import it again`,
      `${big}: larger than 10 MiB, the limit for a lesson file; split it into smaller files`,
      `${broken[1]?.path}:${broken[1]?.line}: `,
      'nothing imported: 5 problems',
    ];
    const twoPasses = await lessons('import', work);
    expect(twoPasses.code).toBe(1);
    const lines = twoPasses.stderr.trim().split('\n');
    expect(lines).toHaveLength(expected.length);
    lines.forEach((line, i) => expect(line.startsWith(expected[i] as string), line).toBe(true));
    // One pass (DATABASE_URL: the files written as they are checked), batches of two: the same lines, nothing kept.
    const onePass = await run(['import', work], { ...env, DATABASE_URL: 'postgres://unused@127.0.0.1:1/unused', IMPORT_BATCH_SIZE: '2' }, '', database);
    expect(onePass.code).toBe(1);
    expect(onePass.stderr).toBe(twoPasses.stderr);
    expect((await lessons('list')).stdout).toContain('The library is empty');
  });

  it('shows a lesson, and says so when an id is unknown', async () => {
    await lessons('import', REFERENCE);
    const shown = await lessons('show', REFERENCE_ID);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('Dialogue (11 lines)');
    const missing = await lessons('show', '00000000-0000-4000-8000-000000000000');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no lesson with id');
  });

  it('lists an empty library with a hint', async () => {
    const list = await lessons('list');
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('The library is empty');
  });

  it('reads standard input', async () => {
    const result = await run(['import', '-', '--dry-run'], env, readFileSync(REFERENCE, 'utf8'), database);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('1 lesson valid');
  });
});

describe('lessons CLI usage (in-process)', () => {
  it('an unknown command is a usage error with exit code 2', async () => {
    const result = await run(['frobnicate'], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown command "frobnicate"');
    expect(result.stderr).toContain('Usage: npm run lessons');
  });

  it('--json without --dry-run and a missing file are usage and input errors', async () => {
    expect((await run(['import', REFERENCE, '--json'], {})).code).toBe(2);
    const missing = await run(['import', 'no/such/file.txt', '--dry-run'], {});
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no/such/file.txt: no such file or directory');
  });
});
