import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { LessonAnalyzer } from '../../../src/vocabulary/analyzer.js';
import { englishModel } from '../../../src/vocabulary/wink-model.js';
import { formsLesson } from '../../support/vocabulary-lessons.js';

const require = createRequire(import.meta.url);

/** The custom-entity model as the package ships it, stringified once (what wink-nlp expects at every load). */
const shippedMetaModel = JSON.stringify(
  JSON.parse(readFileSync(require.resolve('wink-eng-lite-web-model/dist/languages/cur/models/eng-cer-meta-model.json'), 'utf8')),
);

describe('the English model loaded again and again in one process', () => {
  it('keeps its custom-entity model as loaded once, and every analyzer reads a lesson alike', () => {
    const first = new LessonAnalyzer().analyze(formsLesson);
    // Each load re-stringified that model: ~2× longer a load, "Invalid string length" by the 10th to 20th.
    for (let load = 0; load < 24; load++) expect(new LessonAnalyzer().analyze(formsLesson)).toEqual(first);
    const { machines } = (englishModel as unknown as { metaCER(): { machines: string } }).metaCER();
    expect(machines).toBe(shippedMetaModel);
  }, 60_000);
});
