import { describe, expect, it } from 'vitest';
import { isQuizUnsuitable, QUIZ_UNSUITABLE } from '../../../src/vocabulary/lexicon.js';

describe('words a learner quiz never offers', () => {
  it('refuses the extra list and its inflections, which the cuss list misses', () => {
    for (const word of ['castrate', 'castrated', 'castrates', 'castrating', 'Castrated', 'rapes', 'molested', 'testicles', 'mutilating']) {
      expect(isQuizUnsuitable(word), word).toBe(true);
    }
    for (const lemma of QUIZ_UNSUITABLE) expect(isQuizUnsuitable(lemma), lemma).toBe(true);
  });

  it('still refuses what cuss rates profane', () => {
    expect(isQuizUnsuitable('fuck')).toBe(true);
  });

  it('keeps ordinary words, including ones that look like an inflection of a listed word', () => {
    for (const word of ['cast', 'casted', 'castle', 'grape', 'drape', 'draped', 'trapeze', 'gentle', 'tested', 'penal', 'moles', 'scrolls', 'agreed', 'cooperation']) {
      expect(isQuizUnsuitable(word), word).toBe(false);
    }
  });
});
