import type { Config } from '../config.js';
import { openDatabase, type Database } from './database.js';
import { migrateToLatest } from './migrate.js';

/** Opens the configured database (PostgreSQL or embedded PGlite) and brings its schema up to date. */
export async function openMigratedDatabase(
  config: Pick<Config, 'DATABASE_URL' | 'DATA_DIR'>,
  onPoolError?: (error: Error) => void,
): Promise<Database & { applied: string[] }> {
  const database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR, onPoolError });
  try {
    const applied = await migrateToLatest(database.db);
    return Object.assign(database, { applied });
  } catch (error) {
    await database.close();
    throw error;
  }
}
