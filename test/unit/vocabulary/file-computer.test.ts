import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createVocabularyComputer } from '../../../src/vocabulary/computer.js';
import { computeVocabularyFile } from '../../../src/vocabulary/file-computer.js';
import { lexiconVersion } from '../../../src/vocabulary/version.js';
import { formsLesson, namesLesson } from '../../support/vocabulary-lessons.js';

const text = (lesson: typeof formsLesson, contentHash: string) => ({ id: lesson.id, contentHash, article: lesson.article, dialogue: lesson.dialogue });

describe('computing a file of lessons’ texts in a worker thread (the lessons CLI on PGlite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'newsdesk-vocabulary-file-'));
  const local = createVocabularyComputer();
  afterAll(() => {
    local.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes, a line per lesson in order, exactly what the in-process computer gives, with the hash and word lists it was computed for', async () => {
    const input = join(dir, 'texts.ndjson');
    writeFileSync(input, [text(formsLesson, 'hash-a'), text(namesLesson, 'hash-b')].map((t) => JSON.stringify(t)).join('\n') + '\n');
    const progress: number[] = [];
    expect(await computeVocabularyFile(input, join(dir, 'out.ndjson'), (done) => progress.push(done))).toBe(2);
    const lines = readFileSync(join(dir, 'out.ndjson'), 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([
      { lessonId: formsLesson.id, contentHash: 'hash-a', lexiconVersion: lexiconVersion(), ...local.compute(formsLesson) },
      { lessonId: namesLesson.id, contentHash: 'hash-b', lexiconVersion: lexiconVersion(), ...local.compute(namesLesson) },
    ].map(({ lessonId, contentHash, lexiconVersion: version, entries, level }) => ({ lessonId, contentHash, lexiconVersion: version, entries, level })));
    expect(progress.at(-1)).toBe(2);
  }, 60_000);

  it('a lesson whose vocabulary cannot be computed is written as a failure with the reason; the next is computed', async () => {
    const input = join(dir, 'broken.ndjson');
    writeFileSync(input, `${JSON.stringify({ id: 'broken', contentHash: 'h', article: null, dialogue: [] })}\n${JSON.stringify(text(formsLesson, 'h2'))}\n`);
    expect(await computeVocabularyFile(input, join(dir, 'broken-out.ndjson'))).toBe(2);
    const [failed, computed] = readFileSync(join(dir, 'broken-out.ndjson'), 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(failed).toEqual({ lessonId: 'broken', failed: expect.any(String) });
    expect(String(failed?.failed)).not.toBe('');
    expect(computed).toMatchObject({ lessonId: formsLesson.id, contentHash: 'h2', entries: local.compute(formsLesson).entries });
  }, 60_000);

  it('an empty file gives an empty file', async () => {
    const input = join(dir, 'empty.ndjson');
    writeFileSync(input, '');
    expect(await computeVocabularyFile(input, join(dir, 'empty-out.ndjson'))).toBe(0);
    expect(readFileSync(join(dir, 'empty-out.ndjson'), 'utf8')).toBe('');
  }, 60_000);

  it('fails (rejects) when the input cannot be read, instead of waiting for ever', async () => {
    await expect(computeVocabularyFile(join(dir, 'missing.ndjson'), join(dir, 'never.ndjson'))).rejects.toThrow(/ENOENT|exited/u);
  }, 60_000);
});
