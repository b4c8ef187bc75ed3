import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchPostgres } from '../support/databases.js';
import { runScript } from '../support/run-cli.js';

const REFERENCE = 'examples/lessons/nhk-2025-05-31-japan-us-cyber.txt';
const CLI = 'src/cli/lessons.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'newsdesk-hostile-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, content: string | Buffer): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

describe('the CLI reads only regular files of a bounded size', () => {
  it.each(['/dev/urandom', '/dev/zero'])('refuses %s at once, naming it', async (device) => {
    const started = Date.now();
    const result = await runScript(CLI, ['import', device, '--dry-run'], { DATA_DIR: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${device}: not a regular file`);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('refuses a named pipe without waiting for a writer', async () => {
    const fifo = join(dir, 'lessons.fifo');
    execFileSync('mkfifo', [fifo]);
    const result = await runScript(CLI, ['import', fifo, '--dry-run'], { DATA_DIR: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${fifo}: not a regular file`);
  });

  it('refuses a file over 10 MiB, naming it and the limit', async () => {
    const big = file('big.json', Buffer.alloc(10 * 1024 * 1024 + 1, 0x20));
    const result = await runScript(CLI, ['import', big, '--dry-run'], { DATA_DIR: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${big}: larger than 10 MiB, the limit for a lesson file`);
  });

  it('refuses more than 10 MiB on standard input', async () => {
    const result = await runScript(CLI, ['import', '-', '--dry-run'], { DATA_DIR: dir }, ' '.repeat(10 * 1024 * 1024 + 1));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('<stdin>: larger than 10 MiB');
  });
});

describe('the CLI on files of many problems', () => {
  it('lists the first 50 problems of 12,000 empty lessons and counts the rest, without a stack overflow', async () => {
    const path = file('empty-objects.json', `[${Array.from({ length: 12_000 }, () => '{}').join(',')}]`);
    const result = await runScript(CLI, ['import', path, '--dry-run'], { DATA_DIR: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).not.toMatch(/RangeError|Maximum call stack/u);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(52);
    expect(lines[0]).toBe(`${path}:1: lesson 1: id: missing`);
    expect(lines[50]).toBe(`${path}: and 131950 more problems not listed (only the first 50 of a file are shown)`);
    expect(lines[51]).toBe('nothing imported: 132000 problems');
  });

  it.each([
    ['an empty JSON array', 'empty.json', '[]'],
    ['a 0-byte text file', 'empty.txt', ''],
  ])('refuses %s: no lessons in this file', async (_name, name, content) => {
    const path = file(name, content);
    const result = await runScript(CLI, ['import', path, '--dry-run'], { DATA_DIR: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${path}:1: no lessons in this file`);
  });
});

interface Target {
  kind: string;
  env(): Promise<{ env: Record<string, string>; cleanup(): Promise<void> }>;
}

const targets: Target[] = [
  {
    kind: 'pglite',
    async env() {
      const data = mkdtempSync(join(tmpdir(), 'newsdesk-cli-'));
      return { env: { DATA_DIR: data }, cleanup: async () => rmSync(data, { recursive: true, force: true }) };
    },
  },
];
if (process.env.TEST_DATABASE_URL) {
  const base = process.env.TEST_DATABASE_URL;
  targets.push({
    kind: 'postgres',
    async env() {
      const scratch = await createScratchPostgres(base);
      return { env: { DATABASE_URL: scratch.url }, cleanup: () => scratch.drop() };
    },
  });
}

describe.each(targets)('a NUL character on $kind', (target) => {
  let env: Record<string, string>;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ env, cleanup } = await target.env());
  });
  afterAll(() => cleanup());

  it('is refused by the real import with path:line, as by --dry-run, and nothing is written', async () => {
    const lines = readFileSync(REFERENCE, 'utf8').split('\n');
    lines[0] = `A: Hey\u0000 there`;
    const path = file(`nul-${target.kind}.txt`, lines.join('\n'));
    for (const args of [['import', path, '--dry-run'], ['import', path]]) {
      const result = await runScript(CLI, args, env);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`${path}:1: contains the control character U+0000`);
      expect(result.stderr).not.toMatch(/invalid byte sequence/u);
    }
    const list = await runScript(CLI, ['list'], env);
    expect(list.stdout).toContain('The library is empty');
  }, 120_000);
});
