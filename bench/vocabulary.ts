/**
 * Import with vocabulary: `npm run bench:vocabulary [-- lessons]` (default 10,000). Prints JSON lines:
 * - `vocabulary-load`: loading the model and word lists in this thread (ms, memory added);
 * - `vocabulary-worker`: the same in a worker thread, as the bot does it (first and next answer, memory);
 * - `vocabulary-import`: the import of N generated lessons (one transaction, as the CLI does), then the
 *   vocabulary step after it (as `npm run lessons -- import` does), each timed, with a bare indexed
 *   SELECT's median from the same run for a ratio.
 * Uses a scratch PostgreSQL database when TEST_DATABASE_URL is set, else an in-memory PGlite. Numbers depend
 * on the machine and its load; compare within one run. Standalone until the shared `npm run bench` runner lands.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { openDatabase, type Database } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import type { Lesson } from '../src/domain/lesson.js';
import { seededRandom } from '../src/domain/vocabulary/random.js';
import { importLessons } from '../src/lessons/import.js';
import { createVocabularyComputer } from '../src/vocabulary/computer.js';
import { createWorkerVocabularyComputer } from '../src/vocabulary/worker-computer.js';
import { refreshVocabularies } from '../src/vocabulary/service.js';
import { WordLexicon } from '../src/vocabulary/lexicon.js';
import { LessonAnalyzer } from '../src/vocabulary/analyzer.js';
import { makeLesson } from '../test/support/lessons.js';
import { createScratchPostgres } from '../test/support/databases.js';
import { handMadeLessons, referenceLesson } from '../test/support/vocabulary-lessons.js';

const count = Number(process.argv[2] ?? 10_000);
const mb = (bytes: number) => Math.round(bytes / 1e5) / 10;

// ---- the model and word lists alone ----
{
  const before = process.memoryUsage().rss;
  const started = performance.now();
  const lexicon = new WordLexicon();
  new LessonAnalyzer();
  const loadMs = performance.now() - started;
  for (const pos of ['noun', 'verb', 'adjective', 'adverb'] as const) lexicon.distractorPool(pos);
  const withPoolsMs = performance.now() - started;
  console.log(JSON.stringify({ bench: 'vocabulary-load', loadMs: Math.round(loadMs), withDistractorPoolsMs: Math.round(withPoolsMs), rssAddedMb: mb(process.memoryUsage().rss - before) }));
  lexicon.close();
}

// ---- the bot's way: a worker thread (what it adds to the bot's memory while it works, and the first answer) ----
{
  const before = process.memoryUsage().rss;
  const worker = createWorkerVocabularyComputer();
  const started = performance.now();
  await worker.compute(referenceLesson());
  const firstMs = performance.now() - started;
  const during = process.memoryUsage().rss;
  const again = performance.now();
  await worker.compute(handMadeLessons[0]!);
  const nextMs = performance.now() - again;
  await worker.close();
  console.log(JSON.stringify({ bench: 'vocabulary-worker', firstComputeMs: Math.round(firstMs), nextComputeMs: Math.round(nextMs), rssAddedWhileRunningMb: mb(during - before) }));
}

/**
 * Realistic lessons: the sentences of the reference and hand-made lessons, shuffled, with about one word in
 * six replaced by a word of the same kind from a few thousand, so every lesson has its own vocabulary.
 */
function generate(n: number): Lesson[] {
  const sources = [referenceLesson(), ...handMadeLessons];
  const articleSentences = sources.flatMap((l) => l.article);
  const dialogueTurns = sources.flatMap((l) => l.dialogue.map((t) => t.text));
  const lexicon = new WordLexicon();
  const nouns = lexicon.distractorPool('noun').filter((w) => w.count >= 2).map((w) => w.lemma);
  lexicon.close();
  const random = seededRandom(42);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)] as T;
  const vary = (text: string) => text.replace(/\b[a-z]{6,}\b/gu, (word) => (random() < 0.35 ? pick(nouns) : word));
  return Array.from({ length: n }, (_, i) =>
    makeLesson({
      id: randomUUID(),
      date: `20${String(10 + (i % 15)).padStart(2, '0')}-0${1 + (i % 9)}-1${i % 9}`,
      title: `Generated lesson ${i + 1}`,
      // A summary of its own and no similar reading: this measures the vocabulary, not the import's matching. (With
      // makeLesson's one summary and similar reading in every lesson, each title's candidates were the whole library,
      // and 10,000 such lessons took 774 s to import on PGlite: BENCHMARKS.md, "Import: lessons that share a summary".)
      summary: vary(pick(articleSentences)),
      similarReadings: [],
      article: Array.from({ length: 10 }, () => vary(pick(articleSentences))),
      dialogue: Array.from({ length: 12 }, (_, t) => ({ speaker: t % 2 === 0 ? 'A' : 'B', text: vary(pick(dialogueTurns)) })),
    }),
  );
}

async function open(): Promise<{ database: Database; kind: string; cleanup: () => Promise<void> }> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    const database = await openDatabase({ dataDir: 'memory://' });
    return { database, kind: 'pglite', cleanup: () => database.close() };
  }
  const scratch = await createScratchPostgres(url);
  const database = await openDatabase({ url: scratch.url, dataDir: 'unused' });
  return { database, kind: 'postgres', cleanup: async () => { await database.close(); await scratch.drop(); } };
}

const lessons = generate(count);
const { database, kind, cleanup } = await open();
try {
  const { db } = database;
  await migrateToLatest(db);
  let started = performance.now();
  await importLessons(db, lessons);
  const importMs = performance.now() - started;
  const computer = createVocabularyComputer();
  started = performance.now();
  const outcome = await refreshVocabularies(db, computer);
  const vocabularyMs = performance.now() - started;
  computer.close();
  const bare: number[] = [];
  for (let i = 0; i < 50; i++) {
    const t = performance.now();
    await sql`select id from lessons where id = ${lessons[i % lessons.length]!.id}`.execute(db);
    bare.push(performance.now() - t);
  }
  bare.sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      bench: 'vocabulary-import',
      db: kind,
      lessons: count,
      importMs: Math.round(importMs),
      vocabularyMs: Math.round(vocabularyMs),
      totalMs: Math.round(importMs + vocabularyMs),
      vocabularyPerLessonMs: Math.round((vocabularyMs / count) * 100) / 100,
      computed: outcome.computed,
      failed: outcome.failed.length,
      firstFailure: outcome.failed[0]?.message,
      bareSelectMedianMs: Math.round((bare[25] ?? 0) * 100) / 100,
    }),
  );
} finally {
  await cleanup();
}
