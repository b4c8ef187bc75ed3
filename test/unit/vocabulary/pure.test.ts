import { describe, expect, it } from 'vitest';
import type { APIEmbed } from 'discord.js';
import { assertWithinLimits } from '../../../src/domain/discord-format/index.js';
import { decodeVocabularyId, encodeVocabularyId, type VocabularyButton } from '../../../src/domain/vocabulary/custom-id.js';
import { choiceLabel, sentenceWithWord, vocabularyPages } from '../../../src/domain/vocabulary/format.js';
import { detectForm, inflect, matchCase, regularForms } from '../../../src/domain/vocabulary/inflection.js';
import { bandFor } from '../../../src/domain/vocabulary/level.js';
import { blanksOnce, buildQuiz, formatScore, QUIZ_SENTENCE_MAX, questionFor } from '../../../src/domain/vocabulary/quiz.js';
import { seededRandom } from '../../../src/domain/vocabulary/random.js';
import { lemmaInTextSpelling } from '../../../src/domain/vocabulary/select.js';
import { BLANK, blankAllForms, blankOut, occursIn } from '../../../src/domain/vocabulary/sentence.js';
import { americanSpelling, regularBases, sameWordForm } from '../../../src/domain/vocabulary/spelling.js';
import type { VocabularyEntry } from '../../../src/domain/vocabulary/types.js';
import { quizRefusal, renderQuiz } from '../../../src/vocabulary/views.js';

describe('word forms', () => {
  it('tells the form of a word from its lemma', () => {
    expect(detectForm('agreed', 'agree', 'verb')).toBe('past');
    expect(detectForm('took', 'take', 'verb')).toBe('past');
    expect(detectForm('agreeing', 'agree', 'verb')).toBe('gerund');
    expect(detectForm('agrees', 'agree', 'verb')).toBe('third-person');
    expect(detectForm('Agree', 'agree', 'verb')).toBe('base');
    expect(detectForm('capabilities', 'capability', 'noun')).toBe('plural');
    expect(detectForm('children', 'child', 'noun')).toBe('plural');
    expect(detectForm('sturdiest', 'sturdy', 'adjective')).toBe('superlative');
    expect(detectForm('wetter', 'wet', 'adjective')).toBe('comparative');
  });

  it('spells regular forms, with the usual English rules', () => {
    expect(regularForms('city', 'plural')).toEqual(['cities']);
    expect(regularForms('church', 'plural')).toEqual(['churches']);
    expect(regularForms('pledge', 'past')).toEqual(['pledged']);
    expect(regularForms('carry', 'past')).toEqual(['carried']);
    expect(regularForms('stop', 'past')).toEqual(['stoped', 'stopped']);
    expect(regularForms('tie', 'gerund')).toEqual(['tying']);
    expect(regularForms('make', 'gerund')).toEqual(['making', 'makeing']);
    expect(regularForms('happy', 'comparative')).toEqual(['happier']);
  });

  it('keeps only spellings attested in the word list, the more used of two', () => {
    const counts = new Map([['stopped', 900], ['visited', 300], ['pledged', 5]]);
    const count = (w: string) => counts.get(w) ?? 0;
    expect(inflect('stop', 'past', count)).toBe('stopped');
    expect(inflect('visit', 'past', count)).toBe('visited');
    expect(inflect('take', 'past', count)).toBeNull(); // "taked" is not English
    expect(inflect('anything', 'base', count)).toBe('anything');
  });

  it('copies the answer’s capitalisation', () => {
    expect(matchCase('pledged', 'Agreed')).toBe('Pledged');
    expect(matchCase('pledged', 'agreed')).toBe('pledged');
    expect(matchCase('nato', 'US')).toBe('NATO');
  });
});

