import { shuffled } from './random.js';
import { BLANK, blankOut, isAnotherForm, occursIn, wordsOf } from './sentence.js';
import { sameWordForm } from './spelling.js';
import type { VocabularyEntry } from './types.js';

export const QUIZ_MIN_QUESTIONS = 3;
export const QUIZ_MAX_QUESTIONS = 5;
export const QUIZ_CHOICES = 4;
/**
 * A question shows its sentence whole (word for word, never cut); a longer "sentence" (a paragraph the
 * tagger could not split) is left out of quizzes so the message stays within Discord's 4,096 characters
 * even with every character escaped.
 */
export const QUIZ_SENTENCE_MAX = 1000;

/** One question as asked: the sentence with the word blanked, and four labelled choices in shuffled order. */
export interface QuizQuestion {
  readonly lemma: string;
  readonly prompt: string;
  readonly answer: string;
  readonly choices: readonly string[];
}

type QuizSource = Pick<VocabularyEntry, 'word' | 'lemma' | 'pos' | 'sentence' | 'distractors'>;

/** Verbs whose past (and participle) is spelt as their base: "offset", "forecast", "upset". */
const PAST_AS_BASE = new Set(
  (
    'bet beset bid broadcast burst cast cost cut fit forecast hit hurt input let mishit offset outbid output podcast preset put quit ' +
    'recast reset rid set shed shut slit split spread sublet telecast thrust typeset undercut upset webcast wed wet'
  ).split(' '),
);

/** Words after which a verb is in its base form whatever the tense: "to", the modals, "do". */
const BASE_AFTER = new Set('to will would shall should can could may might must do does did'.split(' '));

/**
 * A verb of PAST_AS_BASE whose tense the sentence does not fix: its distractors are base forms ("absolve" for
 * "offset"), which a past with a singular subject rules out ("a slump in exports ____ resilient spending": only
 * "offset" fits), so the grammar gave the answer away. Asked only after "to", a modal or "do" ("could ____"), or
 * a negative of one ("won't", "didn't"), where every choice is a base form.
 */
function tenseGivesItAway(entry: Pick<QuizSource, 'word' | 'lemma' | 'pos'>, prompt: string): boolean {
  if (entry.pos !== 'verb' || entry.word.toLowerCase() !== entry.lemma || !PAST_AS_BASE.has(entry.lemma)) return false;
  const before = /([\p{L}'’]+)\s+$/u.exec(prompt.slice(0, prompt.indexOf(BLANK)))?.[1]?.toLowerCase();
  return before === undefined || !(BASE_AFTER.has(before) || /n['’]t$|['’]ll$/u.test(before));
}

/** The question for one vocabulary word, or null if it cannot make a fair one (too few distractors, say). */
export function questionFor(entry: QuizSource, random: () => number): QuizQuestion | null {
  if (entry.sentence.length > QUIZ_SENTENCE_MAX) return null;
  const prompt = blankOut(entry.sentence, entry.word);
  if (!prompt.includes(BLANK) || occursIn(entry.word, prompt)) return null;
  const sentenceWords = wordsOf(entry.sentence);
  if (holdsAnotherForm(entry, sentenceWords) || tenseGivesItAway(entry, prompt)) return null;
  const seen = new Set([entry.word.toLowerCase()]);
  const distractors: string[] = [];
  for (const d of entry.distractors) {
    const key = d.toLowerCase();
    // A spelling variant of the answer ("criticized" for "criticised"), stored by rules before version 3, is not wrong.
    if (seen.has(key) || sameWordForm(d, entry.word) || occursIn(d, sentenceWords)) continue;
    seen.add(key);
    distractors.push(d);
  }
  if (distractors.length < QUIZ_CHOICES - 1) return null;
  return {
    lemma: entry.lemma,
    prompt,
    answer: entry.word,
    choices: shuffled([entry.word, ...distractors.slice(0, QUIZ_CHOICES - 1)], random),
  };
}

/**
 * Another form of the answer's word stands in its sentence: "a second tariff" beside the blank of "tariffs",
 * "before a negotiator resigned" after "The ____ negotiated", which gave the answer away. Such a sentence is not
 * asked, another word is.
 */
function holdsAnotherForm(entry: Pick<QuizSource, 'word' | 'lemma'>, sentenceWords: ReadonlySet<string>): boolean {
  for (const word of sentenceWords) if (isAnotherForm(word, entry)) return true;
  return false;
}

/**
 * The word stands in its sentence once, and inside no other word ("rite" in "favourite"): the prompt then
 * has one blank, and putting the answer back in it gives the sentence, word for word.
 */
export function blanksOnce(entry: Pick<QuizSource, 'word' | 'sentence'>): boolean {
  const sentence = entry.sentence.toLowerCase();
  const word = entry.word.toLowerCase();
  const first = sentence.indexOf(word);
  return first !== -1 && sentence.indexOf(word, first + 1) === -1;
}

/**
 * 3–5 questions from the lesson's vocabulary, words picked at random, from different sentences (a sentence asked
 * twice shows the second question's answer in the first's prompt; it is asked twice only to reach 3 questions),
 * preferring words that stand once in their sentence. Null when fewer than 3 fair questions can be made.
 */
export function buildQuiz(entries: readonly QuizSource[], random: () => number): QuizQuestion[] | null {
  const questions: QuizQuestion[] = [];
  const usedSentences = new Set<string>();
  const order = shuffled(entries, random);
  for (const pass of [0, 1, 2]) {
    for (const entry of order) {
      if (questions.length === QUIZ_MAX_QUESTIONS) break;
      // A sentence asked twice shows the later question's answer in the earlier one's prompt: only to reach the minimum.
      if (pass === 2 && questions.length >= QUIZ_MIN_QUESTIONS) break;
      if (questions.some((q) => q.lemma === entry.lemma)) continue;
      if (pass < 2 && usedSentences.has(entry.sentence)) continue;
      if (pass === 0 && !blanksOnce(entry)) continue;
      const question = questionFor(entry, random);
      if (question === null) continue;
      usedSentences.add(entry.sentence);
      questions.push(question);
    }
  }
  return questions.length >= QUIZ_MIN_QUESTIONS ? questions : null;
}

/** "3/5". */
export function formatScore(score: number, total: number): string {
  return `${score}/${total}`;
}
