import { join } from 'node:path';
import type { Config } from '../config.js';
import { openMigratedDatabase } from '../db/open-from-config.js';
import { formatCounts, formatProblem, parseSources } from '../lessons/import.js';
import { createLessonsService } from '../lessons/service.js';
import { readSources } from '../lessons/sources.js';
import { projectRoot } from './project-root.js';

/**
 * First start: an empty library gets examples/lessons, through the same parser and single transaction as
 * `npm run lessons -- import`. A library with lessons is left as it is. Returns what was done, for the console.
 */
export async function importExamplesIfEmpty(config: Pick<Config, 'DATABASE_URL' | 'DATA_DIR' | 'IMPORT_TIMEZONE'>): Promise<string> {
  const database = await openMigratedDatabase(config);
  try {
    const lessons = createLessonsService({ db: database.db, now: () => new Date(), importTimeZone: config.IMPORT_TIMEZONE });
    const { total } = await lessons.list(1);
    if (total > 0) return `library: ${total} lesson${total === 1 ? '' : 's'}`;
    const folder = join(projectRoot(), 'examples', 'lessons');
    const batch = parseSources(await readSources([folder]), { importTimeZone: config.IMPORT_TIMEZONE });
    if (!batch.ok) throw new Error(`examples/lessons could not be imported:\n${batch.problems.map(formatProblem).join('\n')}`);
    const counts = await lessons.importParsed(batch.lessons.map((l) => l.lesson));
    return `library was empty: examples/lessons ${formatCounts(counts)}`;
  } finally {
    await database.close();
  }
}
