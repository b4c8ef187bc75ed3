import { join } from 'node:path';
import type { Config } from '../config.js';
import { openMigratedDatabase } from '../db/open-from-config.js';
import { formatCounts, formatProblem, parseSources } from '../lessons/import.js';
import { createLessonsService } from '../lessons/service.js';
import { readSources } from '../lessons/sources.js';
import { projectRoot } from '../project-root.js';

/** What the playground imports on first start: the reference export, then a small library around it. */
export const EXAMPLE_FOLDERS = ['examples/lessons', 'examples/library'] as const;

/**
 * First start: an empty library gets EXAMPLE_FOLDERS (the reference export and ten example lessons, so
 * search pages, related readings link lessons and a schedule has a backlog), through the same parser and
 * single transaction as `npm run lessons -- import`. A library with lessons is left as it is. Returns what
 * was done, for the console.
 */
export async function importExamplesIfEmpty(config: Pick<Config, 'DATABASE_URL' | 'DATA_DIR' | 'IMPORT_TIMEZONE'>): Promise<string> {
  const database = await openMigratedDatabase(config);
  try {
    const lessons = createLessonsService({ db: database.db, now: () => new Date(), importTimeZone: config.IMPORT_TIMEZONE });
    const { total } = await lessons.list(1);
    if (total > 0) return `library: ${total} lesson${total === 1 ? '' : 's'}`;
    const folders = EXAMPLE_FOLDERS.map((folder) => join(projectRoot(), folder));
    const batch = parseSources(await readSources(folders), { importTimeZone: config.IMPORT_TIMEZONE });
    const names = EXAMPLE_FOLDERS.join(' and ');
    if (!batch.ok) throw new Error(`${names} could not be imported:\n${batch.problems.map(formatProblem).join('\n')}`);
    const counts = await lessons.importParsed(batch.lessons.map((l) => l.lesson));
    return `library was empty: ${names} ${formatCounts(counts)}`;
  } finally {
    await database.close();
  }
}
