import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lesson } from '../../../src/domain/lesson.js';
import { computeVocabulary } from '../../../src/domain/vocabulary/compute.js';
import { chooseDistractors, frequencyNeighbours } from '../../../src/domain/vocabulary/distractors.js';
import { detectForm, inflect } from '../../../src/domain/vocabulary/inflection.js';
import { occursIn } from '../../../src/domain/vocabulary/sentence.js';
import { americanSpelling } from '../../../src/domain/vocabulary/spelling.js';
import { describeLevel, isRated, MIN_WORDS_FOR_LEVEL } from '../../../src/domain/vocabulary/level.js';
import { renderLessonCard } from '../../../src/lessons/card-view.js';
import type { LibraryLesson } from '../../../src/db/lessons.js';
import { CONTENT_POS, type LessonLevel, type VocabularyEntry } from '../../../src/domain/vocabulary/types.js';
import { LessonAnalyzer } from '../../../src/vocabulary/analyzer.js';
import { WordLexicon } from '../../../src/vocabulary/lexicon.js';
import { buildQuiz } from '../../../src/domain/vocabulary/quiz.js';
import { seededRandom } from '../../../src/domain/vocabulary/random.js';
import { EVERYDAY_WORDS } from '../../../src/domain/vocabulary/select.js';
import { fixtureLessons, formsLesson, lessonText, namesLesson, referenceLesson, tinyLesson } from '../../support/vocabulary-lessons.js';

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