describe('British spellings', () => {
  it('are brought to the American form, to tell a variant from another word', () => {
    for (const [british, american] of [
      ['organiser', 'organizer'],
      ['organisers', 'organizers'],
      ['equaliser', 'equalizer'],
      ['neighbourhoods', 'neighborhoods'],
      ['analysed', 'analyzed'],
      ['centre', 'center'],
      ['travelled', 'traveled'],
      ['defence', 'defense'],
      ['programme', 'program'],
    ]) {
      expect(americanSpelling(british!)).toBe(americanSpelling(american!));
      expect(sameWordForm(british!, american!)).toBe(true);
    }
    expect(sameWordForm('organisers', 'organizer')).toBe(false); // a plural is not a spelling variant
    expect(americanSpelling('deterrence')).toBe('deterrence');
  });

  it('keep the lemma in the text’s spelling when WordNet knows it', () => {
    const known = new Set(['organiser', 'equaliser', 'organizer', 'equalizer', 'colour', 'color']);
    const lexicon = { definition: (lemma: string) => (known.has(lemma) ? 'a definition' : null) };
    expect(lemmaInTextSpelling('organisers', 'organizer', 'noun', lexicon)).toBe('organiser');
    expect(lemmaInTextSpelling('equaliser', 'equalizer', 'noun', lexicon)).toBe('equaliser');
    expect(lemmaInTextSpelling('colours', 'color', 'noun', lexicon)).toBe('colour');
    expect(lemmaInTextSpelling('neighbourhoods', 'neighborhood', 'noun', lexicon)).toBe('neighborhood'); // WordNet lacks it here
    expect(lemmaInTextSpelling('agreed', 'agree', 'verb', lexicon)).toBe('agree');
  });

  it('regular base forms of a word, itself first', () => {
    expect(regularBases('organisers')).toEqual(expect.arrayContaining(['organisers', 'organiser']));
    expect(regularBases('stopped')).toContain('stop');
    expect(regularBases('carried')).toContain('carry');
    expect(regularBases('making')).toContain('make');
    expect(regularBases('funds')[0]).toBe('funds');
  });

  it('a British word of its own lemma is in its base form, not a plural', () => {
    expect(detectForm('equaliser', 'equalizer', 'noun')).toBe('base');
    expect(detectForm('organisers', 'organizer', 'noun')).toBe('plural');
  });
});

describe('sentences', () => {
  it('finds whole words only, case ignored', () => {
    expect(occursIn('japan', "Japan's defense")).toBe(true);
    expect(occursIn('cyberattack', 'to preempt possible cyberattacks')).toBe(false);
    expect(occursIn('', 'anything')).toBe(false);
  });

  it('blanks every occurrence of the word, and nothing else', () => {
    expect(blankOut('Deterrence works; deterrence, they said, is cheap. Deterrent!', 'deterrence')).toBe(`${BLANK} works; ${BLANK}, they said, is cheap. Deterrent!`);
  });

  it('blanks no place of the word inside a web address, which Discord links whole (unless asked to, for an embed title)', () => {
    const sentence = 'Inflation rose again (https://example.com/economy/inflation?src=inflation), said the Inflation-watch.';
    expect(blankOut(sentence, 'inflation')).toBe(`${BLANK} rose again (https://example.com/economy/inflation?src=inflation), said the ${BLANK}-watch.`);
    expect(blankOut(sentence, 'inflation', { inAddresses: true })).toBe(`${BLANK} rose again (https://example.com/economy/${BLANK}?src=${BLANK}), said the ${BLANK}-watch.`);
    expect(blankOut('See http://example.com/economy then economy.', 'economy')).toBe(`See http://example.com/economy then ${BLANK}.`);
  });
});

describe('level bands', () => {
  it('follows the documented thresholds', () => {
    expect(bandFor(0.05, 0.01)).toBe('A2');
    expect(bandFor(0.06, 0.05)).toBe('B1');
    expect(bandFor(0.1, 0.06)).toBe('B2');
    expect(bandFor(0.3, 0.1)).toBe('B2');
    expect(bandFor(0.3, 0.11)).toBe('C1');
  });
});

