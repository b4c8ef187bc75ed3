import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runLessonsCli } from '../../src/cli/lessons.js';
import { testDatabaseTargets, useTestDatabase, type TestDatabase } from '../support/databases.js';
import { BATCH_TIMEOUTS } from '../../src/db/timeouts.js';

const REFERENCE = 'examples/lessons/nhk-2025-05-31-japan-us-cyber.txt';
const REFERENCE_ID = 'add8c4f2-5778-47a5-bd18-2492841fbc6e';

async function run(args: string[], database: () => TestDatabase, env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runLessonsCli(args, {
    env: { LOG_LEVEL: 'warn', DATA_DIR: 'unused', ...env },
    stdin: Readable.from([]),
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    openDatabase: async () => ({ db: database().db, close: async () => undefined }),
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe.each(testDatabaseTargets())('vocabulary CLI on $kind (in-process)', (target) => {
  // The CLI's own bounds (a batch job's, as src/cli/lessons.ts opens its database), not a command's: vocabulary
  // is computed in its thread while a statement is out.
  const database = useTestDatabase(target, { timeouts: BATCH_TIMEOUTS });

  it('import computes the vocabulary; vocab --json prints word, lemma, pos, definition, sentence', async () => {
    expect((await run(['import', REFERENCE], database)).stdout).toBe('imported 1, updated 0, unchanged 0');
    const printed = await run(['vocab', REFERENCE_ID, '--json'], database);
    expect(printed.code).toBe(0);
    const entries = JSON.parse(printed.stdout) as Record<string, string>[];
    expect(entries.length).toBeGreaterThanOrEqual(8);
    expect(entries.length).toBeLessThanOrEqual(12);
    for (const entry of entries) {
      expect(Object.keys(entry)).toEqual(['word', 'lemma', 'pos', 'definition', 'sentence']);
      expect(entry.sentence).toContain(entry.word);
    }
    const human = await run(['vocab', REFERENCE_ID], database);
    expect(human.stdout).toContain('Level: B2');
    expect(human.stdout).toContain('enacted (enact), verb');
  });

  it('an import of more files than IMPORT_VOCABULARY_AT_MOST leaves their vocabulary to the bot, says so, and loses nothing', async () => {
    const stored = async () => Number((await database().db.selectFrom('lesson_vocabularies').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
    const imported = await run(['import', 'test/fixtures/vocabulary'], database, { IMPORT_VOCABULARY_AT_MOST: '3' });
    expect(imported.code).toBe(0);
    // stdout's last line is still the counts; the note is on stderr.
    expect(imported.stdout).toBe('imported 8, updated 0, unchanged 0');
    expect(imported.stderr).toMatch(/^vocabulary of 8 lessons left to the bot's background job \(more than IMPORT_VOCABULARY_AT_MOST=3; .*vocab-refresh" computes them all now$/u);
    expect(await stored()).toBe(0);
    // One lesson asked for is computed at once; the rest by vocab-refresh (or the bot).
    const [first] = await database().db.selectFrom('lessons').select('id').orderBy('id').limit(1).execute();
    expect(JSON.parse((await run(['vocab', first!.id, '--json'], database)).stdout)).not.toHaveLength(0);
    expect(await stored()).toBe(1);
    expect(await run(['vocab-refresh'], database)).toMatchObject({ code: 0, stderr: '' });
    expect(await stored()).toBe(8);
    // Within the bound (at most 3 files, at most 3 lessons left without one after it): computed by the import.
    expect((await run(['import', REFERENCE], database, { IMPORT_VOCABULARY_AT_MOST: '3' })).stderr).toBe('');
    expect(await stored()).toBe(9);
  });

  it('vocab of a lesson with no rare content words says so, as /lesson vocab does (it printed the level, then nothing)', async () => {
    const work = mkdtempSync(join(tmpdir(), 'newsdesk-vocab-'));
    try {
      const id = '00000000-0000-4000-8000-0000000000a1';
      const lesson = { id, category: 'examples', url: 'https://example.com/a', date: '2025-05-01', title: 'A good day', summary: 'A good day.', article: ['It is a good day. I like it a lot, and my friends like it too.'], dialogue: [], similarReadings: [],
        sourceStats: { words: 16, readCount: 0 }, sourceTimes: { created: '2025-05-01T07:00:00.000Z', updated: '2025-05-01T07:00:00.000Z', lastRead: null } };
      writeFileSync(join(work, 'plain.json'), JSON.stringify(lesson));
      expect(await run(['import', join(work, 'plain.json')], database)).toMatchObject({ code: 0, stderr: '' });
      expect(JSON.parse((await run(['vocab', id, '--json'], database)).stdout)).toEqual([]);
      expect(await run(['vocab', id], database)).toMatchObject({
        code: 0,
        stdout: 'A good day\nLevel: not rated (16 English words to go by)\n\nNo vocabulary was found for this lesson: it has no rare content words.',
      });
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('vocab-refresh recomputes the library on request; wrong use is a usage error', async () => {
    await run(['import', REFERENCE], database);
    expect((await run(['vocab-refresh'], database)).code).toBe(0);
    expect((await run(['vocab-refresh', '--all'], database)).code).toBe(0);
    expect((await run(['vocab-refresh', 'extra'], database)).code).toBe(2);
    expect((await run(['vocab'], database)).code).toBe(2);
    expect(await run(['vocab', '00000000-0000-4000-8000-000000000000'], database)).toMatchObject({ code: 1, stderr: 'no lesson with id 00000000-0000-4000-8000-000000000000' });
  });
});
