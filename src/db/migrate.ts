import { Migrator, type Kysely, type MigrationProvider, type MigrationResultSet } from 'kysely';
import { migrations } from '../../migrations/index.js';

const provider: MigrationProvider = { getMigrations: async () => migrations };

export function createMigrator<T>(db: Kysely<T>): Migrator {
  // The migrator only touches its own tables and the migrations' untyped schema builders.
  return new Migrator({ db: db as Kysely<unknown>, provider });
}

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

/** Brings the schema to the newest migration; Kysely's migrator locks, so concurrent starts are safe. */
export async function migrateToLatest<T>(db: Kysely<T>): Promise<string[]> {
  const { error, results } = await createMigrator(db).migrateToLatest();
  return checked(error, results);
}

function checked(error: unknown, results: MigrationResultSet['results']): string[] {
  const failed = results?.find((result) => result.status === 'Error');
  if (error || failed) {
    const which = failed ? ` in ${failed.migrationName}` : '';
    throw new MigrationError(`Database migration failed${which}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  return (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName);
}
