import { linkSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
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
  /** The machine's boot (Linux's boot_id) when the lock was taken; absent in older lock files and elsewhere. */
  boot?: string;
}

export interface DataDirLock {
  release(): void;
}

/**
 * Lock files are numbered: `pglite.lock.1`, `pglite.lock.2`, … (a plain `pglite.lock` from older versions
 * counts as number 0). The lock is the highest-numbered file. A process takes a free or stale lock by
 * creating the NEXT number, and creating a file that must not exist yet (a hard link) succeeds for exactly
 * one process. So two processes finding the same stale lock cannot both win, and nobody ever deletes a
 * live lock file but its own holder: a take-over that deleted "the" lock file could delete a fresh one
 * taken by another process a moment earlier. (The new holder does delete the lower numbers it took over:
 * those are never live, see removeTakenOver.)
 */
const LOCK_FILE = /^pglite\.lock(?:\.([1-9][0-9]{0,8}))?$/u;

function lockFiles(dataDir: string): { number: number; path: string }[] {
  const files: { number: number; path: string }[] = [];
  for (const name of readdirSync(dataDir)) {
    const match = LOCK_FILE.exec(name);
    if (match) files.push({ number: match[1] ? Number(match[1]) : 0, path: join(dataDir, name) });
  }
  return files.sort((a, b) => a.number - b.number);
}

export function lockDataDir(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  // Written in full under a private name, then linked into place: a reader never sees a half-written owner.
  const draft = join(dataDir, `.pglite.lock.draft-${process.pid}-${randomBytes(4).toString('hex')}`);
  const boot = bootId();
  const owner: LockOwner = { pid: process.pid, host: hostname(), command: process.argv.slice(1).join(' '), since: new Date().toISOString(), ...(boot ? { boot } : {}) };
  writeFileSync(draft, JSON.stringify(owner));
  try {
    for (let attempt = 0; attempt < 50; attempt++) {
      const top = lockFiles(dataDir).at(-1);
      if (top) {
        const holder = readOwner(top.path);
        if (holder === 'gone') continue; // released between listing and reading: look again
        if (holder !== 'unreadable' && isAlive(holder)) throw lockedBy(holder, dataDir, top.path);
        // The holder is gone (crash, kill -9): the lock is stale, and the next number takes it over.
      }
      const path = join(dataDir, `pglite.lock.${(top?.number ?? 0) + 1}`);
      try {
        linkSync(draft, path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue; // another process was first: judge its lock
        throw error;
      }
      removeTakenOver(dataDir, (top?.number ?? 0) + 1);
      return held(path);
    }
    throw new DataDirLockedError(`Could not lock the embedded database in ${dataDir}: other processes keep taking it.`);
  } finally {
    rmSync(draft, { force: true });
  }
}

/**
 * The lock files below the one just taken: each was taken over (judged stale) or released-and-left by an
 * older version, so none is anyone's lock. Left in place, one would become the highest again once the new
 * holder releases its own, and a process that later got its pid would make the directory look in use.
 * Deleting them cannot race: a live lock is always the highest number.
 */
function removeTakenOver(dataDir: string, number: number): void {
  for (const file of lockFiles(dataDir)) if (file.number < number) rmSync(file.path, { force: true });
}

function held(path: string): DataDirLock {
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      rmSync(path, { force: true });
    },
  };
}

function lockedBy(holder: LockOwner, dataDir: string, path: string): DataDirLockedError {
  return new DataDirLockedError(
    `The embedded database in ${dataDir} is in use by process ${holder.pid} (${holder.command}) on ${holder.host}, ` +
      `since ${holder.since}. PGlite allows one process at a time: stop that process, ` +
      `or set DATABASE_URL to share a PostgreSQL server between processes. ` +
      `If that process is certainly gone (another machine or container), delete ${path}.`,
  );
}

function readOwner(path: string): LockOwner | 'gone' | 'unreadable' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    return 'unreadable';
  }
  try {
    const owner = JSON.parse(text) as LockOwner;
    return typeof owner?.pid === 'number' ? owner : 'unreadable';
  } catch {
    return 'unreadable';
  }
}

function isAlive(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return true; // cannot check another machine's processes: assume alive
  // Taken before this machine last booted: its holder is gone, whoever has its pid now. A boot hands out its first
  // pids in much the same order, so after a power cut the pid was often another service's, and until 2026-12-07 every
  // start was refused until the lock file was deleted by hand.
  const boot = bootId();
  if (owner.boot !== undefined && boot !== undefined && owner.boot !== boot) return false;
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

/** Linux's id of this boot of the machine (the same in its containers); undefined elsewhere. */
function bootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function processStartedAt(): number {
  return Date.now() - process.uptime() * 1000 - 1000;
}
