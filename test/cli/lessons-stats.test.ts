import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { runLessonsCli } from '../../src/cli/lessons.js';
import { upsertLesson } from '../../src/db/lessons.js';
import { makeLesson } from '../support/lessons.js';
import { testDatabaseTargets, useTestDatabase, type TestDatabase } from '../support/databases.js';

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

describe.each(testDatabaseTargets())('lessons stats on $kind', (target) => {
  const db = useTestDatabase(target);

  it('lists the most-read lessons by readers, in all servers or one, as text or JSON', async () => {
    const a = makeLesson({ title: 'Rice prices' });
    const b = makeLesson({ title: 'Cherry blossoms' });
    await upsertLesson(db().db, a);
    await upsertLesson(db().db, b);
    const reads: [string, string, string, string][] = [
      [a.id, '11', 'u1', '2026-06-01T10:00:00Z'],
      [b.id, '11', 'u1', '2026-06-02T10:00:00Z'],
      [b.id, '11', 'u2', '2026-06-03T10:00:00Z'],
      [a.id, '22', 'u3', '2026-06-04T10:00:00Z'],
      [a.id, '22', 'u4', '2026-06-05T10:00:00Z'],
      [a.id, '22', 'u4', '2026-06-06T10:00:00Z'],
    ];
    for (const [lesson, guild, user, at] of reads) {
      await sql`insert into reading_events (lesson_id, guild_id, user_id, kind, occurred_at) values (${lesson}, ${guild}, ${user}, 'article', ${at})`.execute(
        db().db,
      );
    }
    const all = await run(['stats', '--json'], db);
    expect(all.code).toBe(0);
    expect(JSON.parse(all.stdout)).toEqual([
      { id: a.id, title: 'Rice prices', readers: 3, lastReadAt: '2026-06-06T10:00:00.000Z' },
      { id: b.id, title: 'Cherry blossoms', readers: 2, lastReadAt: '2026-06-03T10:00:00.000Z' },
    ]);
    const one = await run(['stats', '--guild', '11'], db);
    expect(one.stdout.split('\n')).toEqual([
      'readers  last read (UTC)   id                                    title',
      `      2  2026-06-03 10:00  ${b.id}  Cherry blossoms`,
      `      1  2026-06-01 10:00  ${a.id}  Rice prices`,
    ]);
    expect((await run(['stats', '--guild', '33'], db)).stdout).toBe('No lesson has been read in server 33 yet.');
  });

  it('refuses bad options with the usage exit code', async () => {
    expect((await run(['stats', '--limit', '0'], db)).code).toBe(2);
    expect((await run(['stats', '--guild', 'abc'], db)).code).toBe(2);
    expect((await run(['stats', 'extra'], db)).code).toBe(2);
  });
});
