import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeStepDirectory, removeAbandonedStepDirectories } from '../../src/cli/step-files.js';

/** The id of a process that has run and ended. */
function endedPid(): number {
  const ended = spawnSync(process.execPath, ['-e', '']);
  expect(ended.status).toBe(0);
  return ended.pid;
}

describe('the vocabulary refresh’s step directories', () => {
  let parent: string | undefined;
  afterEach(async () => {
    if (parent) await rm(parent, { recursive: true, force: true });
    parent = undefined;
  });

  it('a new one removes those whose process has ended, with their files, and keeps a running process’s and anything else', async () => {
    parent = await mkdtemp(join(tmpdir(), 'step-files-test-'));
    const abandoned = `newsdesk-vocabulary-${endedPid()}-Ab12Cd`;
    const running = `newsdesk-vocabulary-${process.ppid}-Xy34Zw`;
    for (const name of [abandoned, running, 'newsdesk-vocabulary-notapid', 'something-else']) {
      await mkdir(join(parent, name));
      await writeFile(join(parent, name, 'lessons.ndjson'), '{}\n');
    }
    const made = await makeStepDirectory(parent);
    expect(made.startsWith(join(parent, `newsdesk-vocabulary-${process.pid}-`))).toBe(true);
    expect((await readdir(parent)).sort()).toEqual([made.slice(parent.length + 1), 'newsdesk-vocabulary-notapid', running, 'something-else'].sort());
  });

  it('finds nothing to remove in a folder that does not exist', async () => {
    expect(await removeAbandonedStepDirectories(join(tmpdir(), 'no-such-folder-for-step-files'))).toEqual([]);
  });
});
