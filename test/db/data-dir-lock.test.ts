import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirLockedError, lockDataDir } from '../../src/db/data-dir-lock.js';

describe('the embedded database’s one-process lock', () => {
  const dirs: string[] = [];
  const freshDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'newsdesk-lock-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a second holder, naming the process that holds it', () => {
    const dir = freshDir();
    const lock = lockDataDir(dir);
    expect(() => lockDataDir(dir)).toThrow(DataDirLockedError);
    expect(() => lockDataDir(dir)).toThrow(new RegExp(`in use by process ${process.pid} \\(`, 'u'));
    lock.release();
    lockDataDir(dir).release();
  });

  it('takes over a lock left by a process that no longer exists', () => {
    const dir = freshDir();
    // PIDs are below 2^22 on Linux: this one cannot be running.
    writeFileSync(join(dir, 'pglite.lock'), JSON.stringify({ pid: 2 ** 22 + 1, host: hostname(), command: 'crashed', since: '2026-01-01' }));
    const lock = lockDataDir(dir);
    expect(() => lockDataDir(dir)).toThrow(DataDirLockedError);
    lock.release();
  });

  it('removes the lock files it took over, so a later process that gets their pid cannot block the directory', () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'pglite.lock.1'), JSON.stringify({ pid: 2 ** 22 + 1, host: hostname(), command: 'crashed', since: '2026-01-01' }));
    writeFileSync(join(dir, 'pglite.lock.2'), JSON.stringify({ pid: 2 ** 22 + 2, host: hostname(), command: 'crashed too', since: '2026-01-02' }));
    lockDataDir(dir).release();
    expect(readdirSync(dir).filter((name) => name.startsWith('pglite.lock'))).toEqual([]);
    // Had pglite.lock.2 stayed behind, this live pid in it would now block every start.
    writeFileSync(join(dir, 'pglite.lock.1'), JSON.stringify({ pid: 2 ** 22 + 1, host: hostname(), command: 'crashed', since: '2026-01-01' }));
    const lock = lockDataDir(dir);
    lock.release();
    expect(readdirSync(dir).filter((name) => name.startsWith('pglite.lock'))).toEqual([]);
  });

  it('takes over a lock from an earlier life of the same pid (a restarted container)', () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'pglite.lock'), JSON.stringify({ pid: process.pid, host: hostname(), command: 'old', since: '2020-01-01T00:00:00.000Z' }));
    lockDataDir(dir).release();
  });

  it.runIf(existsSync('/proc/sys/kernel/random/boot_id'))('takes over a lock taken before the machine last booted, whoever has its pid now', () => {
    const dir = freshDir();
    // A live pid (the parent of this process), in a lock of an earlier boot: a power cut, and a service got the pid.
    const lock = { pid: process.ppid, host: hostname(), command: 'before the reboot', since: '2026-12-01T00:00:00.000Z' };
    writeFileSync(join(dir, 'pglite.lock.1'), JSON.stringify({ ...lock, boot: '00000000-0000-0000-0000-000000000000' }));
    lockDataDir(dir).release();
    // Of this boot, or from a version that wrote no boot: its live pid holds it, as before.
    const thisBoot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    for (const owner of [{ ...lock, boot: thisBoot }, lock]) {
      writeFileSync(join(dir, 'pglite.lock.1'), JSON.stringify(owner));
      expect(() => lockDataDir(dir)).toThrow(new RegExp(`in use by process ${process.ppid} \\(before the reboot\\)`, 'u'));
    }
  });

  it('treats an unreadable lock file as stale rather than refusing forever', () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'pglite.lock'), 'not json');
    lockDataDir(dir).release();
  });
});
