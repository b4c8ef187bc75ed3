import { Migrator, sql, type Kysely, type MigrationProvider, type MigrationResultSet } from 'kysely';
import { migrations } from '../../migrations/index.js';

const provider: MigrationProvider = { getMigrations: async () => migrations };

export function createMigrator<T>(db: Kysely<T>): Migrator {
  // The migrator only touches its own tables and the migrations' untyped schema builders.
  return new Migrator({
    db: db as Kysely<unknown>,
    provider,
    // Two migrations joined the list after others with later names (2026-12-01-02 after -03 and -04, 2026-12-02-04
    // after 2026-12-03-01): a database made between the two had run the later name first, and Kysely's default
    // (refuse a list out of order) kept it from ever upgrading. Each migration stands alone; what a database has not
    // run, it runs, in name order.
    allowUnorderedMigrations: true,
  });
}

export class MigrationError extends Error {
  override readonly name: string = 'MigrationError';
}

/**
 * The database was migrated by a newer version of newsdesk than this one (the operator went back to an older
 * image or checkout): nothing is changed, and the operator is told in one line what to run instead.
 */
export class DatabaseNewerError extends MigrationError {
  override readonly name = 'DatabaseNewerError';
}

/**
 * PostgreSQL refused the migrations a privilege (SQLSTATE 42501): the database's user may not create tables or
 * extensions there. The operator's to fix (the database's owner, or grants), said in one line; no migration was applied.
 */
export class MigrationNotPermittedError extends MigrationError {
  override readonly name = 'MigrationNotPermittedError';
}

/** Brings the schema to the newest migration; Kysely's migrator locks, so concurrent starts are safe. */
export async function migrateToLatest<T>(db: Kysely<T>): Promise<string[]> {
  const { error, results } = await createMigrator(db).migrateToLatest();
  if (error) await refuseNewerDatabase(db);
  if (isPrivilegeRefusal(error)) await refuseWithoutPrivilege(db, error, results);
  return checked(error, results);
}

/** PostgreSQL's insufficient_privilege (42501), on the error or its causes. */
function isPrivilegeRefusal(error: unknown): error is Error {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 5; cause = cause.cause, depth += 1) {
    if ((cause as { code?: unknown }).code === '42501') return true;
  }
  return false;
}

/**
 * Throws MigrationNotPermittedError naming the migration (or Kysely's own table, made before any), PostgreSQL's
 * message, and the grants that let the user migrate. Kysely runs the migrations in one transaction: none was applied.
 */
async function refuseWithoutPrivilege<T>(db: Kysely<T>, error: Error, results: MigrationResultSet['results']): Promise<never> {
  const failed = results?.find((result) => result.status === 'Error');
  const where = failed ? `Database migration ${failed.migrationName} failed` : 'Database migration failed before its first migration, making its table kysely_migration';
  const who = await sql<{ user: string; database: string }>`select current_user as "user", current_database() as "database"`
    .execute(db)
    .then((result) => result.rows[0])
    .catch(() => undefined);
  const user = who ? quoteIdentifier(who.user) : 'the user';
  const database = who ? quoteIdentifier(who.database) : 'the database';
  throw new MigrationNotPermittedError(
    `${where}: ${error.message}. The user in DATABASE_URL${who ? ` (${who.user})` : ''} may not create tables or extensions there: ` +
      `make it the database's owner (ALTER DATABASE ${database} OWNER TO ${user}), or GRANT CREATE ON DATABASE ${database} TO ${user} ` +
      `and GRANT CREATE ON SCHEMA public TO ${user}, then start again. No migration was applied.`,
    { cause: error },
  );
}

const quoteIdentifier = (name: string) => (/^[a-z_][a-z0-9_]*$/u.test(name) ? name : `"${name.replaceAll('"', '""')}"`);

/** Throws DatabaseNewerError when the database has run migrations this version does not know. */
async function refuseNewerDatabase<T>(db: Kysely<T>): Promise<void> {
  const executed = await (db as unknown as Kysely<{ kysely_migration: { name: string } }>)
    .selectFrom('kysely_migration')
    .select('name')
    .execute()
    .catch(() => []);
  const unknown = executed.map((row) => row.name).filter((name) => !Object.hasOwn(migrations, name)).sort();
  if (unknown.length === 0) return;
  const newest = unknown.at(-1);
  throw new DatabaseNewerError(
    `the database was migrated by a newer version of newsdesk (its migration ${newest}${unknown.length > 1 ? ` and ${unknown.length - 1} more` : ''} is not in this version): run that version or a newer one; nothing was changed`,
  );
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
