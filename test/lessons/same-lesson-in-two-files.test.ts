import { describe, expect, it } from 'vitest';
import { lessonToJson, MAX_PROBLEMS_PER_FILE, parseExportText } from '../../src/domain/lesson-parser/index.js';
import { parseSources } from '../../src/lessons/import.js';
import { REFERENCE_FILE, referenceText } from '../fixtures/lessons/reference.js';

const reference = parseExportText(referenceText, { file: REFERENCE_FILE });
const idLineOfExport = referenceText.split(/\r\n|\n|\r/u).findIndex((line) => /^\s*ID:/iu.test(line)) + 1;
const withId = (n: number) => ({ ...lessonToJson(reference), id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}` });
const problemsOf = (sources: { path: string; text: string }[]) => {
  const batch = parseSources(sources, { importTimeZone: 'UTC' });
  if (batch.ok) throw new Error('expected problems');
  return batch;
};

/* A lesson in two files of one import is refused, named on its id's line in the second file (it was line 1). */
describe('the same lesson in two files of one import', () => {
  it('names the second export on its ID line, and imports nothing', () => {
    const batch = problemsOf([
      { path: 'a.txt', text: referenceText },
      { path: 'b.txt', text: referenceText },
    ]);
    expect(idLineOfExport).toBeGreaterThan(1);
    expect(batch.problems).toEqual([{ path: 'b.txt', line: idLineOfExport, message: `lesson ${reference.id} is also in a.txt; import it once` }]);
  });

  it('names each repeated lesson of a JSON array on its own id line', () => {
    const first = JSON.stringify([withId(1), withId(2), withId(3)], null, 2);
    const second = JSON.stringify([withId(4), withId(3), withId(1)], null, 2);
    const lines = second.split('\n');
    const lineOf = (n: number) => lines.findIndex((line) => line.includes(`"id": "${withId(n).id}"`)) + 1;
    const batch = problemsOf([
      { path: 'first.json', text: first },
      { path: 'second.json', text: second },
    ]);
    expect(batch.problems).toEqual([
      { path: 'second.json', line: lineOf(3), message: `lesson ${withId(3).id} is also in first.json; import it once` },
      { path: 'second.json', line: lineOf(1), message: `lesson ${withId(1).id} is also in first.json; import it once` },
    ]);
    expect(lineOf(3)).toBeGreaterThan(1);
  });

  it('lists the first few of a file that repeats many, and counts the rest', () => {
    const many = Array.from({ length: MAX_PROBLEMS_PER_FILE + 5 }, (_, index) => withId(index + 1));
    const batch = problemsOf([
      { path: 'one.json', text: JSON.stringify(many) },
      { path: 'two.json', text: JSON.stringify(many) },
    ]);
    expect(batch.problemCount).toBe(many.length);
    expect(batch.problems).toHaveLength(MAX_PROBLEMS_PER_FILE + 1);
    expect(batch.problems.at(-1)).toMatchObject({ path: 'two.json', line: null, message: expect.stringMatching(/5 more/u) });
  });
});
