import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lesson } from '../../../src/domain/lesson.js';
import { computeVocabulary } from '../../../src/domain/vocabulary/compute.js';
import { frequencyNeighbours } from '../../../src/domain/vocabulary/distractors.js';
import { detectForm, inflect } from '../../../src/domain/vocabulary/inflection.js';
import { occursIn } from '../../../src/domain/vocabulary/sentence.js';
import { CONTENT_POS, type VocabularyEntry } from '../../../src/domain/vocabulary/types.js';
import { LessonAnalyzer } from '../../../src/vocabulary/analyzer.js';
import { WordLexicon } from '../../../src/vocabulary/lexicon.js';
import { formsLesson, lessonText, namesLesson, referenceLesson, tinyLesson } from '../../support/vocabulary-lessons.js';

// The real word lists and model: these tests check the selection as users get it.
let lexicon: WordLexicon;
let analyzer: LessonAnalyzer;
beforeAll(() => {
  lexicon = new WordLexicon();
  analyzer = new LessonAnalyzer();
});
afterAll(() => lexicon.close());

const vocabularyOf = (lesson: Lesson) => computeVocabulary(lesson.id, analyzer.analyze(lesson), lexicon);

const NAMES_AND_DATES = ['hegseth', 'nakatani', 'singapore', 'saturday', 'japan', 'pete', 'gen', 'tokyo', 'pentagon', 'wednesday', 'kiyoshi', 'ishiba', 'albanese', 'canberra', 'february', 'monday', 'tanaka', 'ken', 'yuki'];

/** What every entry of every lesson must satisfy. */
function expectWellFormed(lesson: Lesson, entries: readonly VocabularyEntry[]): void {
  const text = lessonText(lesson);
  const lemmas = new Set<string>();
  for (const entry of entries) {
    expect(CONTENT_POS).toContain(entry.pos);
    expect(entry.word).toMatch(/^[A-Za-z]+$/u); // no numbers, no codes
    expect(NAMES_AND_DATES).not.toContain(entry.word.toLowerCase());
    expect(NAMES_AND_DATES).not.toContain(entry.lemma);
    expect(lexicon.isCapitalized(entry.lemma)).toBe(false);
    // The sentence is the lesson's, word for word, and holds the word as it was written.
    expect(text).toContain(entry.sentence);
    expect(entry.sentence).toMatch(new RegExp(`(?<![A-Za-z])${entry.word}(?![A-Za-z])`, 'u'));
    // The definition is WordNet's for that part of speech, and not empty.
    expect(entry.definition.length).toBeGreaterThan(3);
    expect(lexicon.definition(entry.lemma, entry.pos)).toBe(entry.definition);
    for (const other of CONTENT_POS.filter((pos) => pos !== entry.pos)) {
      const elsewhere = lexicon.definition(entry.lemma, other);
      if (elsewhere !== null) expect(elsewhere).not.toBe(entry.definition);
    }
    expect(lemmas.has(entry.lemma)).toBe(false); // one entry per lemma
    lemmas.add(entry.lemma);
  }
}

describe('vocabulary of the reference lesson', () => {
  it('holds 8 to 12 rare content words, lemmatized, each in its sentence, defined for its part of speech', () => {
    const { entries } = vocabularyOf(referenceLesson());
    expect(entries.length).toBeGreaterThanOrEqual(8);
    expect(entries.length).toBeLessThanOrEqual(12);
    expectWellFormed(referenceLesson(), entries);
    // Rare: none among the 5,000 most frequent English word forms (SUBTLEX-US).
    for (const entry of entries) expect(Math.min(lexicon.rank(entry.word), lexicon.rank(entry.lemma))).toBeGreaterThan(5000);
    expect(entries.find((e) => e.word === 'enacted')).toMatchObject({ lemma: 'enact', pos: 'verb' });
    expect(entries.map((e) => e.lemma)).toEqual(expect.arrayContaining(['cyberspace', 'deterrence', 'legislation', 'preempt', 'counterpart']));
  });

  it('never lists the names, places and days of the text', () => {
    const words = vocabularyOf(referenceLesson()).entries.map((e) => e.word.toLowerCase());
    for (const name of ['hegseth', 'nakatani', 'singapore', 'saturday', 'japan', 'pete']) expect(words).not.toContain(name);
  });

  it('picks the least frequent eligible words: nothing left out is rarer than what was chosen', () => {
    const lesson = referenceLesson();
    const { entries } = vocabularyOf(lesson);
    const chosen = Math.max(...entries.map((e) => e.frequency));
    const analyzed = analyzer.analyze(lesson);
    const chosenLemmas = new Set(entries.map((e) => e.lemma));
    for (const token of analyzed.tokens) {
      if (chosenLemmas.has(token.lemma.toLowerCase()) || !['NOUN', 'VERB', 'ADJ', 'ADV'].includes(token.pos)) continue;
      const frequency = Math.max(lexicon.count(token.text), lexicon.count(token.lemma));
      // A rarer word left out must have been ineligible (a name, undefined in WordNet, capitalised mid-sentence).
      if (frequency < chosen && entries.length < 12) {
        const pos = { NOUN: 'noun', VERB: 'verb', ADJ: 'adjective', ADV: 'adverb' }[token.pos] as VocabularyEntry['pos'];
        const eligible = /^[a-z]+$/u.test(token.text) && lexicon.definition(token.lemma, pos) !== null && !lexicon.isCapitalized(token.lemma);
        expect({ word: token.text, eligible }).toEqual({ word: token.text, eligible: false });
      }
    }
  });
});