const entry = (word: string, sentence: string, distractors: string[], lemma = word.toLowerCase()): VocabularyEntry => ({
  word,
  lemma,
  pos: 'noun',
  definition: 'a thing',
  sentence,
  source: 'article',
  frequency: 10,
  distractors,
});

describe('quiz questions', () => {
  const entries = [
    entry('deterrence', 'They want to strengthen deterrence and response.', ['apathy', 'awning', 'celluloid']),
    entry('legislation', 'Japan has enacted legislation to act.', ['hydrant', 'locksmith', 'aerosol']),
    entry('counterpart', 'The minister met his counterpart.', ['avarice', 'conundrum', 'armament']),
    entry('guideline', 'It will serve as a guideline.', ['adulation', 'complacency', 'knoll']),
    entry('cyberspace', 'They agreed on cooperation in cyberspace.', ['fauna', 'mildew', 'banjo']),
    entry('memorandum', 'They signed a memorandum.', ['linguist', 'dolt', 'beholding']),
  ];

  it('asks 3 to 5 questions: the sentence with a blank, the answer among four distinct choices', () => {
    for (let seed = 1; seed < 30; seed++) {
      const quiz = buildQuiz(entries, seededRandom(seed));
      expect(quiz).not.toBeNull();
      expect(quiz!.length).toBeGreaterThanOrEqual(3);
      expect(quiz!.length).toBeLessThanOrEqual(5);
      for (const q of quiz!) {
        expect(q.prompt).toContain(BLANK);
        expect(occursIn(q.answer, q.prompt)).toBe(false);
        expect(q.choices).toHaveLength(4);
        expect(q.choices).toContain(q.answer);
        expect(new Set(q.choices).size).toBe(4);
        for (const c of q.choices) if (c !== q.answer) expect(occursIn(c, q.prompt)).toBe(false);
      }
      expect(new Set(quiz!.map((q) => q.lemma)).size).toBe(quiz!.length);
    }
  });

  it('drops a distractor that occurs in the sentence, and a word without three fair distractors', () => {
    expect(questionFor(entry('memorandum', 'They signed a memorandum with a linguist.', ['linguist', 'dolt', 'beholding']), Math.random)).toBeNull();
    expect(questionFor(entry('memorandum', 'They signed a memorandum.', ['linguist', 'Memorandum', 'dolt', 'knoll']), Math.random)?.choices).not.toContain('Memorandum');
  });

  it('drops a stored distractor that is the answer spelt another way (computed before the rule, version 3)', () => {
    const question = questionFor(entry('criticised', 'Police criticised the motorist.', ['disarmed', 'criticized', 'clarified', 'pacified'], 'criticize'), Math.random);
    expect(question?.choices).not.toContain('criticized');
    expect(question?.choices).toHaveLength(4);
    expect(questionFor(entry('criticised', 'Police criticised the motorist.', ['disarmed', 'criticized', 'clarified'], 'criticize'), Math.random)).toBeNull();
  });

  it('prefers words that stand once in their sentence, so the prompt has one blank and rebuilds the sentence', () => {
    const twice = entry('Scrutiny', 'Scrutiny works, and scrutiny is cheap.', ['Apathy', 'Awning', 'Celluloid'], 'scrutiny');
    const inside = entry('rite', 'A favourite rite of spring.', ['fauna', 'mildew', 'banjo']);
    expect(blanksOnce(twice)).toBe(false);
    expect(blanksOnce(inside)).toBe(false); // "rite" inside "favourite": a naive replace would blank the wrong place
    expect(blanksOnce(entries[0]!)).toBe(true);
    for (let seed = 1; seed < 30; seed++) {
      const quiz = buildQuiz([twice, inside, ...entries], seededRandom(seed))!;
      expect(quiz).toHaveLength(5);
      for (const q of quiz) {
        expect(q.prompt.split(BLANK)).toHaveLength(2);
        expect(entries.map((e) => e.sentence)).toContain(q.prompt.replace(BLANK, q.answer));
      }
    }
    // Only when there is no other way are they asked (every occurrence blanked).
    const quiz = buildQuiz([twice, inside, entries[0]!], seededRandom(1))!;
    expect(quiz.map((q) => q.prompt)).toContain(`${BLANK} works, and ${BLANK} is cheap.`);
    expect(quiz.map((q) => q.prompt)).toContain(`A favourite ${BLANK} of spring.`);
  });

  it('never blanks a word inside a web address: a sentence whose address holds the word is not asked, another word is', () => {
    // The blank broke the link (`…/economy/____`), and where the address was the only place, the question was nonsense.
    const linked = entry('inflation', 'Inflation rose again, see https://example.com/economy/inflation for the figures.', ['apathy', 'awning', 'celluloid']);
    const onlyLinked = entry('inflation', 'Prices rose again, see https://example.com/economy/inflation for the figures.', ['apathy', 'awning', 'celluloid']);
    expect(questionFor(linked, Math.random)).toBeNull();
    expect(questionFor(onlyLinked, Math.random)).toBeNull();
    // An address without the word stays as it was, linked.
    const beside = entry('inflation', 'Inflation rose again, see https://example.com/economy/prices for the figures.', ['apathy', 'awning', 'celluloid']);
    expect(questionFor(beside, Math.random)?.prompt).toBe(`${BLANK} rose again, see https://example.com/economy/prices for the figures.`);
    for (let seed = 1; seed < 30; seed++) {
      const quiz = buildQuiz([linked, onlyLinked, ...entries.slice(0, 3)], seededRandom(seed))!;
      expect(quiz.map((q) => q.lemma).sort()).toEqual(['counterpart', 'deterrence', 'legislation']);
    }
  });

  it('does not ask a sentence where another form of the word stands beside the blank ("a second tariff"), another word is', () => {
    // "The government imposed new ____ on steel, and a second tariff on aluminium followed" gave "tariffs" away.
    const plural = entry('tariffs', 'New tariffs on steel, and a second tariff on aluminium, followed.', ['browsers', 'audiotapes', 'ascents'], 'tariff');
    const verb = entry('escalate', 'Measures could escalate into a war that escalates further.', ['belittle', 'reunite', 'annihilate']);
    const noun = entry('negotiators', 'The negotiators talked for weeks before a negotiator resigned.', ['pedestals', 'outposts', 'prerogatives'], 'negotiator');
    const british = entry('organisers', 'The organisers thanked the organizer of the race.', ['pedestals', 'outposts', 'prerogatives'], 'organiser');
    const spelt = entry('organisers', 'The organisers thanked the organizers of the race.', ['pedestals', 'outposts', 'prerogatives'], 'organiser');
    for (const given of [plural, verb, noun, british, spelt]) expect(questionFor(given, Math.random)).toBeNull();
    // The word itself twice is blanked twice, as before; an unrelated word that merely starts alike stays.
    expect(questionFor(entry('tariff', 'A tariff is a tax, and the tariff rose.', ['browser', 'audiotape', 'ascent']), Math.random)?.prompt).toBe(`A ${BLANK} is a tax, and the ${BLANK} rose.`);
    expect(questionFor(entry('tariffs', 'Tariffs hit tarot card makers.', ['Browsers', 'Audiotapes', 'Ascents'], 'tariff'), Math.random)).not.toBeNull();
    for (let seed = 1; seed < 30; seed++) {
      const quiz = buildQuiz([plural, verb, noun, british, ...entries.slice(0, 3)], seededRandom(seed))!;
      expect(quiz.map((q) => q.lemma).sort()).toEqual(['counterpart', 'deterrence', 'legislation']);
    }
  });

  it('blanks another form of the answer in the lesson title above the question too ("Tariff war looms" above the blank of "tariffs")', () => {
    const question = { lemma: 'tariff', prompt: `New ${BLANK} on steel.`, answer: 'tariffs', choices: ['browsers', 'tariffs', 'audiotapes', 'ascents'] };
    const asked = { ...question, position: 0, chosen: null, correct: null, answeredAt: null };
    const attempt = { id: 1, lessonId: 'add8c4f2-5778-47a5-bd18-2492841fbc6e', guildId: 'g', userId: 'u', attemptNumber: 1, questionCount: 1, score: 0, startedAt: new Date(), finishedAt: null, questions: [asked] };
    const title = (lessonTitle: string) => ((renderQuiz(lessonTitle, { attempt, current: asked }).embeds?.[0] as APIEmbed | undefined)?.title ?? '').replace(/\\(.)/gu, '$1');
    expect(title('Tariff war looms as Tariffs and tariff-free deals collide')).toBe(`📝 Quiz · ${BLANK} war looms as ${BLANK} and ${BLANK}-free deals collide`);
    expect(title('Tarot readers and tariffs')).toBe(`📝 Quiz · Tarot readers and ${BLANK}`);
    expect(blankAllForms('The negotiator met negotiators; Organizers thanked organisers.', { word: 'organisers', lemma: 'organiser' })).toBe(
      `The negotiator met negotiators; ${BLANK} thanked ${BLANK}.`,
    );
  });

  it('leaves out a sentence too long to show whole', () => {
    const long = `${'The minister spoke at length '.repeat(40)}about deterrence.`;
    expect(long.length).toBeGreaterThan(QUIZ_SENTENCE_MAX);
    expect(questionFor(entry('deterrence', long, ['apathy', 'awning', 'celluloid']), Math.random)).toBeNull();
  });

  it('passes over a verb spelt the same in the past ("offset") where the grammar would rule out the base-form distractors', () => {
    const verb = (sentence: string) => ({ ...entry('offset', sentence, ['smite', 'absolve', 'organise']), pos: 'verb' as const });
    // Past with a singular subject: "a slump … absolve" is not English, so only "offset" fits.
    expect(questionFor(verb('A slump in exports offset resilient household spending.'), Math.random)).toBeNull();
    expect(questionFor(verb('Lower fuel prices have offset the rise.'), Math.random)).toBeNull();
    // After "to", a modal or "do" (or its negative) every choice is a base form: fair.
    for (const sentence of ['Savings could offset the cost.', 'They hope to offset the cost.', 'Savings won’t offset the cost.', "It didn't offset the cost."]) {
      expect(questionFor(verb(sentence), Math.random)?.choices).toContain('offset');
    }
    // Another verb's base form, "offsets", and the noun are asked as before.
    expect(questionFor({ ...entry('absolve', 'Courts rarely absolve them.', ['smite', 'organise', 'relay']), pos: 'verb' }, Math.random)).not.toBeNull();
    expect(questionFor({ ...entry('offsets', 'A slump offsets the rise.', ['smites', 'absolves', 'organises'], 'offset'), pos: 'verb' }, Math.random)).not.toBeNull();
    expect(questionFor(entry('offset', 'The gain was an offset to the loss.', ['apathy', 'awning', 'celluloid']), Math.random)).not.toBeNull();
  });

  it('asks one question a sentence once it has three: a second would show its answer in the first one’s prompt', () => {
    const shared = [
      entry('sanctions', 'New sanctions will deter exporters.', ['evictions', 'amputations', 'fabrications']),
      entry('deter', 'New sanctions will deter exporters.', ['smite', 'absolve', 'organise']),
      entry('exporters', 'New sanctions will deter exporters.', ['ingrates', 'clipboards', 'implosions']),
      entry('manifesto', 'It broke a manifesto pledge.', ['backgammon', 'headlight', 'ligature']),
      entry('benchmark', 'The benchmark rate rose.', ['ambassadorship', 'appetiser', 'accountancy']),
    ];
    for (let seed = 1; seed < 30; seed++) {
      const quiz = buildQuiz(shared, seededRandom(seed))!;
      expect(quiz).toHaveLength(3);
      expect(new Set(quiz.map((q) => q.prompt.replace(BLANK, q.answer))).size).toBe(3);
    }
    // With fewer sentences than questions needed, a sentence is asked again rather than no quiz at all.
    expect(buildQuiz(shared.slice(0, 4), seededRandom(1))).toHaveLength(3);
  });

  it('needs at least three words', () => {
    expect(buildQuiz(entries.slice(0, 2), Math.random)).toBeNull();
    expect(buildQuiz(entries.slice(0, 3), Math.random)).toHaveLength(3);
  });

  it('writes the score as 3/5', () => {
    expect(formatScore(3, 5)).toBe('3/5');
  });
});