describe('vocabulary of the hand-made exports in test/fixtures/vocabulary', () => {
  /** What each lesson must not list: its names, places, parties, demonyms, acronyms, days, months, numbers, compound parts. */
  const NOT_VOCABULARY: Record<string, string[]> = {
    'acronyms-rover-wildfires': ['nasa', 'esa', 'jpl', 'epa', 'unesco', 'noaa', 'mars', 'august', 'thursday', 'british', 'columbia', 'australia', 'zealand', 'luxembourg', 'chicago', 'pasadena', 'canada', 'tinder', 'quality', 'dry'],
    'demonyms-marathon': ['kenyan', 'kenyans', 'ethiopian', 'brazilian', 'spanish', 'mediterranean', 'dutch', 'belgian', 'scandinavian', 'himalayan', 'mexico', 'olympic', 'singaporean', 'asian', 'southeast', 'valencia', 'sunday', 'saturday', 'september', 'february', 'eleven', 'fourth', 'dozens'],
    'economy-yen': ['gdp', 'boj', 'ecb', 'reuters', 'tokyo', 'march', 'january', 'november', 'july', 'september', 'swiss', 'goldman', 'sachs', 'trillion', 'eleven', 'third', 'europe', 'zone'],
    'hyphens-self-driving-buses': ['monday', 'helsinki', 'awaited', 'driving', 'changer', 'art', 'benefit', 'clock', 'safe', 'income', 'town', 'long'],
    'politics-budget-row': ['reeves', 'badenoch', 'farage', 'starmer', 'hunt', 'cooper', 'lammy', 'kallas', 'leyen', 'davey', 'keir', 'kemi', 'nigel', 'rachel', 'ursula', 'westminster', 'brussels', 'moscow', 'russia', 'russian', 'ukraine', 'conservative', 'reform', 'labour', 'liberal', 'democrat', 'commons', 'wednesday', 'thursday', 'december', 'chancellor', 'child'],
    'science-plastic-enzyme': ['singaporean', 'nanyang', 'antarctic', 'celsius', 'monday', 'lim', 'wei', 'ling', 'singapore', 'eating', 'reviewed', 'scale', 'eight', 'million'],
    'simple-new-park': ['sunday', 'park', 'town', 'children', 'week', 'families'],
    'sports-derby': ['arsenal', 'tottenham', 'saka', 'spurs', 'gunners', 'emirates', 'solanke', 'gabriel', 'postecoglou', 'liverpool', 'goodison', 'saturday', 'premier', 'league', 'var', 'time', 'min', 'heung', 'son', 'white', 'ben'],
  };

  it('holds 8 to 12 rare content words in each news lesson, each well formed, with none of its names, dates or numbers', () => {
    const lessons = fixtureLessons();
    expect(lessons.map((l) => l.name)).toEqual(Object.keys(NOT_VOCABULARY).sort());
    for (const { name, lesson } of lessons) {
      const { entries } = vocabularyOf(lesson);
      expectWellFormed(lesson, entries);
      if (name !== 'simple-new-park') {
        expect(entries.length, name).toBeGreaterThanOrEqual(8);
        expect(entries.length, name).toBeLessThanOrEqual(12);
      }
      for (const entry of entries) {
        const word = entry.word.toLowerCase();
        expect(NOT_VOCABULARY[name], `${name}: ${entry.word}`).not.toContain(word);
        expect(NOT_VOCABULARY[name], `${name}: ${entry.lemma}`).not.toContain(entry.lemma);
        // Never an acronym, never a part of a hyphenated compound, never among the everyday words.
        expect(entry.word.slice(1)).toBe(word.slice(1));
        expect(entry.sentence).not.toMatch(new RegExp(`(-${entry.word}(?![A-Za-z])|(?<![A-Za-z])${entry.word}-)`, 'u'));
        expect(Math.min(lexicon.rank(entry.word), lexicon.rank(entry.lemma)), `${name}: ${entry.word}`).toBeGreaterThan(EVERYDAY_WORDS);
      }
    }
  });

  it('gives British words their British base form, and singular distractors to a British singular', () => {
    const byName = new Map(fixtureLessons().map(({ name, lesson }) => [name, vocabularyOf(lesson).entries]));
    expect(byName.get('demonyms-marathon')?.find((e) => e.word === 'organisers')).toMatchObject({ lemma: 'organiser', pos: 'noun' });
    const equaliser = byName.get('sports-derby')?.find((e) => e.word === 'equaliser');
    expect(equaliser).toMatchObject({ lemma: 'equaliser', pos: 'noun' });
    for (const distractor of equaliser!.distractors) expect(distractor).not.toMatch(/s$/u);
  });

  it('reads a verb the tagger put after a determiner as the noun it is ("contain the blazes")', () => {
    const lesson = fixtureLessons().find((l) => l.name === 'acronyms-rover-wildfires')!.lesson;
    expect(vocabularyOf(lesson).entries.find((e) => e.word === 'blazes')).toMatchObject({ lemma: 'blaze', pos: 'noun' });
  });

  it('lists only the few words a plain lesson has beyond the everyday ones, and then has no quiz', () => {
    const lesson = fixtureLessons().find((l) => l.name === 'simple-new-park')!.lesson;
    const { entries } = vocabularyOf(lesson);
    expect(entries.map((e) => e.lemma).sort()).toEqual(['grass', 'mayor']);
    expect(buildQuiz(entries, seededRandom(1))).toBeNull();
  });

  it('marks the parts of hyphenated words, which the tagger splits', () => {
    const { tokens } = analyzer.analyze({ article: ['A long-awaited, state-of-the-art fleet - not a game-changer.'], dialogue: [] });
    const parts = tokens.filter((t) => t.inCompound).map((t) => t.text);
    expect(parts).toEqual(['long', 'awaited', 'state', 'of', 'the', 'art', 'game', 'changer']);
  });

  it('reads a name with dots ("Amazon.com", "climate.gov") as one: no sentence cut at its dot, none of its parts listed', () => {
    // wink ended a sentence at the dot: the example and the quiz showed "gov alongside spreadsheets, and Mr. Smith met
    // Amazon." and "com staff.", and "climate" (of climate.gov) was listed with the sentence "The report was published on climate."
    const dotted = {
      ...tinyLesson,
      article: [
        'The timetable is at transportdepartment.gov.uk, where commuters can email enquiries.',
        'The report was published on climate.gov alongside spreadsheets, and Mr. Smith met Amazon.com staff.\nIt was reassuring.',
      ],
      dialogue: [{ speaker: 'A', text: 'See example.org for the spreadsheets.' }, { speaker: 'B', text: 'Ends today.' }],
    };
    const { sentences, tokens } = analyzer.analyze(dotted);
    expect(sentences.map((s) => s.text)).toEqual([
      'The timetable is at transportdepartment.gov.uk, where commuters can email enquiries.',
      'The report was published on climate.gov alongside spreadsheets, and Mr. Smith met Amazon.com staff.',
      'It was reassuring.',
      'See example.org for the spreadsheets.',
      'Ends today.',
    ]);
    expect(tokens.filter((t) => t.inCompound).map((t) => t.text)).toEqual(['transportdepartment', 'gov.', 'uk', 'climate', 'gov', 'Amazon', 'com', 'example', 'org']);
    // Paragraphs and turns still start sentences of their own.
    expect(tokens.filter((t) => t.sentenceInitial).map((t) => t.text)).toEqual(['The', 'The', 'It', 'See', 'Ends']);
    const { entries } = vocabularyOf(dotted);
    expectWellFormed(dotted, entries);
    expect(entries.map((e) => e.lemma)).not.toContain('climate');
    for (const entry of entries) expect(sentences.map((s) => s.text)).toContain(entry.sentence);
    expect(entries.find((e) => e.lemma === 'spreadsheet')?.sentence).toBe(sentences[1]!.text);
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
  const lessons = () => [referenceLesson(), namesLesson, formsLesson, ...fixtureLessons().map((f) => f.lesson)];

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
          // Not a much more common word than the answer ("putting", of the golf verb "putt", for "prompting").
          expect(lexicon.count(distractor), `${entry.word}: ${distractor}`).toBeLessThanOrEqual((entry.frequency + 1) * 10);
        }
        expect(new Set(entry.distractors.map((d) => d.toLowerCase())).size).toBe(3);
      }
    }
  });

  it('never offer the regular past of an irregular verb, though the subtitles attest it ("teached", "hurted", "taked")', () => {
    const count = (w: string) => lexicon.count(w);
    for (const verb of ['teach', 'hurt', 'take', 'bring', 'strike', 'thrust', 'burst', 'bet', 'wear', 'catch', 'pay', 'see', 'sit', 'win']) {
      expect(inflect(verb, 'past', count), verb).toBeNull();
    }
    // Regular verbs keep their past, also rare ones and those with an -ing form used far more.
    for (const [verb, past] of [['postpone', 'postponed'], ['escalate', 'escalated'], ['gallivant', 'gallivanted'], ['stop', 'stopped'], ['learn', 'learned'], ['prove', 'proved']]) {
      expect(inflect(verb!, 'past', count)).toBe(past);
    }
    // "postponed" was offered "thrusted"; no answer in the past gets such a form.
    const answer = { word: 'postponed', lemma: 'postpone', pos: 'verb' as const, sentence: 'The exhibition was postponed.' };
    for (let seed = 0; seed < 40; seed++) {
      for (const distractor of chooseDistractors({ ...answer, frequency: lexicon.count('postponed'), seed: `s${seed}` }, lexicon)) {
        expect(['thrusted', 'bursted', 'striked', 'treaded', 'grinded', 'ridded']).not.toContain(distractor);
      }
    }
  });

  it('never offer a regular plural the singular far outnumbers: an irregular noun\'s ("foots", "womans") or a mass noun\'s ("softwares")', () => {
    const count = (w: string) => lexicon.count(w);
    for (const noun of ['foot', 'woman', 'wife', 'mouse', 'wolf', 'phenomenon', 'software', 'baggage', 'mayhem']) expect(inflect(noun, 'plural', count), noun).toBeNull();
    for (const [noun, plural] of [['tariff', 'tariffs'], ['researcher', 'researchers'], ['fish', 'fishes'], ['person', 'persons'], ['cactus', 'cactuses']]) {
      expect(inflect(noun!, 'plural', count)).toBe(plural);
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

  it('never offer the answer in another spelling: a British answer gets no American twin ("criticized" for "criticised")', () => {
    const article = [
      'Police criticised the motorist whose behaviour on the motorway endangered other drivers.',
      'The hospital said its paediatric leukaemia ward would be refurbished next year.',
      'Organisers of the festival apologised after the programme was cancelled because of the storm.',
      'The theatre will reopen once the colourful murals have been restored.',
    ];
    // Distractors are seeded by the lesson's id: many ids, as many lessons of the same text (51 of 200 had a twin).
    let checked = 0;
    for (let i = 0; i < 120; i++) {
      const lesson = { ...referenceLesson(), id: `0a1b2c3d-4e5f-4a6b-8c7d-${String(i).padStart(12, '0')}`, article, dialogue: [] };
      for (const entry of vocabularyOf(lesson).entries) {
        for (const distractor of entry.distractors) {
          expect(americanSpelling(distractor), `${entry.word}: ${entry.distractors.join(', ')}`).not.toBe(americanSpelling(entry.word));
          checked += 1;
        }
        expect(entry.distractors).toHaveLength(3);
      }
    }
    expect(checked).toBeGreaterThan(1000);
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

  const stored = (lesson: Lesson, level: LessonLevel): LibraryLesson => ({ lesson, level, articleWords: 1, dialogueWords: 0, readCount: 0, lastReadAt: null, importedAt: new Date() });

  it('rates no lesson with too few English words to go by (another language, emoji, one line): no level on its card', () => {
    for (const article of [['日本と米国は新しい協定に署名した。'], ['🎉🎉🎉 🚀'], ['Perfunctory.']]) {
      const lesson = { ...tinyLesson, article, dialogue: [] };
      const level = vocabularyOf(lesson).level;
      expect(level.words).toBeLessThan(MIN_WORDS_FOR_LEVEL);
      expect(isRated(level)).toBe(false);
      expect(describeLevel(level)).toMatch(/^not rated \(\d English words? to go by\)$/u);
      const card = renderLessonCard(stored(lesson, level), 0);
      expect(JSON.stringify(card.embeds)).not.toContain('Level');
    }
    const rated = vocabularyOf(referenceLesson()).level;
    const card = renderLessonCard(stored(referenceLesson(), rated), 0);
    expect(JSON.stringify(card.embeds)).toContain('B2 · upper intermediate');
  });
});
