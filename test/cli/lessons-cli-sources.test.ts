import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLessonsCli } from '../../src/cli/lessons.js';
import { fromCallersDirectory } from '../../src/cli/lessons-import.js';

/*
 * What the CLI reads (issue 8, item 2), in-process: anything that is not a readable lesson file is refused
 * with an error naming it and exit code 1, never a stack trace. Devices, pipes and files over the limit are
 * in test/e2e/lessons-cli-hostile.test.ts.
 */

async function importDryRun(...paths: string[]): Promise<{ code: number; stderr: string }> {
  const err: string[] = [];
  const code = await runLessonsCli(['import', ...paths, '--dry-run'], {
    env: { LOG_LEVEL: 'warn', DATA_DIR: dir },
    stdin: Readable.from([]),
    out: () => undefined,
    err: (line) => err.push(line),
  });
  return { code, stderr: err.join('\n') };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'newsdesk-sources-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.runIf(process.platform === 'linux')('files the system will not read as they say', () => {
  it('a file whose read fails (/proc/self/mem) is refused with its name and the reason', async () => {
    const result = await importDryRun('/proc/self/mem');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('/proc/self/mem: could not be read (EIO)\nnothing imported: 1 problem');
  });

  it('a file that says it is empty but is not (/proc) is read to its end', async () => {
    const result = await importDryRun('/proc/self/status');
    expect(result.code).toBe(1);
    // Its problems are found on its later lines, not in one byte of it.
    expect(result.stderr).toMatch(/^\/proc\/self\/status:(?:[2-9]|\d{2,}): /mu);
  });
});

describe.runIf(process.platform === 'linux')('file names a terminal would obey', () => {
  it('a file named with an escape sequence is named with its escapes, never the raw sequence', async () => {
    const folder = join(dir, 'hostile-names');
    mkdirSync(folder);
    const name = 'bad\u001b[31mred\u009b2J.txt';
    writeFileSync(join(folder, name), 'not a lesson\n');
    const result = await importDryRun(folder);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${folder}/bad\\u001b[31mred\\u009b2J.txt:1: `);
    expect([...result.stderr].filter((char) => char === '\u001b' || char === '\u009b')).toEqual([]);
  });
});

describe('directories', () => {
  it('a directory without lesson files is named', async () => {
    const empty = join(dir, 'nothing-here');
    mkdirSync(join(empty, 'sub'), { recursive: true });
    const result = await importDryRun(empty);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`${empty}: no lesson files (.txt or .json) in this directory`);
  });

  it('a file reached twice (named, and in a folder named; or two folders, one inside the other) is read once', async () => {
    const root = join(dir, 'overlapping');
    mkdirSync(join(root, 'inner'), { recursive: true });
    copyFileSync(join('examples/library', '2025-04-14-lunar-probe-far-side.txt'), join(root, 'inner', 'lunar.txt'));
    copyFileSync(join('examples/library', '2025-04-18-marathon-heat.txt'), join(root, 'marathon.txt'));
    const imported = async (...paths: string[]) => {
      const out: string[] = [];
      const code = await runLessonsCli(['import', ...paths, '--dry-run'], { env: { LOG_LEVEL: 'warn', DATA_DIR: dir }, stdin: Readable.from([]), out: (line) => out.push(line), err: (line) => out.push(line) });
      return { code, out: out.join('\n') };
    };
    // It was read twice and refused as "also in" itself: nothing imported.
    for (const paths of [[root, join(root, 'marathon.txt')], [join(root, 'marathon.txt'), root], [root, join(root, 'inner')]]) {
      const result = await imported(...paths);
      expect(result.out).toMatch(/^2 lessons valid \(dry run, nothing written\)/mu);
      expect(result.code).toBe(0);
    }
  });

  it('a relative path is read from where `npm run lessons` was typed (npm says it in INIT_CWD), not the package folder', async () => {
    const out: string[] = [];
    const code = await runLessonsCli(['import', 'library', '--dry-run'], {
      env: { LOG_LEVEL: 'warn', DATA_DIR: dir, INIT_CWD: join(process.cwd(), 'examples') },
      stdin: Readable.from([]),
      out: (line) => out.push(line),
      err: (line) => out.push(line),
    });
    expect(out.join('\n')).toMatch(/^\d+ lessons valid \(dry run, nothing written\)/mu);
    expect(code).toBe(0);
    // Typed in the package folder itself, the path stays as typed (the messages name it so).
    expect(fromCallersDirectory('examples/library', { INIT_CWD: process.cwd() })).toBe('examples/library');
    expect(fromCallersDirectory('library', { INIT_CWD: '/srv/lessons' }, '/app')).toBe('/srv/lessons/library');
    expect(fromCallersDirectory('/abs/x.txt', { INIT_CWD: '/srv' }, '/app')).toBe('/abs/x.txt');
    expect(fromCallersDirectory('-', { INIT_CWD: '/srv' }, '/app')).toBe('-');
  });

  /** Two real lessons, each in a folder of its own under `root`. */
  const twoLessons = (root: string) => {
    for (const [folder, name] of [['one', '2025-04-14-lunar-probe-far-side.txt'], ['two', '2025-04-18-marathon-heat.txt']] as const) {
      mkdirSync(join(root, folder), { recursive: true });
      copyFileSync(join('examples/library', name), join(root, folder, name));
    }
    return { one: join(root, 'one', '2025-04-14-lunar-probe-far-side.txt'), two: join(root, 'two') };
  };

  it.runIf(process.platform !== 'win32')('follows links: a folder of links to a lesson file and to a folder holds their lessons', async () => {
    const root = join(dir, 'linked');
    const { one, two } = twoLessons(root);
    const links = join(root, 'links');
    mkdirSync(links);
    symlinkSync(one, join(links, 'lunar.txt'));
    symlinkSync(two, join(links, 'more'));
    const result = await importDryRun(links);
    expect(result).toEqual({ code: 0, stderr: '2 lessons valid (dry run, nothing written)' });
  });

  it.runIf(process.platform !== 'win32')('lists a file or folder reached twice through links once, and a link back to a folder being listed does not loop', async () => {
    const root = join(dir, 'twice');
    const { one, two } = twoLessons(root);
    symlinkSync(one, join(root, 'latest.txt'));
    symlinkSync(two, join(root, 'also-two'));
    symlinkSync(root, join(root, 'two', 'back-to-the-top'));
    symlinkSync('.', join(root, 'here'));
    const result = await importDryRun(root);
    // Each lesson once: not refused as "also in" another file, which a lesson listed twice would be.
    expect(result).toEqual({ code: 0, stderr: '2 lessons valid (dry run, nothing written)' });
  });

  it.runIf(process.platform !== 'win32')('names a broken link that looks like a lesson file among the problems, rather than leaving it out', async () => {
    const root = join(dir, 'broken');
    twoLessons(root);
    const broken = join(root, 'gone.txt');
    symlinkSync(join(root, 'nowhere.txt'), broken);
    const result = await importDryRun(root);
    expect(result).toEqual({ code: 1, stderr: `${broken}: could not be read (ENOENT)\nnothing imported: 1 problem` });
  });
});
