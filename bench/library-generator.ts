/**
 * A synthetic lesson library for benchmarks and query-plan tests: `lessons` lessons with realistic
 * lengths (summary ~50 words, article ~400 words in 8 paragraphs, a 10-turn dialogue), words drawn from a
 * vocabulary of several thousand made-up words with a Zipf distribution (plus real English function
 * words), grouped into topics, and similar-reading titles that name other generated lessons by their
 * headline (half the lessons are stored under their headline, half, like reading-app exports, under
 * their article's first sentence) or name an article that is not in the library.
 *
 * Deterministic for a given seed. Inserted in bulk (multi-row inserts), with the similar-reading matches
 * written from the generator's ground truth (the import-time matcher is measured separately, on a sample).
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../src/db/schema.js';
import { articleWordCount, dialogueWordCount, type Lesson } from '../src/domain/lesson.js';

export interface LibraryOptions {
  readonly lessons: number;
  readonly seed?: number;
  /** Distinct made-up content words (several thousand). */
  readonly vocabulary?: number;
  /** Article paragraphs of about 50 words (default 8: ~400 words); fewer seeds faster (query-plan tests). */
  readonly articleParagraphs?: number;
}

export interface SimilarReadingTruth {
  readonly lessonId: string;
  readonly position: number;
  /** As written in the export (sometimes with the reading app's "Summary:" prefix). */
  readonly title: string;
  /** The lesson it names, or null for an article that is not in the library. */
  readonly namesLessonId: string | null;
}

export interface GeneratedLibrary {
  readonly ids: readonly string[];
  readonly headlines: readonly string[];
  /** Words a member would search for, one query per entry (a topic word and a word of one lesson). */
  readonly searchQueries: readonly string[];
  /** What a member types into the `lesson` option: a word and the start of another. */
  readonly autocompleteInputs: readonly string[];
  readonly similarReadings: (index: number) => SimilarReadingTruth[];
  readonly lesson: (index: number) => Lesson;
  /** Member ids that have reader rows ("u0" … ), in server BENCH_GUILD. */
  readonly readerIds: readonly string[];
}

export const BENCH_GUILD = '100000000000000001';

const FUNCTION_WORDS = [
  'the', 'of', 'and', 'to', 'in', 'a', 'is', 'that', 'for', 'on', 'with', 'as', 'was', 'by', 'at', 'it', 'from',
  'said', 'has', 'have', 'will', 'be', 'are', 'an', 'this', 'its', 'their', 'after', 'more', 'than', 'about',
];
const SYLLABLES = [
  'ka', 'ro', 'mi', 'ten', 'sa', 'lu', 'ber', 'no', 'vi', 'del', 'ta', 'mor', 'si', 'pan', 'ge', 'ri', 'lo', 'man',
  'ze', 'qua', 'fi', 'don', 'ha', 'pel', 'cu', 'tor', 'ni', 'sel', 'bo', 'ran', 'di', 'ves', 'ma', 'gul', 'ne',
];

/** mulberry32: a small, fast, seeded PRNG. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeVocabulary(size: number, random: () => number): string[] {
  const words = new Set<string>();
  while (words.size < size) {
    const syllables = 2 + Math.floor(random() * 3);
    let word = '';
    for (let i = 0; i < syllables; i++) word += SYLLABLES[Math.floor(random() * SYLLABLES.length)];
    words.add(word);
  }
  return [...words];
}

/** Zipf(1) sampler over ranks 0..n-1 by inverse CDF. */
function zipf(n: number, random: () => number): () => number {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) cdf[i] = sum += 1 / (i + 1);
  return () => {
    const target = random() * sum;
    let low = 0;
    let high = n - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((cdf[mid] as number) < target) low = mid + 1;
      else high = mid;
    }
    return low;
  };
}

const capitalise = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

interface Topic {
  readonly names: string[];
  readonly words: string[];
}