describe('vocabulary of hand-made lessons', () => {
  it('skips names at the start of sentences and mid-sentence, days, months, places and numbers', () => {
    const { entries } = vocabularyOf(namesLesson);
    expectWellFormed(namesLesson, entries);
    expect(entries.length).toBeGreaterThanOrEqual(8);
    expect(entries.map((e) => e.lemma)).toEqual(expect.arrayContaining(['memorandum', 'scrutinize', 'watershed', 'reciprocate']));
    expect(entries.map((e) => e.word)).not.toContain('fifteen');
  });

  it('keeps inflected words as they stand and gives their base forms', () => {
    const { entries } = vocabularyOf(formsLesson);
    expectWellFormed(formsLesson, entries);
    const byWord = new Map(entries.map((e) => [e.word, e]));
    expect(byWord.get('inundated')).toMatchObject({ lemma: 'inundate', pos: 'verb' });
    expect(byWord.get('exacerbated')).toMatchObject({ lemma: 'exacerbate', pos: 'verb' });
    expect(byWord.get('replenishing')).toMatchObject({ lemma: 'replenish', pos: 'verb' });
    expect(byWord.get('blights')).toMatchObject({ lemma: 'blight', pos: 'noun' });
  });

  it('lists fewer words rather than padding a short lesson with names or numbers', () => {
    const { entries } = vocabularyOf(tinyLesson);
    expectWellFormed(tinyLesson, entries);
    expect(entries.length).toBeLessThan(8);
    expect(entries.map((e) => e.lemma)).toContain('lantern');
  });
});

describe('odd text', () => {
  it('survives tokens the tagger gives no lemma (a contraction without its apostrophe) and empty parts', () => {
    const odd = { ...tinyLesson, article: ['They were designed to preempt cant cyberattacks, the diligent negotiators said.', '', '   '], dialogue: [{ speaker: 'A', text: '' }] };
    const { entries } = vocabularyOf(odd);
    expectWellFormed(odd, entries);
    expect(entries.map((e) => e.lemma)).toContain('preempt');
  });
});

describe('quiz distractors', () => {
  const lessons = () => [referenceLesson(), namesLesson, formsLesson];

  it('are three words of the same part of speech and form, never the answer, never in the sentence', () => {
    for (const lesson of lessons()) {
      for (const entry of vocabularyOf(lesson).entries) {
        expect(entry.distractors).toHaveLength(3);
        const form = detectForm(entry.word, entry.lemma, entry.pos);
        for (const distractor of entry.distractors) {
          expect(distractor.toLowerCase()).not.toBe(entry.word.toLowerCase());
          expect(occursIn(distractor, entry.sentence)).toBe(false);
          if (form === 'past') expect(distractor).toMatch(/ed$/u);
          if (form === 'gerund') expect(distractor).toMatch(/ing$/u);
          if (form === 'plural' || form === 'third-person') expect(distractor).toMatch(/s$/u);
          // Same capitalisation as the answer (sentence-initial words stay capitalised).
          expect(distractor[0] === distractor[0]!.toUpperCase()).toBe(entry.word[0] === entry.word[0]!.toUpperCase());
          expect(lexicon.isOffensive(distractor)).toBe(false);
          expect(lexicon.count(distractor)).toBeGreaterThan(0); // an attested spelling
        }
        expect(new Set(entry.distractors.map((d) => d.toLowerCase())).size).toBe(3);
      }
    }
  });

  it('come from the words nearest the answer in frequency', () => {
    for (const entry of vocabularyOf(referenceLesson()).entries) {
      const form = detectForm(entry.word, entry.lemma, entry.pos);
      const near = frequencyNeighbours(lexicon.distractorPool(entry.pos), entry.frequency, 40);
      const spellings = new Set(near.map((w) => inflect(w.lemma, form, (x) => lexicon.count(x))));
      for (const distractor of entry.distractors) expect(spellings).toContain(distractor.toLowerCase());
      const counts = near.map((w) => w.count);
      // The neighbourhood brackets the answer's frequency (within a factor of 3 for these words).
      expect(Math.min(...counts)).toBeLessThanOrEqual(Math.max(entry.frequency, 1) * 3);
      expect(Math.max(...counts)).toBeGreaterThanOrEqual(entry.frequency / 3);
    }
  });

  it('are the same each time for the same lesson', () => {
    expect(vocabularyOf(formsLesson).entries.map((e) => e.distractors)).toEqual(vocabularyOf(formsLesson).entries.map((e) => e.distractors));
  });
});

describe('level', () => {
  it('rates the reference news article B2 and plain everyday talk A2', () => {
    expect(vocabularyOf(referenceLesson()).level.band).toBe('B2');
    const everyday = { ...tinyLesson, article: ['I want to go home now. It is a good day and I like my friends.', 'We can eat and talk at my house tonight.'], dialogue: [] };
    expect(vocabularyOf(everyday).level).toMatchObject({ band: 'A2', outside5k: 0 });
  });
});
