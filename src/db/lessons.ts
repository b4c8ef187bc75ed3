import { isUuid } from '../domain/uuid.js';
import { sql, type CompiledQuery, type RawBuilder } from 'kysely';
import { articleWordCount, dialogueWordCount, type Lesson, type LessonHead, type LessonPart } from '../domain/lesson.js';
import { lessonContentHash } from '../domain/lesson-hash.js';
import type { LessonLevel } from '../domain/vocabulary/types.js';
import { PREPARED_MARK } from './prepared.js';
import type { DB, Executor, LessonRow } from './schema.js';

/** What the project computed and recorded about a stored lesson. */
interface StoredFacts {
  readonly articleWords: number;
  readonly dialogueWords: number;
  /** Members (server + user) who opened or finished it. */
  readonly readCount: number;
  readonly lastReadAt: Date | null;
  readonly importedAt: Date;
  /** Estimated level from the lesson's word frequencies; absent until its vocabulary is computed. */
  readonly level?: LessonLevel;
}

/** A lesson as stored in the library, with what the project computed and recorded about it (the CLI's show and export). */
export interface LibraryLesson extends StoredFacts {
  readonly lesson: Lesson;
}

/**
 * A stored lesson without its texts: what a card shows, and all that the commands naming a lesson (related,
 * vocabulary, quiz, Mark as read, /schedule plan) read of it. Reading the texts of a lesson near the format's
 * limits (an article and a dialogue of 200,000 characters each) took 20–60 ms a card.
 */
export interface LibraryLessonHead extends StoredFacts {
  readonly lesson: LessonHead;
}

/**
 * A stored lesson with one of its texts: what its dialogue or article pages show. Of either part (`LessonPart`), one
 * or the other: never both.
 */
export type LibraryLessonWith<P extends LessonPart> = P extends LessonPart ? StoredFacts & { readonly lesson: LessonHead & Pick<Lesson, P> } : never;

export interface LessonSummary {
  readonly id: string;
  readonly title: string;
  readonly date: string;
  readonly category: string;
}

export type UpsertOutcome = 'imported' | 'updated' | 'unchanged';

/**
 * Inserts a lesson, or updates its content in place when it changed. Reading data recorded by the bot
 * (read_count, last_read_at, readers) is never touched, so a re-import loses nothing.
 */
export async function upsertLesson(db: Executor, lesson: Lesson): Promise<UpsertOutcome> {
  const [outcome] = await upsertLessons(db, [lesson]);
  return outcome ?? 'unchanged';
}

/**
 * For the rest of the caller's transaction, statements are planned without JIT compilation. An import's
 * title-matching statements are planned at costs far above PostgreSQL's JIT thresholds, so each was compiled,
 * with inlining and optimisation, before it ran: 10,000 files into a library of 90,000 took 122–125 s without
 * against 132–144 s with (alternating runs). Nothing on PGlite, which has no JIT; the setting exists there too.
 */
export async function planWithoutJit(trx: Executor): Promise<void> {
  await sql`set local jit = off`.execute(trx);
}

/**
 * Imports one at a time, whoever runs them (the bot's uploads in any process, the CLI): every import writes the
 * library's word counts (`lexeme_docs`, one row of which counts the lessons), so a second import waited on the
 * first's row locks statement by statement, and on the bot's 1.5 s bound failed with an apology. A lock of the
 * caller's transaction, held until it ends. `wait: false` takes it only if it is free (true) or says it is not.
 */
