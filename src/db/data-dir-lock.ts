import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** PGlite's data directory may be opened by one process at a time; this lock makes a second one fail loudly. */
export class DataDirLockedError extends Error {
  override readonly name = 'DataDirLockedError';
}

interface LockOwner {
  pid: number;
  host: string;
  command: string;
  since: string;
}

export interface DataDirLock {
  release(): void;
}

export function lockDataDir(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'pglite.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    // Written in full under a temporary name, then linked into place: linking fails if the lock exists,
    // and a reader never sees a half-written owner.
    const draft = `${path}.${process.pid}`;
    const owner: LockOwner = { pid: process.pid, host: hostname(), command: process.argv.slice(1).join(' '), since: new Date().toISOString() };
    writeFileSync(draft, JSON.stringify(owner));
    try {
      linkSync(draft, path);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          rmSync(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readOwner(path);
      if (holder && isAlive(holder)) {
        throw new DataDirLockedError(
          `The embedded database in ${dataDir} is in use by process ${holder.pid} (${holder.command}) on ${holder.host}, ` +
            `since ${holder.since}. PGlite allows one process at a time: stop that process, ` +
            `or set DATABASE_URL to share a PostgreSQL server between processes. ` +
            `If that process is certainly gone (another machine or container), delete ${path}.`,
        );
      }
      // The owner is gone (crash, kill -9): the lock is stale and safe to take over.
      rmSync(path, { force: true });
    } finally {
      rmSync(draft, { force: true });
    }
  }
  throw new DataDirLockedError(`Could not lock the embedded database in ${dataDir}: another process keeps taking it.`);
}

function readOwner(path: string): LockOwner | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
  } catch {
    return undefined;
  }
}

function isAlive(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return true; // cannot check another machine's processes: assume alive
  // Our own pid: this process holds it, unless the lock is older than this process (a container restarted
  // with the same pid as its previous life).
  if (owner.pid === process.pid) return Date.parse(owner.since) >= processStartedAt();
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function processStartedAt(): number {
  return Date.now() - process.uptime() * 1000 - 1000;
}
