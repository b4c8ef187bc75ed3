import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runLessonsCli } from '../../src/cli/lessons.js';
import { testDatabaseTargets, useTestDatabase, type TestDatabase } from '../support/databases.js';
import { HELDOUT, HELDOUT_IDS, HELDOUT_NAMED, HELDOUT_NOT_IN_LIBRARY, heldoutTopic, importHeldoutLibrary } from '../support/discovery-heldout.js';

/*
 * `lessons related` and `lessons search` as the check runs them (`--json`), in-process on each
 * database, over the held-out-like library: the JSON shapes exactly, exit codes, messages, `--limit`.
 */
async function run(args: string[], database: () => TestDatabase): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runLessonsCli(args, {
    env: { LOG_LEVEL: 'warn', DATA_DIR: 'unused' },
    stdin: Readable.from([]),
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    openDatabase: async () => ({ db: database().db, close: async () => undefined }),
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/u;

describe.each(testDatabaseTargets())('lessons related and search on $kind (in-process)', (target) => {
  const database = useTestDatabase(target);

  it('related --json: exactly {id, title, date, reason}, the named lessons first, never the lesson itself', async () => {
    await importHeldoutLibrary(database());
    for (const lessonId of HELDOUT_IDS) {
      const result = await run(['related', lessonId, '--json'], database);
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
      const entries = JSON.parse(result.stdout) as Record<string, unknown>[];
      expect(Array.isArray(entries)).toBe(true);
      for (const entry of entries) {
        expect(Object.keys(entry)).toEqual(['id', 'title', 'date', 'reason']);
        expect(typeof entry.title).toBe('string');
        expect(['similar-reading', 'content']).toContain(entry.reason);
        if (entry.id === null) {
          expect(entry.date).toBeNull();
          expect(entry.reason).toBe('similar-reading');
        } else {
          expect(entry.id).toMatch(/^[0-9a-f-]{36}$/u);
          expect(entry.date).toMatch(DATE);
        }
      }
      expect(entries.map((entry) => entry.id)).not.toContain(lessonId);
      const named = HELDOUT_NAMED[lessonId] ?? [];
      expect(entries.slice(0, named.length).map((entry) => [entry.id, entry.reason])).toEqual(named.map((id) => [id, 'similar-reading']));
      expect(entries.filter((entry) => entry.id === null).map((entry) => entry.title)).toEqual(HELDOUT_NOT_IN_LIBRARY[lessonId]);
    }
    // An export's lesson is listed under its stored title (its first sentence) and its article date.
    const fromTsunami = JSON.parse((await run(['related', HELDOUT.tsunamiLifted, '--json'], database)).stdout) as unknown[];
    expect(fromTsunami[0]).toEqual({
      id: HELDOUT.hokkaidoQuake,
      title: 'A strong earthquake with a magnitude of 6.9 struck off the coast of eastern Hokkaido early on Thursday morning.',
      date: '2025-06-12',
      reason: 'similar-reading',
    });
    // A lesson without similar readings: same-topic lessons by content.
    const fromIspace = JSON.parse((await run(['related', HELDOUT.ispace, '--json'], database)).stdout) as { id: string; reason: string }[];
    expect(fromIspace.slice(0, 2).map((entry) => [heldoutTopic(entry.id), entry.reason])).toEqual([
      [heldoutTopic(HELDOUT.ispace), 'content'],
      [heldoutTopic(HELDOUT.ispace), 'content'],
    ]);
  });

  it('related: an upper-case id works; an unknown id is an error (1), missing or extra arguments a usage error (2)', async () => {
    await importHeldoutLibrary(database());
    const upper = await run(['related', HELDOUT.yen.toUpperCase(), '--json'], database);
    expect(upper.code).toBe(0);
    expect((JSON.parse(upper.stdout) as { id: string }[])[0]?.id).toBe(HELDOUT.bojRate);
    const text = await run(['related', HELDOUT.yen], database);
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n')[0]).toBe(`2025-01-24  ${HELDOUT.bojRate}  Japan's central bank has decided to raise its short-term policy rate to 0.5 percent.  [similar-reading]`);
    expect(text.stdout).toContain('(not in the library)    Yen falls to 34-year low against dollar  [similar-reading]');

    for (const unknown of ['00000000-0000-4000-8000-000000000000', 'not-an-id']) {
      const result = await run(['related', unknown, '--json'], database);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(`no lesson with id ${unknown}`);
    }
    expect((await run(['related'], database)).code).toBe(2);
    expect((await run(['related', HELDOUT.yen, HELDOUT.wages], database)).code).toBe(2);
    expect((await run(['related', HELDOUT.yen, '--frobnicate'], database)).code).toBe(2);
  });

  it('search --json: exactly {id, title, date, category}, the lessons about the query first, --limit', async () => {
    await importHeldoutLibrary(database());
    const result = await run(['search', 'tsunami', '--json'], database);
    expect(result.code).toBe(0);
    const entries = JSON.parse(result.stdout) as Record<string, unknown>[];
    for (const entry of entries) {
      expect(Object.keys(entry)).toEqual(['id', 'title', 'date', 'category']);
      expect(entry.date).toMatch(DATE);
      expect(typeof entry.category).toBe('string');
    }
    // Both lessons with "tsunami" in their title or summary, before those with it only in their article.
    expect(entries.slice(0, 2).map((entry) => entry.id).sort()).toEqual([HELDOUT.hokkaidoQuake, HELDOUT.tsunamiLifted].sort());
    expect(entries.map((entry) => entry.id)).toEqual(expect.arrayContaining([HELDOUT.nankai, HELDOUT.pokemonTrains]));

    // Several words as separate arguments or one; --limit anywhere.
    const words = JSON.parse((await run(['search', 'moon', 'lander', '--json', '--limit', '1'], database)).stdout) as { id: string }[];
    expect(words).toHaveLength(1);
    expect([HELDOUT.slim, HELDOUT.ispace]).toContain(words[0]?.id);
    const quoted = JSON.parse((await run(['search', '--limit', '3', '--json', 'pokémon TOHOKU'], database)).stdout) as { id: string; category: string }[];
    expect(quoted).toEqual([expect.objectContaining({ id: HELDOUT.pokemonTrains, category: 'easy-news' })]);
    const nothing = await run(['search', 'volcano', '--json'], database);
    expect(nothing.code).toBe(0);
    expect(JSON.parse(nothing.stdout)).toEqual([]);
    expect((await run(['search', 'volcano'], database)).stdout).toBe('No lesson matches that.');
    // Only stop words: said apart, as /lesson search says it (more words would not help); JSON stays a list.
    expect((await run(['search', 'the', 'of'], database)).stdout).toBe(
      'No lesson matches that: those words are too common to search for (the, of, is…). Try a word about the topic.',
    );
    expect(JSON.parse((await run(['search', 'the', '--json'], database)).stdout)).toEqual([]);
    // No word at all (emoji, punctuation, signs PostgreSQL reads as blanks): said so, where it said "No lesson matches that."
    for (const text of ['🎉', '!!!', '½']) {
      expect((await run(['search', text], database)).stdout, text).toBe('No lesson matches that: it holds no word to search for (letters or digits).');
    }
    const human = (await run(['search', 'wages'], database)).stdout.split('\n');
    expect(human[0]).toBe(`2025-03-14  ${HELDOUT.wages}  Major Japanese companies agree to raise wages for third straight year  [nhk]`);
  });

  it('search: bad --limit or no words is a usage error (2)', async () => {
    for (const args of [['search'], ['search', '  '], ['search', 'rice', '--limit', '0'], ['search', 'rice', '--limit', 'ten'], ['search', 'rice', '--limit']]) {
      const result = await run(args, database);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/^error: /u);
    }
  });
});
