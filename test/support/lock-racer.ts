/**
 * A process that takes PGlite data-dir locks when told to, for the race test: reads commands on stdin
 * (`go <dir> <at ms>`: spin until that instant, then try to lock; `release`; `exit`) and answers
 * `got <dir>` or `locked <dir>` on stdout.
 */
import { createInterface } from 'node:readline';
import { DataDirLockedError, lockDataDir, type DataDirLock } from '../../src/db/data-dir-lock.js';

const held: DataDirLock[] = [];
for await (const line of createInterface({ input: process.stdin })) {
  const [command, dir, at] = line.split(' ');
  if (command === 'go' && dir) {
    while (Date.now() < Number(at)) {
      // spin: both racers start within microseconds of each other
    }
    try {
      held.push(lockDataDir(dir));
      process.stdout.write(`got ${dir}\n`);
    } catch (error) {
      process.stdout.write(`${error instanceof DataDirLockedError ? 'locked' : `error ${(error as Error).message}`} ${dir}\n`);
    }
  } else if (command === 'release') {
    for (const lock of held.splice(0)) lock.release();
    process.stdout.write('released\n');
  } else if (command === 'exit') {
    break;
  }
}