export function generateLibrary(options: LibraryOptions): GeneratedLibrary {
  const count = options.lessons;
  const seed = options.seed ?? 42;
  const random = prng(seed);
  const vocabulary = makeVocabulary(options.vocabulary ?? 6000, random);
  const general = zipf(vocabulary.length, random);
  const pick = <T>(items: readonly T[], r: () => number = random): T => items[Math.floor(r() * items.length)] as T;
  const topicCount = Math.max(20, Math.round(count / 200));
  const topics: Topic[] = Array.from({ length: topicCount }, () => ({
    names: Array.from({ length: 3 }, () => capitalise(pick(vocabulary.slice(1500)))),
    words: Array.from({ length: 30 }, () => pick(vocabulary.slice(300))),
  }));
  const ids = Array.from({ length: count }, () => uuidFrom(random));
  const topicOf = (index: number) => topics[index % topicCount] as Topic;

  // Each lesson's own words (what makes it one story): rare-ish words, fixed per lesson.
  const eventWords = (index: number): string[] => {
    const r = prng(seed * 7919 + index);
    return Array.from({ length: 5 }, () => pick(vocabulary.slice(800), r));
  };
  const headlineOf = (index: number, r: () => number = prng(seed * 104729 + index)): string => {
    const topic = topicOf(index);
    const events = eventWords(index);
    const words = [pick(topic.names, r), ...events.slice(0, 3 + Math.floor(r() * 2)), pick(topic.words, r)];
    // A function word or two, as in real headlines ("… agree to …").
    words.splice(2, 0, pick(['to', 'in', 'for', 'of', 'on'], r));
    return capitalise(words.join(' '));
  };
  const headlines = Array.from({ length: count }, (_, index) => headlineOf(index));

  const sentence = (r: () => number, words: number, topic: Topic, events: readonly string[]): string => {
    const out: string[] = [];
    for (let i = 0; i < words; i++) {
      const roll = r();
      if (roll < 0.3) out.push(pick(FUNCTION_WORDS, r));
      else if (roll < 0.45) out.push(pick(topic.words, r));
      else if (roll < 0.5) out.push(pick(events, r));
      else if (roll < 0.53) out.push(pick(topic.names, r));
      else out.push(vocabulary[general()] as string);
    }
    return `${capitalise(out.join(' '))}.`;
  };

  const lesson = (index: number): Lesson => {
    const r = prng(seed * 31337 + index);
    const topic = topicOf(index);
    const events = eventWords(index);
    const headline = headlines[index] as string;
    // The summary retells the headline (nearly all its words) and adds some context.
    const summary = `${headline.replace(/\s+\S+$/u, '')} ${sentence(r, 20, topic, events).toLowerCase()} ${sentence(r, 20, topic, events)}`;
    const article = Array.from({ length: options.articleParagraphs ?? 8 }, (_, p) =>
      Array.from({ length: 3 }, (_, s) => (p === 0 && s === 0 ? `${headline} ${sentence(r, 8, topic, events).toLowerCase()}` : sentence(r, 15, topic, events))).join(' '),
    );
    const exportStyle = index % 2 === 0;
    const date = new Date(Date.UTC(2015, 0, 1) + Math.floor((index / count) * 3650) * 86_400_000).toISOString().slice(0, 10);
    return {
      id: ids[index] as string,
      category: index % 5 === 0 ? 'easy-news' : 'nhk',
      url: `https://example.org/news/${index}`,
      date,
      title: exportStyle ? (article[0] as string).split('. ')[0] + '.' : headline,
      summary,
      article,
      dialogue: Array.from({ length: 10 }, (_, t) => ({ speaker: t % 2 === 0 ? 'A' : 'B', text: sentence(r, 14, topic, events) })),
      similarReadings: similarReadings(index).map((reading) => reading.title),
      sourceStats: { words: 400, readCount: 0 },
      sourceTimes: { created: `${date}T08:00:00.000Z`, updated: `${date}T08:00:00.000Z`, lastRead: null },
    };
  };

  // Similar readings: three other lessons of the same topic, and one article not in the library.
  const similarReadings = (index: number): SimilarReadingTruth[] => {
    const r = prng(seed * 65537 + index);
    const sameTopic = (): number => {
      const k = Math.floor(r() * Math.floor(count / topicCount));
      const other = (index % topicCount) + k * topicCount;
      return other < count && other !== index ? other : (index + topicCount) % count;
    };
    const named = [...new Set([sameTopic(), sameTopic(), sameTopic()])].filter((other) => other !== index);
    const readings: SimilarReadingTruth[] = named.map((other, position) => ({
      lessonId: ids[index] as string,
      position,
      title: `${r() < 0.2 ? 'Summary: ' : ''}${headlines[other]}`,
      namesLessonId: ids[other] as string,
    }));
    readings.push({
      lessonId: ids[index] as string,
      position: readings.length,
      title: headlineOf(count + index, r),
      namesLessonId: null,
    });
    return readings;
  };

  const queryRandom = prng(seed + 1);
  const searchQueries = Array.from({ length: 200 }, () => {
    const index = Math.floor(queryRandom() * count);
    return `${pick(topicOf(index).names, queryRandom).toLowerCase()} ${pick(eventWords(index), queryRandom)}`;
  });
  const autocompleteInputs = Array.from({ length: 200 }, () => {
    const words = (headlines[Math.floor(queryRandom() * count)] as string).split(' ').filter((w) => w.length > 4);
    const first = pick(words, queryRandom);
    const second = pick(words, queryRandom);
    return queryRandom() < 0.5 ? first.slice(0, 4) : `${first} ${second.slice(0, 3)}`;
  });

  return {
    ids,
    headlines,
    searchQueries,
    autocompleteInputs,
    similarReadings,
    lesson,
    readerIds: Array.from({ length: 200 }, (_, i) => `u${i}`),
  };
}

