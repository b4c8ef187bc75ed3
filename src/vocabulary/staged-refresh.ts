import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { finished } from 'node:stream/promises';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { lessonsNeedingVocabulary, lessonTexts, replaceVocabularies, type VocabularyToStore } from '../db/vocabulary.js';
import type { ComputedVocabularyLine } from './file-computer.js';
import { lexiconVersion } from './version.js';

/*
 * The vocabulary refresh in steps, for a process that must not hold its database and the vocabulary's model at
 * once (the lessons CLI on PGlite, whose open database is ~90 MB of the process): the texts of a chunk of the
 * lessons that need a vocabulary are written to a file (writePendingTexts), the database is closed, a worker
 * thread computes them into another file (file-computer.ts) and ends, and the database, opened again, stores
 * them (storeComputedVocabularies). Same lessons, same vocabularies as refreshVocabularies (service.ts).
 */

/** Lessons whose texts are written per window scanned (as refreshVocabularies reads them). */
const WINDOW = 250;

export interface PendingChunk {
  /** Lessons whose texts were written. */
  readonly written: number;
  /** Where the next chunk starts (after this id); undefined when the library has been scanned to its end. */
  readonly next: string | undefined;
}

/**
 * Writes the texts (a LessonText as JSON a line) of the lessons after `after` that lack a current vocabulary
 * (every lesson with `all`) to `file`, window by window, until at least `limit` are written or the library ends.
 */
export async function writePendingTexts(
  db: Kysely<DB>,
  file: string,
  options: { readonly after?: string; readonly limit: number; readonly all?: boolean },
): Promise<PendingChunk> {
  const version = lexiconVersion();
  const out = createWriteStream(file);
  let written = 0;
  let after = options.after;
  try {
    while (written < options.limit) {
      const { ids, lastScanned } = await lessonsNeedingVocabulary(db, { lexiconVersion: version, after, window: WINDOW, all: options.all });
      if (lastScanned === undefined) {
        after = undefined;
        break;
      }
      after = lastScanned;
      for (const lesson of await lessonTexts(db, ids)) {
        if (!out.write(`${JSON.stringify(lesson)}\n`)) await once(out, 'drain');
        written += 1;
      }
    }
  } finally {
    out.end();
    await finished(out);
  }
  return { written, next: after };
}

/**
 * Stores the vocabularies of `file` (ComputedVocabularyLine a line), WINDOW lessons a transaction. A lesson
 * changed since its text was written is stored with its old content hash, so it stays stale and is computed
 * again by the next refresh.
 */
export async function storeComputedVocabularies(db: Kysely<DB>, file: string): Promise<{ stored: number; failed: { lessonId: string; message: string }[] }> {
  const failed: { lessonId: string; message: string }[] = [];
  let stored = 0;
  let batch: VocabularyToStore[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const items = batch;
    batch = [];
    await db.transaction().execute((trx) => replaceVocabularies(trx, items));
    stored += items.length;
  };
  for await (const line of createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })) {
    if (line === '') continue;
    const record = JSON.parse(line) as ComputedVocabularyLine;
    if ('failed' in record) failed.push({ lessonId: record.lessonId, message: record.failed });
    else batch.push(record);
    if (batch.length >= WINDOW) await flush();
  }
  await flush();
  return { stored, failed };
}