describe('a lesson without a quiz', () => {
  it('is told too few words under three, and with words enough that none made a fair question, not "too few"', () => {
    expect(quizRefusal(2)).toBe('This lesson has too few vocabulary words for a quiz (at least 3 are needed).');
    const many = quizRefusal(8);
    expect(many).not.toMatch(/too few/u);
    expect(many).toContain('8 words');
    expect(many).toContain('`/lesson vocab`');
  });
});

describe('vocabulary and quiz custom ids', () => {
  const lessonId = 'add8c4f2-5778-47a5-bd18-2492841fbc6e';
  const buttons: VocabularyButton[] = [
    { action: 'vocab', lessonId },
    { action: 'vocab-page', lessonId, page: 2 },
    { action: 'vocab-page', lessonId, page: 3, shared: true },
    { action: 'quiz', lessonId },
    { action: 'answer', attemptId: 2_147_483_647, position: 4, choice: 3 },
  ];

  it('round-trip, within 100 characters, under the lesson prefix', () => {
    for (const button of buttons) {
      const id = encodeVocabularyId(button);
      expect(id.length).toBeLessThanOrEqual(100);
      expect(id.startsWith('l:')).toBe(true);
      expect(decodeVocabularyId(id)).toEqual(button);
    }
  });

  it('refuse anything they did not produce', () => {
    for (const id of ['l:v:nope', 'l:qa:0:1:1', 'l:qa:1:1', 'l:qa:01:1:1', 'l:qa:1:1:1:1', `l:vp:${lessonId}:0`, `l:vp:${lessonId}:2:x`, `x:v:${lessonId}`, 'l:d:' + lessonId, 'l:qa:99999999999:1:1']) {
      expect(decodeVocabularyId(id)).toBeNull();
    }
    expect(() => encodeVocabularyId({ action: 'answer', attemptId: 0, position: 0, choice: 0 })).toThrow(RangeError);
  });
});