function uuidFrom(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
}


/**
 * Inserts a generated library in bulk: lessons in multi-row inserts, similar-reading titles with the
 * lessons they name (ground truth), the per-word document counts, reader rows, then ANALYZE.
 */
export async function insertLibrary(
  db: Kysely<DB>,
  library: GeneratedLibrary,
  options: { batch?: number; readersPerLesson?: number; onProgress?: (done: number) => void } = {},
): Promise<void> {
  const batch = options.batch ?? 250;
  const total = library.ids.length;
  // Building GIN indexes once over the loaded table is several times faster than updating them per row.
  const indexes = await sql<{ indexname: string; indexdef: string }>`
    select indexname, indexdef from pg_indexes
    where schemaname = current_schema() and tablename in ('lessons', 'similar_readings') and indexdef like '%USING gin%'`.execute(db);
  for (const index of indexes.rows) await sql`drop index ${sql.id(index.indexname)}`.execute(db);
  for (let start = 0; start < total; start += batch) {
    const lessons = Array.from({ length: Math.min(batch, total - start) }, (_, i) => library.lesson(start + i));
    await db
      .insertInto('lessons')
      .values(
        lessons.map((lesson) => ({
          id: lesson.id,
          category: lesson.category,
          url: lesson.url,
          article_date: lesson.date,
          title: lesson.title,
          summary: lesson.summary,
          article: JSON.stringify(lesson.article),
          dialogue: JSON.stringify(lesson.dialogue),
          similar_readings: JSON.stringify(lesson.similarReadings),
          source_words: lesson.sourceStats.words,
          source_read_count: lesson.sourceStats.readCount,
          source_created_at: lesson.sourceTimes.created,
          source_updated_at: lesson.sourceTimes.updated,
          source_last_read_at: null,
          article_words: articleWordCount(lesson),
          dialogue_words: dialogueWordCount(lesson),
          // Not re-imported, so any unique text does; the real hash costs more than the insert.
          content_hash: lesson.id,
        })),
      )
      .execute();
    options.onProgress?.(start + lessons.length);
  }
  // Titles after every lesson exists: they name lessons of later batches too.
  for (let start = 0; start < total; start += batch * 4) {
    const readings = Array.from({ length: Math.min(batch * 4, total - start) }, (_, i) => library.similarReadings(start + i)).flat();
    await sql`
      insert into similar_readings (lesson_id, position, title, lexemes, matched_lesson_id, score)
      select lesson_id, position, headline, tsvector_to_array(to_tsvector('newsdesk_english', headline)), matched, 1
      from (
        select lesson_id, position, regexp_replace(title, '^Summary: ', '') as headline, matched
        from unnest(${sql.val(readings.map((r) => r.lessonId))}::uuid[], ${sql.val(readings.map((r) => r.position))}::int[],
                    ${sql.val(readings.map((r) => r.title))}::text[], ${sql.val(readings.map((r) => r.namesLessonId))}::uuid[])
          as t(lesson_id, position, title, matched)
      ) readings`.execute(db);
  }
  for (const index of indexes.rows) await sql.raw(index.indexdef).execute(db);
  await sql`delete from lexeme_docs`.execute(db);
  await sql`
    insert into lexeme_docs (lexeme, docs, text_docs)
    select lexeme, sum(head)::int, sum(text)::int from (
      select '' as lexeme, 1 as head, 1 as text from lessons
      union all
      select lexeme, 1, 0 from lessons, unnest(tsvector_to_array(head_vector)) as lexeme
      union all
      select lexeme, 0, 1 from lessons, unnest(tsvector_to_array(search_vector)) as lexeme
    ) counted group by lexeme`.execute(db);
  const readers = options.readersPerLesson ?? 0;
  if (readers > 0) {
    await sql`
      insert into lesson_readers (lesson_id, guild_id, user_id, first_read_at, last_read_at)
      select id, ${BENCH_GUILD}, 'u' || ((abs(hashtext(id::text)) + n * 37) % ${library.readerIds.length}), now(), now()
      from lessons, generate_series(1, ${readers}) as n
      on conflict do nothing`.execute(db);
  }
  await sql`analyze`.execute(db);
}
