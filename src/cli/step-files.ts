import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PREFIX = 'newsdesk-vocabulary-';
/** A step directory's name, and the id of the process that made it. */
const STEP_DIRECTORY = new RegExp(`^${PREFIX}(\\d+)-`, 'u');

/**
 * A temporary directory for the vocabulary refresh's step files (tens of MB: ~14 KB a lesson, 5,000 lessons a
 * step), named with this process's id. A refresh ended by a signal (on PGlite Ctrl+C ends the process itself) or
 * killed leaves its directory behind; each new one first removes those of processes no longer running (in `/tmp`,
 * often memory, they stayed until a reboot).
 */
export async function makeStepDirectory(parent: string = tmpdir()): Promise<string> {
  await removeAbandonedStepDirectories(parent);
  return mkdtemp(join(parent, `${PREFIX}${process.pid}-`));
}

/** Removes the step directories in `parent` whose process has ended. Another user's, or a live process's, stay. */
export async function removeAbandonedStepDirectories(parent: string): Promise<string[]> {
  const removed: string[] = [];
  const names = await readdir(parent).catch(() => [] as string[]);
  for (const name of names) {
    const pid = STEP_DIRECTORY.exec(name)?.[1];
    if (pid === undefined || processRunning(Number(pid))) continue;
    try {
      await rm(join(parent, name), { recursive: true, force: true });
      removed.push(name);
    } catch {
      // Not ours to remove (another user's temporary directory): left as it is.
    }
  }
  return removed;
}

function processRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
