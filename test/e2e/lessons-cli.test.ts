import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchPostgres } from '../support/databases.js';
import { runScript } from '../support/run-cli.js';

const REFERENCE = 'examples/lessons/nhk-2025-05-31-japan-us-cyber.txt';
const REFERENCE_ID = 'add8c4f2-5778-47a5-bd18-2492841fbc6e';

interface Target {
  kind: string;
  env(): Promise<{ env: Record<string, string>; cleanup(): Promise<void> }>;
}

const targets: Target[] = [
  {
    kind: 'pglite',
    async env() {
      const dir = mkdtempSync(join(tmpdir(), 'newsdesk-cli-'));
      return { env: { DATA_DIR: dir }, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
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

describe('lessons import --dry-run --json', () => {
  it('prints the reference export as one lesson matching the file, and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'newsdesk-cli-'));
    const result = await runScript('src/cli/lessons.ts', ['import', REFERENCE, '--dry-run', '--json'], { DATA_DIR: dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lessons = JSON.parse(result.stdout) as Record<string, unknown>[];
    expect(lessons).toHaveLength(1);
    const lesson = lessons[0] as {
      id: string; category: string; url: string; date: string; summary: string;
      dialogue: { speaker: string; text: string }[]; article: string[]; similarReadings: string[];
      sourceStats: unknown; sourceTimes: unknown;
    };
    expect(Object.keys(lesson)).toEqual(['id', 'category', 'url', 'date', 'title', 'summary', 'article', 'dialogue', 'similarReadings', 'sourceStats', 'sourceTimes']);
    expect(lesson.id).toBe(REFERENCE_ID);
    expect(lesson.category).toBe('nhk');
    expect(lesson.url).toBe('https://www3.nhk.or.jp/nhkworld/en/news/20250531_12/');
    expect(lesson.date).toBe('2025-05-31');
    expect(lesson.dialogue).toHaveLength(11);
    expect(lesson.dialogue.map((line) => line.speaker)).toEqual(['A', 'B', 'A', 'B', 'A', 'B', 'A', 'B', 'A', 'B', 'A']);
    expect(lesson.dialogue[0]?.text).toMatch(/^Hey there, buddy!/u);
    expect(lesson.article).toHaveLength(9);
    expect(lesson.similarReadings).toHaveLength(5);
    expect(lesson.similarReadings[3]).toMatch(/^Summary:/u);
    expect(lesson.summary).toMatch(/^The defense chiefs of Japan and the United States agreed/u);
    expect(lesson.sourceStats).toEqual({ words: 417, readCount: 1 });
    expect(lesson.sourceTimes).toEqual({ created: '2025-06-02T07:14:00.000Z', updated: '2025-12-08T03:51:00.000Z', lastRead: '2025-06-02T07:20:00.000Z' });
    // A dry run does not even open the database.
    expect(readdir(dir)).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  });
});

function readdir(dir: string): string[] {
  return readdirSync(dir);
}

describe.each(targets)('lessons CLI on $kind', (target) => {
  let env: Record<string, string>;
  let cleanup: () => Promise<void>;
  let work: string;
  beforeAll(async () => {
    ({ env, cleanup } = await target.env());
    work = mkdtempSync(join(tmpdir(), 'newsdesk-files-'));
  });
  afterAll(async () => {
    await cleanup?.();
    rmSync(work, { recursive: true, force: true });
  });

  const lessons = (...args: string[]) => runScript('src/cli/lessons.ts', args, env);

  it('imports, then re-imports in place, then reports an update', async () => {
    expect((await lessons('import', REFERENCE)).stdout.trim()).toBe('imported 1, updated 0, unchanged 0');
    expect((await lessons('import', REFERENCE)).stdout.trim()).toBe('imported 0, updated 0, unchanged 1');
    const changed = join(work, 'changed.txt');
    writeFileSync(changed, readFileSync(REFERENCE, 'utf8').replace('Singapore on Saturday.', 'Singapore on Sunday.'));
    expect((await lessons('import', changed)).stdout.trim()).toBe('imported 0, updated 1, unchanged 0');
    const list = await lessons('list');
    expect(list.stdout).toContain(REFERENCE_ID);
    expect(list.stdout).toContain('(1 of 1 lessons)');
    const exported = JSON.parse((await lessons('export', REFERENCE_ID)).stdout) as { article: string[] };
    expect(exported.article.join(' ')).toContain('Singapore on Sunday.');
  });

  it('refuses a batch with a broken file, naming file and line, and writes nothing', async () => {
    const good = join(work, 'good.json');
    const reference = JSON.parse((await lessons('export', REFERENCE_ID)).stdout) as Record<string, unknown>;
    writeFileSync(good, JSON.stringify({ ...reference, id: '11111111-2222-4333-8444-555555555555' }, null, 2));
    const broken = join(work, 'broken.txt');
    const lines = readFileSync(REFERENCE, 'utf8').split('\n');
    const urlLine = lines.findIndex((line) => line.startsWith('URL:'));
    lines[urlLine] = 'URL: not a url';
    writeFileSync(broken, lines.join('\r\n'));
    const result = await lessons('import', good, broken);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${broken}:${urlLine + 1}:`);
    expect(result.stdout).toBe('');
    const list = await lessons('list');
    expect(list.stdout).not.toContain('11111111-2222-4333-8444-555555555555');
    expect(list.stdout).toContain('(1 of 1 lessons)');
  });

  it('shows a lesson, and says so when an id is unknown', async () => {
    const shown = await lessons('show', REFERENCE_ID);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('Dialogue (11 lines)');
    const missing = await lessons('show', '00000000-0000-4000-8000-000000000000');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no lesson with id');
  });

  it('reads standard input', async () => {
    const result = await runScript('src/cli/lessons.ts', ['import', '-', '--dry-run'], env, readFileSync(REFERENCE, 'utf8'));
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('1 lesson valid');
  });
});

describe('lessons CLI usage', () => {
  it('an unknown command is a usage error with exit code 2', async () => {
    const result = await runScript('src/cli/lessons.ts', ['frobnicate'], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown command');
  });
});
