/**
 * The configured database cannot be used at all: PostgreSQL not running or refusing, a wrong password or
 * database name, a data directory this process cannot write. The operator's to fix, so it is told in one line
 * (never with the password) rather than as a stack trace.
 */
export class DatabaseUnavailableError extends Error {
  override readonly name = 'DatabaseUnavailableError';
}

/** What went wrong, in a few words: pg's message, or the socket's code (an AggregateError of two addresses has no message). */
export function connectFailure(error: unknown): string {
  if (error instanceof AggregateError && error.message === '') return error.errors.map(connectFailure).join('; ');
  if (error instanceof Error) return error.message || (error as NodeJS.ErrnoException).code || error.name;
  return String(error);
}

const DIRECTORY_PROBLEMS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  EEXIST: 'it is a file, not a directory',
  ENOTDIR: 'a part of the path is a file, not a directory',
  ENOENT: 'a part of the path does not exist (a broken link?)',
  ENOSPC: 'no space left on the device',
};

/** Why a data directory could not be created or written, in words. */
export function directoryProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return (code && DIRECTORY_PROBLEMS[code]) ?? connectFailure(error);
}