describe('vocabulary pages', () => {
  it('stay within Discord’s limits and escape lesson text', () => {
    const hostile = Array.from({ length: 12 }, (_, i) =>
      entry(`word${'x'.repeat(i)}`.replace(/\d/gu, ''), `@everyone **look** <@&123456789012345678> ${'long sentence '.repeat(60)} wordx${'x'.repeat(i)}.`, ['a', 'b', 'c']),
    );
    const pages = vocabularyPages(hostile);
    for (const description of pages) {
      expect(description.length).toBeLessThanOrEqual(4000);
      expect(assertWithinLimits({ embeds: [{ title: 't', description, footer: { text: 'Level: B2' } }] })).toEqual([]);
      expect(description).not.toMatch(/(?<!\u200b)@everyone/u);
    }
    expect(vocabularyPages([])).toHaveLength(1);
  });

  it('cut a long sentence around the word, never inside its bold nor an escape, nor half a character', () => {
    const sentence = `${'—'.repeat(590)} ubiquitous ${'—'.repeat(49)}*${'😀'.repeat(200)}`;
    const shown = sentenceWithWord(sentence, 'ubiquitous');
    expect(shown.length).toBeLessThanOrEqual(600);
    expect(shown).toContain('**ubiquitous**');
    expect(shown.match(/\*\*/gu)).toHaveLength(2);
    expect(shown).toMatch(/^…—+ \*\*ubiquitous\*\* —+\\\*(😀)+…$/u);
    expect(shown).not.toMatch(/[\uD800-\uDFFF]/u);
    // A short one is whole, every place of the word in bold.
    expect(sentenceWithWord('Ubiquitous phones are ubiquitous.', 'ubiquitous')).toBe('**Ubiquitous** phones are **ubiquitous**.');
  });

  it('cut a long sentence between words, never in the middle of one ("…environmental organisati…")', () => {
    const sentence =
      `Officials met on Tuesday to discuss ${'regional transport funding and housing priorities across the area, '.repeat(4)}where the legislation would ` +
      `finally be implemented, ${'alongside extensive consultations with residents, businesses and environmental organisations, '.repeat(4)}`;
    for (const word of ['legislation', 'Tuesday', 'implemented']) {
      const shown = sentenceWithWord(sentence, word);
      expect(shown.length).toBeLessThanOrEqual(600);
      const inner = shown.replace(/^…|…$/gu, '').replaceAll('**', '');
      const at = sentence.indexOf(inner);
      expect(at).toBeGreaterThanOrEqual(0);
      if (shown.startsWith('…')) expect(sentence.charAt(at - 1)).toMatch(/\s/u);
      if (shown.endsWith('…')) expect(sentence.charAt(at + inner.length)).toMatch(/\s/u);
    }
    expect(sentenceWithWord(sentence, 'legislation')).toMatch(/^…and housing priorities .* \*\*legislation\*\* .* businesses and environmental…$/u);
  });

  it('leave a web address that holds the word as Discord links it: the word in bold only outside it', () => {
    // Bolded inside, Discord's link took the asterisks and the escape after them and opened another page.
    const sentence = 'The legislation is published at https://www.gov.example/legislation_2026/draft for comment.';
    expect(sentenceWithWord(sentence, 'legislation')).toBe(
      'The **legislation** is published at https://www.gov.example/legislation_2026/draft for comment.',
    );
    // A sentence too long to show whole is cut around the word's first place outside the address.
    const long = `See https://www.gov.example/legislation_2026 ${'—'.repeat(300)} the legislation ${'—'.repeat(300)}.`;
    const shown = sentenceWithWord(long, 'legislation');
    expect(shown).toMatch(/^…—+ the \*\*legislation\*\* —+…$/u);
    expect(shown.length).toBeLessThanOrEqual(600);
  });

  it('cut a long sentence after the word before a web address, not inside it (Discord linked the cut address with its "…")', () => {
    const sentence = `${'x '.repeat(100)}The legislation passed, see https://example.com/news/${'a'.repeat(100)}/draft today ${'z '.repeat(300)}`;
    const shown = sentenceWithWord(sentence, 'legislation');
    expect(shown).toMatch(/ the \*\*legislation\*\* passed, see…$/iu);
    expect(shown).not.toContain('https');
    // An address ending where the window ends is left out too.
    const ending = `${'x '.repeat(100)}The legislation is at https://example.com/${'a'.repeat(93)} ${'z '.repeat(300)}`;
    expect(sentenceWithWord(ending, 'legislation')).toMatch(/\*\*legislation\*\* is at…$/u);
  });

  it('labels a long choice within 80 characters, never cutting a character in half', () => {
    const label = choiceLabel(`${'a'.repeat(78)}😀 and more`);
    expect(label.length).toBeLessThanOrEqual(80);
    expect(label).not.toMatch(/[\uD800-\uDFFF]/u);
  });
});
