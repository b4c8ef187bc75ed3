import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prng } from '../../bench/library-generator.js';
import type { DB } from '../../src/db/schema.js';
import { BATCH_TIMEOUTS } from '../../src/db/timeouts.js';
import { RELATED_WORDS_WITHIN } from '../../src/discovery/related.js';
import type { Lesson } from '../../src/domain/lesson.js';
import type { VocabularyComputer } from '../../src/vocabulary/computer.js';
import { testDatabaseTargets, type TestDatabase } from '../support/databases.js';
import { makeLesson } from '../support/lessons.js';
import { createServiceHarness } from '../support/services.js';
import { joiningTransactions, rolledBack } from '../support/transactions.js';

/**
 * Lessons near the format's limits (LESSON_LIMITS: an article or a dialogue of up to 200,000 characters). Their
 * texts are stored out of line (PostgreSQL's TOAST): what a command reads of them is counted in the blocks it
 * fetches from the `lessons` table's TOAST relation in its transaction (`pg_stat_get_xact_blocks_fetched`), and how
 * many of a lesson's words related readings look up in the index scans of `lexeme_docs`'s key. Timing-free.
 */

const NOW = '2026-05-02T12:00:00Z';
const TOMORROW = '2026-05-03';
const GUILD = '300000000000000001';
const UNSCHEDULED = '399999999999999999';
const MEMBER = { guildId: GUILD, userId: 'reader' };

/** Made-up words of letters only, each its own lexeme. */
const VOCABULARY = Array.from({ length: 12_000 }, (_, i) => {
  let word = '';
  for (let n = i + 1; n > 0; n = Math.floor(n / 20)) word += 'bdfgklmnprtvzaeiouyh'[n % 20];
  return `q${word}x`;
});

/** Text of about `characters` characters of words drawn evenly from VOCABULARY (it compresses to a quarter at best). */
function text(characters: number, random: () => number, vocabulary: readonly string[] = VOCABULARY): string {
  const words: string[] = [];
  let length = 0;
  while (length < characters) {
    const word = vocabulary[Math.floor(random() * vocabulary.length)]!;
    words.push(word);
    length += word.length + 1;
  }
  return `${words.join(' ')}.`;
}

const random = prng(11);
/** Two words the big article has only after its first RELATED_WORDS_WITHIN words, and one other lesson has too. */
const LATE_WORDS = 'zwolfharp zwenkidrel';
/** Two words the big article opens with, that another lesson has too. */
const EARLY_WORDS = 'brontimax cleodrapin';

const bigArticle = makeLesson({
  date: '2025-06-03',
  title: 'A very long feature',
  summary: `A feature on ${EARLY_WORDS}.`,
  article: [
    `${EARLY_WORDS} ${text(900, random)}`,
    ...Array.from({ length: 150 }, () => text(1_000, random)),
    `${LATE_WORDS} ${text(900, random)}`,
    ...Array.from({ length: 38 }, () => text(1_000, random)),
  ],
});
const bigDialogue = makeLesson({
  date: '2025-06-02',
  title: 'A very long conversation',
  dialogue: Array.from({ length: 190 }, (_, i) => ({ speaker: i % 2 === 0 ? 'A' : 'B', text: text(1_000, random) })),
});
const early = makeLesson({ date: '2025-05-01', title: `Early ${EARLY_WORDS}`, summary: 'Of the early words.', similarReadings: [] });
const late = makeLesson({ date: '2025-05-02', title: `Late ${LATE_WORDS}`, summary: 'Of the late words.', similarReadings: [] });
const others = Array.from({ length: 6 }, (_, i) => makeLesson({ date: `2025-04-0${i + 1}`, title: `Other lesson ${i}`, similarReadings: [] }));

/** A vocabulary of three words (a quiz needs three), whatever the lesson: what the worker would store. */
const fixedVocabulary: VocabularyComputer = {
  compute: () => ({
    entries: ['agreed', 'council', 'budget'].map((word) => ({
      word, lemma: word, pos: 'noun' as const, definition: `the ${word}`, sentence: `A ${word}.`, source: 'article' as const, frequency: 1000, distractors: ['a', 'b', 'c'],
    })),
    level: { band: 'B1' as const, outside2k: 0.1, outside5k: 0.05, words: 250 },
  }),
  close: () => undefined,
};

