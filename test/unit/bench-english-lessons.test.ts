import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeLessonFiles } from '../../bench/lesson-files.js';
import { generateLibrary } from '../../bench/library-generator.js';
import { parseLessonFile } from '../../src/domain/lesson-parser/index.js';
import { createVocabularyComputer } from '../../src/vocabulary/computer.js';
import { MAX_WORDS, MIN_WORDS } from '../../src/domain/vocabulary/select.js';

/**
 * `npm run bench -- import --import-english` writes the generated library's files with an English article and
 * dialogue, so the import's vocabulary step does what real lessons make it do. The generated (invented) words
 * give it few words to define: this checks both, so the bench option measures what it says.
 */
describe('the import bench’s English lesson files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'newsdesk-bench-english-'));
  const computer = createVocabularyComputer();
  afterAll(() => {
    computer.close();
    rmSync(dir, { recursive: true, force: true });
  });
  // A library's lessons draw on its shared random stream: one library object per folder, as the bench writes one.
  writeLessonFiles(join(dir, 'english'), generateLibrary({ lessons: 20, seed: 7 }), { to: 20, english: { seed: 7 } });
  writeLessonFiles(join(dir, 'generated'), generateLibrary({ lessons: 20, seed: 7 }), { to: 20 });
  const read = (kind: string) =>
    readdirSync(join(dir, kind))
      .sort()
      .flatMap((file) => parseLessonFile(readFileSync(join(dir, kind, file), 'utf8'), { file, importTimeZone: 'UTC' }));

  it('parse as the same lessons (id, title, summary, similar readings) with another article and dialogue', () => {
    const english = read('english');
    const generated = read('generated');
    expect(english).toHaveLength(20);
    expect(english.map((l) => [l.id, l.title, l.summary, l.similarReadings])).toEqual(generated.map((l) => [l.id, l.title, l.summary, l.similarReadings]));
    for (const [index, lesson] of english.entries()) {
      expect(lesson.article).toHaveLength(8);
      expect(lesson.dialogue).toHaveLength(10);
      expect(lesson.article).not.toEqual(generated[index]?.article);
    }
    // Each lesson its own text.
    expect(new Set(english.map((l) => l.article.join(' '))).size).toBe(20);
  });

  it('give every lesson a full vocabulary of real words with definitions, where the generated words give a few', () => {
    for (const lesson of read('english')) {
      const { entries } = computer.compute(lesson);
      expect(entries.length).toBeGreaterThanOrEqual(MIN_WORDS);
      expect(entries.length).toBeLessThanOrEqual(MAX_WORDS);
      for (const entry of entries) {
        expect(entry.definition).not.toBe('');
        expect(entry.distractors.length).toBeGreaterThan(0);
      }
    }
    for (const lesson of read('generated')) expect(computer.compute(lesson).entries.length).toBeLessThan(MIN_WORDS);
  }, 60_000);
});
