/**
 * EXPLAIN (ANALYZE, BUFFERS) of the statements a big import sends, on a real library: `node --import tsx
 * bench/import-plans.ts <postgres url> [lessons per batch]`. Two batches of the library's lessons are
 * imported again, each with a changed summary (so every one is written and matched): this changes the
 * database, use a scratch copy (`createdb -T`) of one that `lessons import` filled. Then the slowest
 * statement of each kind is run again under EXPLAIN ANALYZE, in a transaction rolled back, and its plan
 * printed with the time it took in the import.
 */
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { DB } from '../src/db/schema.js';
import { findLesson } from '../src/db/lessons.js';
import { importLessons } from '../src/lessons/import.js';
import type { Lesson } from '../src/domain/lesson.js';

const [url, batchArg] = process.argv.slice(2);
if (!url) {
  console.error('usage: node --import tsx bench/import-plans.ts <postgres url> [lessons per batch]');
  process.exit(2);
}
const batchSize = Number(batchArg ?? 250);
const pool = new pg.Pool({ connectionString: url, max: 1 });
const captured: { sql: string; parameters: readonly unknown[]; ms: number }[] = [];
const db = new Kysely<DB>({
  dialect: new PostgresDialect({ pool }),
  log: (event) => {
    if (event.level === 'query') captured.push({ sql: event.query.sql, parameters: event.query.parameters, ms: event.queryDurationMillis });
  },
});

const ids = (await sql<{ id: string }>`select id from lessons order by id limit ${batchSize * 2}`.execute(db)).rows.map((r) => r.id);
const lessons: Lesson[] = [];
for (const id of ids) {
  const stored = await findLesson(db, id);
  if (stored) lessons.push({ ...stored.lesson, summary: `${stored.lesson.summary} (again)` });
}
console.error(`re-importing ${lessons.length} lessons (batches of ${batchSize}) in a rolled-back transaction`);
captured.length = 0;
const started = performance.now();
await importLessons(db, lessons, { batchSize });
console.error(`import: ${Math.round(performance.now() - started)} ms, ${captured.length} statements`);

// The slowest statement of each kind (the same SQL text), explained.
const kinds = new Map<string, (typeof captured)[number]>();
for (const query of captured) {
  const kind = query.sql;
  const seen = kinds.get(kind);
  if (!seen || query.ms > seen.ms) kinds.set(kind, query);
}
const client = await pool.connect();
try {
  for (const query of [...kinds.values()].sort((a, b) => b.ms - a.ms)) {
    if (!/^\s*(select|insert|update|delete|with)/iu.test(query.sql)) continue;
    await client.query('begin');
    try {
      await client.query('create temporary table if not exists import_lexeme_changes (lexeme text primary key, docs int not null, text_docs int not null) on commit drop');
      const plan = await client.query(`explain (analyze, buffers) ${query.sql}`, query.parameters as unknown[]);
      console.log(`\n-- ${query.ms.toFixed(1)} ms in the import: ${query.sql.replace(/\s+/gu, ' ').slice(0, 120)}`);
      // Array constants are long: their first 200 characters are enough to see the plan.
      for (const row of plan.rows as { 'QUERY PLAN': string }[]) console.log(row['QUERY PLAN'].replace(/('\{[^']{200})[^']*'/gu, "$1…'"));
    } catch (error) {
      // A write that cannot run twice (the same rows inserted again): its plan is not shown.
      console.log(`\n-- not explained (${(error as Error).message}): ${query.sql.replace(/\s+/gu, ' ').slice(0, 120)}`);
    } finally {
      await client.query('rollback');
    }
  }
} finally {
  client.release();
  await db.destroy();
}