async function counter(db: Kysely<DB>, expression: string): Promise<number> {
  const { rows } = await sql<{ n: string | number }>`select ${sql.raw(expression)} as n`.execute(db);
  return Number(rows[0]?.n ?? 0);
}

/** Blocks of `lessons`' TOAST relation (its texts stored out of line) fetched so far in the transaction. */
const toastBlocks = (db: Kysely<DB>) =>
  counter(db, `pg_stat_get_xact_blocks_fetched((select reltoastrelid from pg_class where oid = 'lessons'::regclass))`);
/** Index scans of `lexeme_docs`'s key so far in the transaction: one per word looked up. */
const lexemeLookups = (db: Kysely<DB>) => counter(db, `pg_stat_get_xact_numscans('lexeme_docs_pkey'::regclass)`);

type Harness = ReturnType<typeof createServiceHarness>;
type Services = Harness['services'];

describe.each(testDatabaseTargets())('lessons near the format’s limits on $kind', (target) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await target.open({ timeouts: BATCH_TIMEOUTS });
    const { services } = createServiceHarness(database.db, NOW, fixedVocabulary);
    await services.lessons.importParsed([bigArticle, bigDialogue, early, late, ...others]);
    // Stored, as after an import: the commands below find each vocabulary current.
    for (const lesson of [bigArticle, bigDialogue]) await services.vocabulary.list(lesson.id);
    await services.delivery.setSchedule({
      guildId: GUILD,
      channelId: 'c1',
      when: services.delivery.postingTime('07:30', 'UTC'),
      roleId: null,
      createThread: false,
    });
    await sql`analyze`.execute(database.db);
  }, 300_000);
  afterAll(async () => {
    await database?.close();
  });

  /** What `run` reads of the lessons' texts (TOAST blocks), through the services, in a transaction rolled back. */
  function toastRead(run: (services: Services, harness: Harness) => Promise<unknown>): Promise<number> {
    return rolledBack(database.db, async (trx) => {
      const harness = createServiceHarness(joiningTransactions(trx), NOW, fixedVocabulary);
      const before = await toastBlocks(trx);
      await run(harness.services, harness);
      return (await toastBlocks(trx)) - before;
    });
  }

  it('stores the big texts out of line (what the tests below count)', async () => {
    expect(await toastRead((services) => services.lessons.requestedWith(GUILD, bigArticle.id, 'article'))).toBeGreaterThan(10);
    expect(await toastRead((services) => services.lessons.byIdWith(bigDialogue.id, 'dialogue'))).toBeGreaterThan(10);
  });

  it('a card, the daily post and every command that only names a lesson read none of its article or dialogue', async () => {
    const paths: Record<string, (services: Services, lesson: Lesson, harness: Harness) => Promise<unknown>> = {
      'the card button': (services, lesson) => services.lessons.cardOf(lesson.id, GUILD),
      '/lesson show (picked)': (services, lesson) => services.lessons.card(GUILD, lesson.id),
      '/lesson show (a title typed)': (services, lesson) => services.lessons.card(GUILD, lesson.title),
      '/lesson today without a schedule (the newest lesson)': (services) => services.lessons.todaysCard(UNSCHEDULED),
      '/lesson related, vocab, quiz (the lesson)': (services, lesson) => services.lessons.requested(GUILD, lesson.id),
      'the Related, Vocabulary, Quiz and Mark as read buttons (the lesson)': (services, lesson) => services.lessons.byId(lesson.id),
      '/lesson vocab': (services, lesson) => services.vocabulary.list(lesson.id),
      '/lesson quiz': (services, lesson) => services.vocabulary.startQuiz(MEMBER, lesson.id),
      'Mark as read': async (services, lesson) => services.reading.finished(MEMBER, await services.lessons.byId(lesson.id)),
      '/schedule plan, /schedule preview (the next post)': async (services, lesson) => {
        await services.delivery.plan(GUILD, { date: TOMORROW, lesson: lesson.id, plannedBy: 'mod' });
        expect((await services.delivery.preview(GUILD, undefined)).stored.lesson.id).toBe(lesson.id);
      },
      '/schedule post-now (the daily post’s card)': async (services, lesson, { channels }) => {
        await services.delivery.plan(GUILD, { date: NOW.slice(0, 10), lesson: lesson.id, plannedBy: 'mod' });
        await services.delivery.postNow(await services.delivery.requireSchedule(GUILD), false);
        expect(channels.sent.map((post) => (post.options.embeds?.[0] as { title?: string } | undefined)?.title)).toEqual([lesson.title]);
      },
    };
    const read: Record<string, number> = {};
    for (const lesson of [bigArticle, bigDialogue]) {
      for (const [path, run] of Object.entries(paths)) read[`${path}: ${lesson.title}`] = await toastRead((services, harness) => run(services, lesson, harness));
    }
    expect(read).toEqual(Object.fromEntries(Object.keys(read).map((path) => [path, 0])));
  });

  it('the dialogue reads none of the article, and the article none of the dialogue', async () => {
    expect(await toastRead((services) => services.lessons.requestedWith(GUILD, bigArticle.id, 'dialogue'))).toBe(0);
    expect(await toastRead((services) => services.lessons.byIdWith(bigArticle.id, 'dialogue'))).toBe(0);
    expect(await toastRead((services) => services.lessons.requestedWith(GUILD, bigDialogue.id, 'article'))).toBe(0);
    expect(await toastRead((services) => services.lessons.byIdWith(bigDialogue.id, 'article'))).toBe(0);
    const dialogue = await toastRead(async (services) => {
      const stored = await services.lessons.byIdWith(bigArticle.id, 'dialogue');
      expect(stored.lesson.dialogue).toEqual(bigArticle.dialogue);
      expect('article' in stored.lesson).toBe(false);
    });
    expect(dialogue).toBe(0);
  });

  /** The lookups of lexeme_docs related readings make for a lesson, and the lesson's words within the bound and in all. */
  async function relatedLookups(lessonId: string): Promise<{ lookups: number; within: number; words: number; related: string[] }> {
    return rolledBack(database.db, async (trx) => {
      const { services } = createServiceHarness(joiningTransactions(trx), NOW, fixedVocabulary);
      const before = await lexemeLookups(trx);
      const related = await services.discovery.related(lessonId);
      const lookups = (await lexemeLookups(trx)) - before;
      const { rows } = await sql<{ within: number; words: number }>`
        select count(*) filter (where w.positions[1] <= ${RELATED_WORDS_WITHIN})::int as within, count(*)::int as words
        from lessons l, unnest(l.search_vector) w where l.id = ${lessonId}`.execute(trx);
      return { lookups, within: rows[0]!.within, words: rows[0]!.words, related: related.lessons.map((lesson) => lesson.id) };
    });
  }

  it('related readings look up a lesson’s words once each, and only those of its first RELATED_WORDS_WITHIN words', async () => {
    const big = await relatedLookups(bigArticle.id);
    // ~10,000 distinct words, of which ~3,000 in its first 4,000: each looked up once (and the library's size).
    expect(big.words).toBeGreaterThan(2 * big.within);
    expect(big.lookups).toBeLessThanOrEqual(big.within + 2);
    // A lesson of a usual size: every word, once.
    const usual = await relatedLookups(others[0]!.id);
    expect(usual.within).toBe(usual.words);
    expect(usual.lookups).toBeLessThanOrEqual(usual.words + 2);
  });

  it('a long lesson is related by what its first RELATED_WORDS_WITHIN words say, not by words far into it', async () => {
    const { related } = await relatedLookups(bigArticle.id);
    expect(related).toContain(early.id);
    expect(related).not.toContain(late.id);
  });
});
