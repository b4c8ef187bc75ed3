import { ConfigError } from './config.js';
import { DataDirLockedError } from './db/data-dir-lock.js';
import { DatabaseNewerError, MigrationNotPermittedError } from './db/migrate.js';
import { DatabaseUnavailableError } from './db/unavailable.js';
import { PortUnavailableError } from './listen.js';

/**
 * What the operator fixes before a start can succeed (a setting, the database's address or data directory, a data
 * directory another process holds, a port another program uses, a database a newer version migrated, a database
 * user that may not create what the migrations make): every entry
 * point prints its one-line message and exits 1, no stack trace.
 */
export function isOperatorError(error: unknown): error is Error {
  return (
    error instanceof ConfigError ||
    error instanceof DataDirLockedError ||
    error instanceof DatabaseUnavailableError ||
    error instanceof PortUnavailableError ||
    error instanceof DatabaseNewerError ||
    error instanceof MigrationNotPermittedError
  );
}
