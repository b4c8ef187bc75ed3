import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeMarkdown } from '../../../src/domain/discord-format/escape.js';
import { BLOCK_SEPARATOR, paginate } from '../../../src/domain/discord-format/paginate.js';

const words = (text: string) => text.split(/\s+/u).filter((word) => word !== '');

describe('paginate', () => {
  it('keeps short blocks on one page, separated by blank lines', () => {
    expect(paginate(['One.', 'Two.', 'Three.'], 100)).toEqual(['One.\n\nTwo.\n\nThree.']);
  });

  it('moves a whole block to the next page rather than splitting it', () => {
    const a = 'a'.repeat(30);
    const b = 'b'.repeat(30);
    expect(paginate([a, b], 50)).toEqual([a, b]);
    expect(paginate([a, b], 62)).toEqual([`${a}\n\n${b}`]);
  });

  it('drops blank blocks and trims the others', () => {
    expect(paginate(['  one  ', '', '   ', '\ntwo\n'], 100)).toEqual(['one\n\ntwo']);
    expect(paginate([], 100)).toEqual([]);
  });

  it('splits a block longer than a page at sentence ends first', () => {
    const block = 'First sentence is here. Second one follows it, quite long. Third.';
    expect(paginate([block], 40)).toEqual(['First sentence is here.', 'Second one follows it, quite long.', 'Third.']);
  });

  it('splits at a line break inside a block before anything else', () => {
    expect(paginate(['Line one, no stop\nline two. And more words here'], 30)).toEqual(['Line one, no stop', 'line two. And more words here']);
  });

  it('splits at spaces when a sentence is longer than a page, and anywhere when a word is', () => {
    expect(paginate(['alpha beta gamma delta epsilon'], 12)).toEqual(['alpha beta', 'gamma delta', 'epsilon']);
    expect(paginate(['x'.repeat(25)], 10)).toEqual(['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)]);
  });

  it('cuts between words in the second half of a page before a better kind of cut in its first half', () => {
    // A line break near the start does not make a page of its own line.
    const intro = paginate([`Intro line\n${'word '.repeat(1000).trim()}`], 4000);
    expect(intro[0]!.length).toBeGreaterThan(2000);
    expect(intro[0]!.startsWith('Intro line\nword word')).toBe(true);
    // A word is not cut for it: a space in the first half still beats a cut inside a word.
    expect(paginate([`short ${'x'.repeat(30)}`], 20)).toEqual(['short', 'x'.repeat(20), 'x'.repeat(10)]);
    // Nor when the best kind of cut is in the page's first quarter: a later space still comes before a cut word
    // (fast-check found it: a question mark at 4 of 21 made a page cut a word at 20 though a space was at 10).
    expect(paginate(["a:-? A;,:, A)0:,:':AA- A"], 21)).toEqual(['a:-? A;,:,', "A)0:,:':AA- A"]);
    expect(paginate([`Why? ${'word '.repeat(3)}${'x'.repeat(12)}`], 24)).toEqual(['Why? word word word', 'x'.repeat(12)]);
    // But a space only in the page's first quarter (a dialogue turn's label, then one word of thousands of
    // characters) does not make a page of the label alone: the word is cut late in the page.
    const turn = paginate([`🔵 **A:** ${'x'.repeat(5000)}`], 4000);
    expect(turn[0]!.startsWith('🔵 **A:** xxx')).toBe(true);
    expect(turn[0]!.length).toBe(4000);
    expect(turn.join('').replace(/\s/gu, '')).toBe(`🔵**A:**${'x'.repeat(5000)}`);
    // Where the page's second half has a better cut, it is still the one taken.
    expect(paginate([`${'a '.repeat(30)}end.\n${'b '.repeat(30)}`], 80)[0]).toBe(`${'a '.repeat(30)}end.`);
  });

  it('splits after CJK sentence ends, which have no space', () => {
    expect(paginate(['日本と米国は合意した。防衛相が会談した。'], 12)).toEqual(['日本と米国は合意した。', '防衛相が会談した。']);
  });

  it('never cuts an escape or a surrogate pair in two', () => {
    for (const page of paginate([escapeMarkdown('*'.repeat(30))], 11)) {
      expect(page).toMatch(/^(?:\\\*)+$/u);
    }
    for (const page of paginate(['😀'.repeat(30)], 11)) expect(page).not.toMatch(/\p{Cs}/u);
  });

  it('does not let a split turn text into a list, heading or quote', () => {
    const pages = paginate(['word - word - word - word - word # x > y 1. z'], 12);
    for (const page of pages.slice(1)) expect(page).not.toMatch(/^(?:[-#>*+]|[0-9]+[.)]) /u);
    expect(words(pages.join(' ').replace(/\\/gu, ''))).toEqual(words('word - word - word - word - word # x > y 1. z'));
  });

  it('escapes the start of a page when no other cut exists', () => {
    const pages = paginate(['- - - - - - - - - - - - - - - -'], 10);
    expect(pages.slice(1, -1).every((page) => page.startsWith('\\- '))).toBe(true);
    expect(pages.some((page) => /^- /mu.test(page) && page !== pages[0])).toBe(false);
    for (const page of pages) expect(page.length).toBeLessThanOrEqual(10);
  });

  it('escapes the part of a web address cut onto the next page, which Discord no longer links', () => {
    // A web address is left unescaped (Discord links it, nothing formats in it); its part after a cut is not one.
    const address = `https://a.example/${'a'.repeat(40)}_b_**c**||d||`;
    const pages = paginate([escapeMarkdown(address)], 50);
    expect(pages[0]).toBe(address.slice(0, 50));
    expect(pages.slice(1)).toEqual([`${'a'.repeat(8)}\\_b\\_\\*\\*c\\*\\*\\|\\|d\\|\\|`]);
  });

  it('escapes a web address cut onto the next pages once, one inside it too', () => {
    // The address inside it (…?u=https://…) must not read as a link on the next page, whose part is escaped again at each cut.
    const address = `https://a.example/${'a'.repeat(40)}?u=https://b.example/${'_'.repeat(300)}`;
    const pages = paginate([escapeMarkdown(address)], 50);
    expect(pages.length).toBeLessThan(20);
    expect(pages.join('').replace(/\\(.)/gu, '$1')).toBe(address);
  });

  it('rejects a page size too small to make progress', () => {
    expect(() => paginate(['x'], 5)).toThrow(RangeError);
  });
});

describe('paginate properties', () => {
  // Words up to 13 characters, so with pages of at least 20 no word has to be cut.
  const word = fc.stringMatching(/^[A-Za-z][A-Za-z'’,;:"()0-9-]{0,11}[.!?]?$/u);
  const paragraph = fc.array(word, { minLength: 1, maxLength: 200 }).map((ws) => ws.join(' '));
  const paragraphs = fc.array(paragraph, { maxLength: 30 });
  const maxChars = fc.integer({ min: 20, max: 600 });

  it('pages are within the limit, never empty, and keep every word in order', () => {
    fc.assert(
      fc.property(paragraphs, maxChars, (blocks, max) => {
        const pages = paginate(blocks, max);
        for (const page of pages) {
          expect(page.length).toBeLessThanOrEqual(max);
          expect(page.trim()).not.toBe('');
        }
        expect(words(pages.join(' '))).toEqual(words(blocks.join(' ')));
      }),
    );
  });

  it('joined, the pages are exactly the blocks joined when every block fits a page', () => {
    fc.assert(
      fc.property(paragraphs, (blocks) => {
        const max = Math.max(10, ...blocks.map((block) => block.length));
        expect(paginate(blocks, max).join(BLOCK_SEPARATOR)).toBe(blocks.join(BLOCK_SEPARATOR));
      }),
    );
  });

  it('holds for arbitrary escaped text too: within the limit, nothing visible lost', () => {
    const visible = (text: string) => text.replace(/[\s\\]/gu, '');
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme', maxLength: 300 }), { maxLength: 10 }), fc.integer({ min: 10, max: 300 }), (raw, max) => {
        const blocks = raw.map(escapeMarkdown);
        const pages = paginate(blocks, max);
        for (const page of pages) {
          expect(page.length).toBeLessThanOrEqual(max);
          expect(page.trim()).not.toBe('');
        }
        expect(visible(pages.join(''))).toBe(visible(blocks.join('')));
      }),
    );
  });
});
