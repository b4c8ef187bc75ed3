import { describe, expect, it } from 'vitest';
import { SenseIndex } from '../../../src/vocabulary/lexicon.js';

// Lines as in WordNet's index files: lemma pos synset_cnt p_cnt [ptr_symbol...] sense_cnt tagsense_cnt synset_offset...
const INDEX = [
  '  1 This software and database is being provided to you, the LICENSEE, by  ',
  '  2 Princeton University under the following license.  By obtaining, using  ',
  'abandon v 5 4 @ ~ * + 5 4 02232086 02228031 00614057 00613393 00612042  ',
  'preemptive_bid n 1 1 @ 1 0 06517486  ',
  "o'clock r 1 0 1 0 00153398  ",
  'run v 3 2 @ ~ 3 3 01926311 02075049 01930874  ',
  '',
].join('\n');

describe('a WordNet index file, packed (SenseIndex)', () => {
  const index = new SenseIndex(INDEX);

  it('keeps each plain lemma’s synset offsets in the file’s order (most used sense first)', () => {
    expect(index.synsetOffsets('abandon')).toEqual([2232086, 2228031, 614057, 613393, 612042]);
    expect(index.synsetOffsets('run')).toEqual([1926311, 2075049, 1930874]);
    expect(index.senses('abandon')).toBe(5);
    expect(index.has('run')).toBe(true);
  });

  it('leaves out the licence header, collocations and odd spellings, and answers nothing for them', () => {
    expect([...index.lemmas()]).toEqual(['abandon', 'run']);
    for (const lemma of ['preemptive_bid', "o'clock", 'walk']) {
      expect(index.has(lemma)).toBe(false);
      expect(index.senses(lemma)).toBe(0);
      expect(index.synsetOffsets(lemma)).toEqual([]);
    }
  });

  it('reads a file without a final newline, and an empty one', () => {
    expect(new SenseIndex('walk v 1 0 1 0 01904930').synsetOffsets('walk')).toEqual([1904930]);
    expect([...new SenseIndex('').lemmas()]).toEqual([]);
  });
});