export async function lockLessonImports(trx: Executor, options: { wait: boolean }): Promise<boolean> {
  const key = sql`hashtext('newsdesk.lesson-import')`;
  if (options.wait) {
    await sql`select pg_advisory_xact_lock(${key})`.execute(trx);
    return true;
  }
  const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(${key}) as locked`.execute(trx);
  return rows[0]?.locked === true;
}

/** Columns a row of `lessons` is written with: 17, so a statement of 3,000 rows stays under 65,535 parameters. */
const UPSERT_ROWS_PER_STATEMENT = 3000;

/**
 * upsertLesson for many lessons, one multi-row statement (per UPSERT_ROWS_PER_STATEMENT): the outcome of
 * each lesson, in their order. The lessons' ids must be distinct (one statement cannot insert and then
 * update the same row): the caller writes a repeated id in a later call.
 */
export async function upsertLessons(db: Executor, lessons: readonly Lesson[]): Promise<UpsertOutcome[]> {
  return runLessonUpsert(db, prepareLessonUpsert(db, lessons));
}

/** upsertLessons' statements, built (their rows' content, hashes and parameters) but not sent: see prepareLessonUpsert. */
export interface PreparedLessonUpsert {
  readonly parts: readonly { readonly lessons: readonly Lesson[]; readonly query: CompiledQuery<{ id: string; inserted: boolean; changed: boolean }> }[];
}

/**
 * Builds upsertLessons' statements without sending them: an import builds a batch's while the database writes
 * the batch before it (~50 ms of this thread for 250 lessons, which otherwise kept the database waiting after
 * every batch). Sent, in the same or a later transaction, by runLessonUpsert.
 */
export function prepareLessonUpsert(db: Executor, lessons: readonly Lesson[]): PreparedLessonUpsert {
  const parts: { lessons: readonly Lesson[]; query: CompiledQuery<{ id: string; inserted: boolean; changed: boolean }> }[] = [];
  for (let start = 0; start < lessons.length; start += UPSERT_ROWS_PER_STATEMENT) {
    const part = lessons.slice(start, start + UPSERT_ROWS_PER_STATEMENT);
    const query = db
      .insertInto('lessons')
      .values(part.map((lesson) => ({ id: lesson.id, ...lessonContent(lesson) })))
      .onConflict((oc) =>
        oc
          .column('id')
          .doUpdateSet((eb) => ({
            ...Object.fromEntries(CONTENT_COLUMNS.map((column) => [column, eb.ref(`excluded.${column}` as 'excluded.title')])),
            // Its content, not the reading app's statistics of it alone (see lessonContentHash).
            updated_at: sql<Date>`case when lessons.content_hash <> excluded.content_hash then now() else lessons.updated_at end`,
          }))
          .where((eb) =>
            eb.or([
              eb('lessons.content_hash', '<>', eb.ref('excluded.content_hash')),
              // Only the reading app's Read Count or Last Read changed: stored, as shown, but the lesson is unchanged.
              eb('lessons.source_read_count', '<>', eb.ref('excluded.source_read_count')),
              eb('lessons.source_last_read_at', 'is distinct from', eb.ref('excluded.source_last_read_at')),
            ]),
          ),
      )
      // xmax is 0 only for a freshly inserted row version: tells insert from update in one round trip. The
      // statement's subquery reads the row as it was before the statement (its snapshot): whether the content
      // changed. A lesson unchanged returns no row, or (its statistics alone written) `changed` false.
      .returning([
        'id',
        sql<boolean>`xmax = 0`.as('inserted'),
        // Asked only of an updated row: a fresh import's rows are each one index lookup fewer.
        sql<boolean>`case when xmax = 0 then true else lessons.content_hash is distinct from (select previous.content_hash from lessons as previous where previous.id = lessons.id) end`.as('changed'),
      ])
      .compile();
    parts.push({ lessons: part, query });
  }
  return { parts };
}

/** Sends a prepared upsert: the outcome of each of its lessons, in their order (as upsertLessons). */
export async function runLessonUpsert(db: Executor, prepared: PreparedLessonUpsert): Promise<UpsertOutcome[]> {
  const outcomes: UpsertOutcome[] = [];
  for (const { lessons, query } of prepared.parts) {
    const { rows } = await db.executeQuery(query);
    const written = new Map(rows.map((row) => [row.id.toLowerCase(), row]));
    for (const lesson of lessons) {
      const row = written.get(lesson.id.toLowerCase());
      outcomes.push(row === undefined || !(row.inserted || row.changed) ? 'unchanged' : row.inserted ? 'imported' : 'updated');
    }
  }
  return outcomes;
}

const CONTENT_COLUMNS = [
  'category', 'url', 'article_date', 'title', 'summary', 'article', 'dialogue', 'similar_readings',
  'source_words', 'source_read_count', 'source_created_at', 'source_updated_at', 'source_last_read_at',
  'article_words', 'dialogue_words', 'content_hash',
] as const;

/** What an import writes of a lesson (its id apart). */
function lessonContent(lesson: Lesson) {
  return {
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
    source_last_read_at: lesson.sourceTimes.lastRead,
    article_words: articleWordCount(lesson),
    dialogue_words: dialogueWordCount(lesson),
    content_hash: lessonContentHash(lesson),
  } satisfies Record<(typeof CONTENT_COLUMNS)[number], unknown>;
}

/** The columns of a lesson's head (LessonHead and what was computed at import), its texts apart. */
const HEAD_COLUMNS = [
  'id', 'category', 'url', 'article_date', 'title', 'summary',
  'source_words', 'source_read_count', 'source_created_at', 'source_updated_at', 'source_last_read_at',
  'article_words', 'dialogue_words', 'imported_at',
] as const satisfies readonly (keyof LessonRow)[];

/** What each reading of a lesson selects beside its head: every text (whole), one of them, or none. */
const TEXT_COLUMNS = {
  whole: ['article', 'dialogue', 'similar_readings'],
  article: ['article'],
  dialogue: ['dialogue'],
  head: [],
} as const satisfies Record<string, readonly (keyof LessonRow)[]>;

type Shape = keyof typeof TEXT_COLUMNS;

type HeadRow = Pick<LessonRow, (typeof HEAD_COLUMNS)[number]>;
type TextRow = Partial<Pick<LessonRow, 'article' | 'dialogue' | 'similar_readings'>>;

/** The whole lesson by id (the CLI's show and export; tests). Commands read its head or one text: findLessonHead, findLessonWith. */
export async function findLesson(db: Executor, id: string): Promise<LibraryLesson | undefined> {
  if (!isUuid(id)) return undefined;
  const row = (await lessonQuery('whole', id).execute(db)).rows[0];
  return row && toLibraryLesson(row);
}

/** A lesson without its texts, by id: what its card shows, and what the commands that name it read. */
export async function findLessonHead(db: Executor, id: string): Promise<LibraryLessonHead | undefined> {
  if (!isUuid(id)) return undefined;
  const row = (await lessonQuery('head', id).execute(db)).rows[0];
  return row && toLibraryLessonHead(row);
}

/** A lesson with one of its texts (the dialogue or the article pages), by id: the other text is not read. */
export async function findLessonWith<P extends LessonPart>(db: Executor, id: string, part: P): Promise<LibraryLessonWith<P> | undefined> {
  if (!isUuid(id)) return undefined;
  const row = (await lessonQuery(part, id).execute(db)).rows[0];
  return row && toLibraryLessonWith(row, part);
}

/** The newest lesson by article date, without its texts: "today's lesson" until a server has a schedule. */
export async function newestLessonHead(db: Executor): Promise<LibraryLessonHead | undefined> {
  const row = (await lessonQuery('head').execute(db)).rows[0];
  return row && toLibraryLessonHead(row);
}

/** newestLessonHead with one of the lesson's texts (the dialogue or article of today's lesson, in a server without a schedule). */
export async function newestLessonWith<P extends LessonPart>(db: Executor, part: P): Promise<LibraryLessonWith<P> | undefined> {
  const row = (await lessonQuery(part).execute(db)).rows[0];
  return row && toLibraryLessonWith(row, part);
}

/** The statement reading a lesson in a shape, by id (a UUID), or the newest without an id. */
function lessonQuery(shape: Shape, id?: string): RawBuilder<LessonWithLevelRow & TextRow> {
  const select = LESSON_SELECT[shape];
  return id === undefined
    ? sql<LessonWithLevelRow & TextRow>`${select} ${LESSON_WITH_LEVEL_FROM} ${NEWEST_FIRST}`
    : sql<LessonWithLevelRow & TextRow>`${select} ${LESSON_WITH_LEVEL_FROM} where lessons.id = ${id.toLowerCase()}`;
}

/** A lesson's head with how many members of one server read it and when last: what its card shows. */
export interface LessonWithGuildReaders {
  readonly stored: LibraryLessonHead;
  readonly readers: number;
  readonly lastReadAt: Date | null;
}

/** findLessonHead and the lesson's readers in one server, in one round trip (the card: its texts are not read). */
export async function findLessonWithGuildReaders(db: Executor, id: string, guildId: string): Promise<LessonWithGuildReaders | undefined> {
  if (!isUuid(id)) return undefined;
  const result = await sql<LessonWithLevelRow & GuildReadersRow>`
    ${LESSON_SELECT.head}, ${guildReaders(guildId)} ${LESSON_WITH_LEVEL_FROM} where lessons.id = ${id.toLowerCase()}`.execute(db);
  const row = result.rows[0];
  return row && { stored: toLibraryLessonHead(row), readers: row.guild_readers, lastReadAt: row.guild_last_read_at };
}

/** newestLessonHead and its readers in one server, in one round trip. */
export async function newestLessonWithGuildReaders(db: Executor, guildId: string): Promise<LessonWithGuildReaders | undefined> {
  const result = await sql<LessonWithLevelRow & GuildReadersRow>`
    ${LESSON_SELECT.head}, ${guildReaders(guildId)} ${LESSON_WITH_LEVEL_FROM} ${NEWEST_FIRST}`.execute(db);
  const row = result.rows[0];
  return row && { stored: toLibraryLessonHead(row), readers: row.guild_readers, lastReadAt: row.guild_last_read_at };
}

interface GuildReadersRow {
  guild_readers: number;
  guild_last_read_at: Date | null;
}

/** Readers of the lesson in one server and the latest read there (index-only on lesson_readers_lesson_guild_idx). */
function guildReaders(guildId: string) {
  return sql`(select count(*)::int from lesson_readers r where r.lesson_id = lessons.id and r.guild_id = ${guildId}) as guild_readers,
    (select max(r.last_read_at) from lesson_readers r where r.lesson_id = lessons.id and r.guild_id = ${guildId}) as guild_last_read_at`;
}

export async function listLessons(db: Executor, options: { limit: number; offset?: number }): Promise<LessonSummary[]> {
  const rows = await db
    .selectFrom('lessons')
    .select(['id', 'title', 'article_date', 'category'])
    .orderBy('article_date', 'desc')
    .orderBy('id')
    .limit(options.limit)
    .offset(options.offset ?? 0)
    .execute();
  return rows.map(toSummary);
}

export async function countLessons(db: Executor): Promise<number> {
  const row = await db.selectFrom('lessons').select(sql<number>`count(*)::int`.as('count')).executeTakeFirstOrThrow();
  return row.count;
}

function toSummary(row: Pick<LessonRow, 'id' | 'title' | 'article_date' | 'category'>): LessonSummary {
  return { id: row.id, title: row.title, date: row.article_date, category: row.category };
}

/**
 * A lesson with its level (computed with its vocabulary) and its read totals, both by primary key, in each
 * shape (its head, with one text, or whole). Written as SQL text once: these run on most interactions, and
 * building the same 25-column select with the query builder took ~0.2 ms of the bot's CPU each time.
 */
const LESSON_SELECT = Object.fromEntries(
  Object.entries(TEXT_COLUMNS).map(([shape, texts]) => [
    shape,
    sql.raw(
      `${PREPARED_MARK} select ${[...HEAD_COLUMNS, ...texts].map((column) => `lessons.${column}`).join(', ')},
    v.level as level_band, v.outside_2k, v.outside_5k, v.counted_words, t.read_count, t.last_read_at`,
    ),
  ]),
) as Record<Shape, RawBuilder<unknown>>;
const LESSON_WITH_LEVEL_FROM = sql.raw(`from lessons
    left join lesson_vocabularies v on v.lesson_id = lessons.id
    left join lesson_read_totals t on t.lesson_id = lessons.id`);
/**
 * The newest: the latest article date, then the latest import, then the highest id. `lessons_backlog_idx` read
 * backward, so the first row is the answer whatever the library. Until 2026-12-07 the id came lowest first, an order
 * no index holds: in a library whose lessons share one date and one import, PostgreSQL sorted them all (346 ms at
 * 100,000 lessons for a `/lesson today` in a server without a schedule).
 */
const NEWEST_FIRST = sql.raw('order by lessons.article_date desc, lessons.imported_at desc, lessons.id desc limit 1');

type LessonWithLevelRow = HeadRow & LevelColumns;

type LevelColumns = {
  read_count: number | null;
  last_read_at: Date | null;
  level_band: DB['lesson_vocabularies']['level'] | null;
  outside_2k: number | null;
  outside_5k: number | null;
  counted_words: number | null;
};

function toLibraryLessonHead(row: LessonWithLevelRow): LibraryLessonHead {
  const level =
    row.level_band != null
      ? { level: { band: row.level_band, outside2k: row.outside_2k ?? 0, outside5k: row.outside_5k ?? 0, words: row.counted_words ?? 0 } }
      : {};
  return {
    ...level,
    lesson: {
      id: row.id,
      category: row.category,
      url: row.url,
      date: row.article_date,
      title: row.title,
      summary: row.summary,
      sourceStats: { words: row.source_words, readCount: row.source_read_count },
      sourceTimes: {
        created: row.source_created_at.toISOString(),
        updated: row.source_updated_at.toISOString(),
        lastRead: row.source_last_read_at?.toISOString() ?? null,
      },
    },
    articleWords: row.article_words,
    dialogueWords: row.dialogue_words,
    readCount: row.read_count ?? 0,
    lastReadAt: row.last_read_at ?? null,
    importedAt: row.imported_at,
  };
}

function toLibraryLessonWith<P extends LessonPart>(row: LessonWithLevelRow & TextRow, part: P): LibraryLessonWith<P> {
  const head = toLibraryLessonHead(row);
  // The one text the row was selected with (TypeScript cannot follow a computed key of a type parameter).
  const text = { [part]: row[part] ?? [] } as unknown as Pick<Lesson, P>;
  return { ...head, lesson: { ...head.lesson, ...text } } as LibraryLessonWith<P>;
}

function toLibraryLesson(row: LessonWithLevelRow & TextRow): LibraryLesson {
  const head = toLibraryLessonHead(row);
  const { id, category, url, date, title, summary, sourceStats, sourceTimes } = head.lesson;
  // In the order of the JSON format (the CLI's export prints it).
  const lesson: Lesson = {
    id, category, url, date, title, summary,
    article: row.article ?? [],
    dialogue: row.dialogue ?? [],
    similarReadings: row.similar_readings ?? [],
    sourceStats, sourceTimes,
  };
  return { ...head, lesson };
}

/** Titles of the given lessons, by id, in one query. */
export async function lessonTitles(db: Executor, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('lessons').select(['id', 'title']).where('id', 'in', [...new Set(ids)]).execute();
  return new Map(rows.map((row) => [row.id, row.title]));
}
