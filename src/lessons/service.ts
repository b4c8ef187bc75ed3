import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import {
  countLessons,
  findLesson,
  findLessonHead,
  findLessonWith,
  findLessonWithGuildReaders,
  listLessons,
  newestLessonHead,
  newestLessonWith,
  newestLessonWithGuildReaders,
  type LessonSummary,
  type LibraryLesson,
  type LibraryLessonHead,
  type LibraryLessonWith,
} from '../db/lessons.js';
import { lessonReadersInGuild } from '../db/progress.js';
import { lastPostedLocalDate } from '../db/deliveries.js';
import { findSchedule } from '../db/schedules.js';
import type { DB } from '../db/schema.js';
import { lessonForDay } from '../delivery/lesson-choice.js';
import { lessonsNamed, lessonsTitledExactly, suggestFromMemory, suggestLessons } from '../discovery/search.js';
import { newestLessonWords } from '../db/lesson-search.js';
import { RecentSuggestions } from '../domain/discovery/recent-suggestions.js';
import type { Logger } from '../logger.js';
import { analyzeAllTables } from '../db/statistics.js';
import { clip, neutralizeMentions, plainText, safeText, visibleOr } from '../domain/discord-format/index.js';
import { hasControlCharacter, truncateAtWord } from '../domain/text.js';
import { localDate } from '../domain/schedule/index.js';
import { isUuid } from '../domain/uuid.js';
import { UserError } from '../user-error.js';
import { charactersOf, hasWordsIn, type Lesson, type LessonHead, type LessonPart } from '../domain/lesson.js';
import { parseSourcesOffThread } from './parse-off-thread.js';
import { ImportBusyError, importLessons, type ImportCounts, type ImportOptions, type ImportProblem, type ParsedLesson } from './import.js';
import { decodeText, SourceError } from './sources.js';
import type { CacheArea, LibraryCache } from './library-cache.js';

export const EMPTY_LIBRARY =
  'The lesson library is empty, so there is no lesson yet. ' +
  'Moderators add lessons with `/lesson import` (upload a lesson export), ' +
  'or on the bot’s machine with `npm run lessons -- import <files>`.';

export const NO_MATCH = 'No lesson matches that. Start typing a title and pick one from the list.';

export const LESSON_GONE = 'This lesson is no longer in the library.';

/**
 * Told to a member who opens a text the lesson does not have (a JSON lesson's `"dialogue": []`, an export without a
 * `----` separator; see hasWordsIn): nothing is shown and no read recorded, as nothing was there to read.
 */
export function noText(title: string, part: LessonPart): string {
  const shown = clip(safeText(visibleOr(title, '(untitled)')), 200);
  return part === 'dialogue'
    ? `**${shown}** has no dialogue. Read its article with \`/lesson article\` or the **Article** button.`
    : `**${shown}** has no article text. Read its dialogue with \`/lesson dialogue\` or the **Dialogue** button.`;
}

/** The lesson with the text it was read with, or the member told it has none (see noText). */
function withText<P extends LessonPart>(stored: LibraryLessonWith<P>, part: P): LibraryLessonWith<P> {
  if (!hasWordsIn(stored, part)) throw new UserError(noText(stored.lesson.title, part));
  return stored;
}

export interface LessonsDeps {
  readonly db: Kysely<DB>;
  readonly now: () => Date;
  /** The zone of lesson files' dates without one (config IMPORT_TIMEZONE). */
  readonly importTimeZone: string;
  /** In-process caches (PostgreSQL with the change feed; see library-cache.ts); none: every read queries. */
  readonly cache?: LibraryCache | undefined;
  /**
   * True while queries queue for a database connection (main.ts: as many waiting as the pool holds). Autocomplete
   * then answers from its cache or with no suggestions, and leaves the database to the answers members wait for.
   */
  readonly databaseBusy?: (() => boolean) | undefined;
  /** Where a background load's failure is reported (the newest lessons' words for suggestions). */
  readonly logger?: Logger | undefined;
  /** Told after this process changed the library (delivery forgets the cards it built ahead of their minute). */
  readonly onLibraryChanged?: (() => void) | undefined;
  /** The servers whose moderators may import (config IMPORT_GUILD_IDS); unset: every server's. */
  readonly importGuilds?: readonly string[] | undefined;
  /**
   * A database session for an upload's import (main.ts: uploadImportSessions; on PostgreSQL one connection with the
   * CLI's bounds, closed after it): the upload is deferred, and its matching statements may take longer than a
   * member's 1.5 s in a big library. Unset: `db`, with its bounds.
   */
  readonly uploadImportSession?: (() => Promise<Database>) | undefined;
}

/** Told to a moderator whose upload met another import being written (imports run one at a time). */
export function importBusy(fileName: string): string {
  return `Another import is being written to the lesson library right now (another moderator's, or the operator's): nothing was imported from ${safeText(fileName)}. Try again in a minute.`;
}

/**
 * An upload's import ran past its statements' bound (the CLI's 120 s on its own connection; a member's 1.5 s
 * without one): its titles matched against a big library whose headlines share common words. Rolled back; said as
 * what it is, and what to do, rather than "try again in a moment" (a retry fails alike). Null for any other failure.
 */
export function importTooSlow(error: unknown, fileName: string): string | null {
  // PostgreSQL's query_canceled: the statement timeout (the bot cancels no statement of an import otherwise).
  if ((error as { code?: unknown } | null)?.code !== '57014') return null;
  return (
    `Nothing was imported from ${safeText(fileName)}: matching its lessons against the library took longer than the bot allows a ` +
    'statement. Upload fewer lessons at a time, or ask the operator to import the file with `npm run lessons -- import`, which has no such bound.'
  );
}

/** Told to a moderator of a server that may not import, when the operator has named the servers that may. */
export const IMPORT_NOT_HERE =
  'The lesson library is shared by every server this bot serves, and its operator has chosen the servers that import into it. ' +
  'This is not one of them: ask the bot’s operator for the lessons you would like.';

/**
 * How many of the newest lessons suggestions are matched against in memory (with the cache): ~1 MB of heap
 * (6,000 words and 84,000 postings in the bench's library), reloaded (one statement, ~6 ms on the database)
 * when the library changes or RECENT_WORDS_TTL_MS has passed.
 */
export const RECENT_SUGGESTION_LESSONS = 2_000;
/**
 * The newest lessons' words are right until the library changes, and every change empties them (the change feed):
 * this bound is only for a notice that never came. The caches' minute rebuilt them every minute of use for nothing.
 */
const RECENT_WORDS_TTL_MS = 10 * 60_000;

/**
 * Lessons per batch of a moderator's upload (/lesson import): a 2 MiB upload holds ~250 lessons, and into a library of
 * 90,000 one batch of 250 took 1.43 s in its title-matching statement; batches of 50 at most 0.58 s, the upload the
 * same ~9.5 s in all. Short statements keep the bot's other work going between them (on PGlite, in its process; on
 * PostgreSQL the upload has a connection of its own with the CLI's bounds since 2026-12-07: uploadImportSession).
 */
export const UPLOAD_IMPORT_BATCH = 50;

/** What a server's day resolves to, as cached: the schedule's zone, the local day, and that day's lesson. */
interface DayChoice {
  readonly timeZone: string;
  readonly localDate: string;
  readonly lessonId: string | null;
}

/** A lesson (its head: a card shows no text) with how many members of this server have read it, and when last. */
export interface LessonCardData {
  readonly stored: LibraryLessonHead;
  readonly readers: number;
  readonly lastReadAt: Date | null;
}

export interface LessonChoice {
  readonly name: string;
  readonly value: string;
}

export type UploadOutcome =
  | { readonly ok: false; readonly problems: readonly ImportProblem[]; readonly problemCount: number }
  | { readonly ok: true; readonly counts: ImportCounts; readonly lessons: readonly ParsedLesson[] };

export type LessonsService = ReturnType<typeof createLessonsService>;

/** A lesson's characters of text, as its caches count them. */
const headCharacters = (lesson: Pick<LessonHead, 'title' | 'summary'>) => lesson.title.length + lesson.summary.length;
const textCharacters = (lesson: Partial<Pick<Lesson, LessonPart>>) =>
  charactersOf(lesson.article ?? []) + charactersOf((lesson.dialogue ?? []).map((turn) => turn.text));

/** The lesson library: today's lesson, lookup by id or title, suggestions, related readings and import. */
export function createLessonsService(deps: LessonsDeps) {
  const { db, cache } = deps;
  const importGuilds = deps.importGuilds && new Set(deps.importGuilds);
  // A lesson carries its level (lesson_vocabularies); suggestions and days' choices do not. Lessons by id without
  // their texts (cards, and the commands that name a lesson), and with one text (its dialogue or article pages) by
  // `part:id`: a card of a lesson near the format's limits does not hold its 0.4 MB of texts.
  // Bounded by their characters of text too (the cache's maxCharacters): a lesson may hold 400 times an ordinary one's.
  const heads = cache?.area<LibraryLessonHead | undefined>(['library', 'levels'], { characters: (stored) => (stored ? headCharacters(stored.lesson) : 0) });
  const withTexts = cache?.area<LibraryLessonWith<'article'> | LibraryLessonWith<'dialogue'> | undefined>(['library', 'levels'], {
    characters: (stored) => (stored ? headCharacters(stored.lesson) + textCharacters(stored.lesson) : 0),
  });
  const suggestions = cache?.area<LessonChoice[]>(['library']);
  // One entry per server (a few dozen bytes): as many as a process serves.
  const days = cache?.area<DayChoice | null>(['library', 'schedule'], { maxEntries: 100_000 });
  // The newest lessons' words, for suggestions without a round trip (src/domain/discovery/recent-suggestions.ts).
  // Rebuilt when the library changes (a notice) and otherwise every RECENT_WORDS_TTL_MS, in slices that let the
  // interactions in between (each rebuild is ~84,000 words: BENCHMARKS.md, "The suggestions' rebuild").
  const recentWords = cache?.background<RecentSuggestions>(
    ['library'],
    (error) => deps.logger?.warn({ err: error }, 'could not load the newest lessons for suggestions; the database answers them meanwhile'),
    RECENT_WORDS_TTL_MS,
  );
  const loadRecentWords = async () =>
    RecentSuggestions.buildInSlices(await newestLessonWords(db, RECENT_SUGGESTION_LESSONS), () => new Promise((resolve) => setImmediate(resolve)));
  const recentSuggestions = () => recentWords?.current(loadRecentWords);

  /**
   * How a lesson is read in one shape (its head, or with one text): by id and the newest. Cached: lessons change only
   * by import; read counters may lag in the cache (no command shows them).
   */
  interface Reads<T> {
    byId(lessonId: string): Promise<T | undefined>;
    newest(): Promise<T | undefined>;
  }

  const headReads: Reads<LibraryLessonHead> = {
    byId(lessonId) {
      if (!isUuid(lessonId)) return Promise.resolve(undefined);
      if (!heads) return findLessonHead(db, lessonId);
      const id = lessonId.toLowerCase();
      return heads.get(id, () => findLessonHead(db, id));
    },
    newest: () => (heads ? heads.get('newest', () => newestLessonHead(db)) : newestLessonHead(db)),
  };

  function readsWith<P extends LessonPart>(part: P): Reads<LibraryLessonWith<P>> {
    // An entry's key names its text: what `part:…` holds was read with that text.
    const cached = withTexts as CacheArea<LibraryLessonWith<P> | undefined> | undefined;
    return {
      byId(lessonId) {
        if (!isUuid(lessonId)) return Promise.resolve(undefined);
        if (!cached) return findLessonWith(db, lessonId, part);
        const id = lessonId.toLowerCase();
        return cached.get(`${part}:${id}`, () => findLessonWith(db, id, part));
      },
      newest: () => (cached ? cached.get(`${part}:newest`, () => newestLessonWith(db, part)) : newestLessonWith(db, part)),
    };
  }

  /** After this process changed the library (an import): its own caches forget at once, before the notice comes. */
  function libraryChanged(): void {
    cache?.changed('lessons');
    deps.onLibraryChanged?.();
  }

  /** An import, after which this process's caches forget the library whether it committed or not. */
  async function importForgetting(lessons: Iterable<Lesson> | AsyncIterable<Lesson>, options?: ImportOptions, into: Kysely<DB> = db): Promise<ImportCounts> {
    try {
      return await importLessons(into, lessons, options);
    } finally {
      libraryChanged();
    }
  }

  /** An upload's import on its own session (uploadImportSession), else on `db`. */
  async function importUploaded(lessons: readonly Lesson[], options: ImportOptions): Promise<ImportCounts> {
    if (!deps.uploadImportSession) return importForgetting(lessons, options);
    const session = await deps.uploadImportSession();
    try {
      return await importForgetting(lessons, options, session.db);
    } finally {
      await session.close();
    }
  }

  /**
   * Today's lesson in a server: the one delivered today (its local day), or before today's post the one
   * that will be. Without a schedule, or with nothing left to deliver, the newest lesson by article date.
   */
  async function today<T>(guildId: string, reads: Reads<T>): Promise<T> {
    const lessonId = await scheduledToday(guildId);
    const lesson = lessonId ? await reads.byId(lessonId) : undefined;
    if (lesson) return lesson;
    const newest = await reads.newest();
    if (!newest) throw new UserError(EMPTY_LIBRARY);
    return newest;
  }

  /** Today's lesson by the server's schedule (lessonForDay: delivered, else pinned, else the queue's head), if any. */
  async function scheduledToday(guildId: string): Promise<string | null> {
    if (!days) return (await dayChoice(guildId))?.lessonId ?? null;
    const now = deps.now();
    let choice = await days.get(guildId, () => dayChoice(guildId, now));
    // A cached choice is for one local day: past the server's midnight, choose again.
    if (choice && choice.localDate !== localDate(now, choice.timeZone)) {
      days.delete(guildId);
      choice = await days.get(guildId, () => dayChoice(guildId, now));
    }
    return choice?.lessonId ?? null;
  }

  async function dayChoice(guildId: string, now = deps.now()): Promise<DayChoice | null> {
    const schedule = await findSchedule(db, guildId);
    if (!schedule) return null;
    const day = localDate(now, schedule.timeZone);
    const choice = await lessonForDay(db, guildId, day);
    if (choice.source === 'delivered') return { timeZone: schedule.timeZone, localDate: day, lessonId: choice.lessonId };
    // A later day already posted: the zone moved west after that post (Tokyo's tomorrow went out, and it is still today
    // in UTC). Nothing posts today, so today's lesson is the one that went out, not the queue's next (until
    // 2026-12-07 `/lesson today` showed the lesson of the next post, two days early).
    const lastPosted = await lastPostedLocalDate(db, guildId);
    const lessonId = lastPosted !== null && lastPosted > day ? ((await lessonForDay(db, guildId, lastPosted)).lessonId ?? choice.lessonId) : choice.lessonId;
    return { timeZone: schedule.timeZone, localDate: day, lessonId };
  }

  /** Today's lesson (as today()) with its readers in this server: two or three queries in all. */
  async function todaysCard(guildId: string): Promise<LessonCardData> {
    const lessonId = await scheduledToday(guildId);
    const card = (lessonId ? await cardById(lessonId, guildId) : undefined) ?? (await newestLessonWithGuildReaders(db, guildId));
    if (!card) throw new UserError(EMPTY_LIBRARY);
    return card;
  }

  /** A card by lesson id: the lesson and its readers in this server, in one query. */
  async function cardById(lessonId: string, guildId: string): Promise<LessonCardData | undefined> {
    return findLessonWithGuildReaders(db, lessonId, guildId);
  }

  /**
   * The lesson a member asked for (today's when the option is empty): autocomplete sends its ID, but a
   * member may also type a title without picking; one clear match is taken, otherwise they are told to pick.
   */
  async function requested<T>(guildId: string, option: string | undefined, reads: Reads<T>): Promise<T> {
    const wanted = option?.trim();
    if (!wanted) return today(guildId, reads);
    // No lesson holds a control character (the parser refuses them), and PostgreSQL refuses U+0000 in a query.
    if (hasControlCharacter(wanted)) throw new UserError(NO_MATCH);
    if (isUuid(wanted)) {
      const lesson = await reads.byId(wanted);
      if (!lesson) throw new UserError(`There is no lesson with the ID \`${wanted}\`.`);
      return lesson;
    }
    // A whole title typed: that lesson, however many others its words begin.
    const titled = await lessonsTitledExactly(db, wanted, 2);
    if (titled.length > 1) throw new UserError('More than one lesson has that title. Pick one from the list: it shows their dates.');
    const [exact] = titled;
    if (exact) {
      const lesson = await reads.byId(exact.id);
      if (lesson) return lesson;
    }
    const matches = await lessonsNamed(db, wanted, 2, recentSuggestions());
    const [only] = matches;
    if (matches.length === 1 && only) {
      const lesson = await reads.byId(only.id);
      if (lesson) return lesson;
    }
    throw new UserError(
      matches.length === 0
        ? NO_MATCH
        : 'More than one lesson matches that. Keep typing and pick one from the list.',
    );
  }

  async function suggestedChoices(query: string): Promise<LessonChoice[]> {
    const lessons = await suggestLessons(db, query, 25, recentSuggestions());
    return asChoices(lessons);
  }

  function asChoices(lessons: readonly { readonly id: string; readonly title: string; readonly date: string }[]): LessonChoice[] {
    // Choice names are plain text in Discord (no markdown); mentions are broken as everywhere (an invisible space).
    return lessons.map((lesson) => ({ name: truncateAtWord(neutralizeMentions(plainText(`${lesson.date} · ${lesson.title}`)), 100), value: lesson.id }));
  }

  async function withReaders(stored: LibraryLessonHead, guildId: string): Promise<LessonCardData> {
    const { readers, lastReadAt } = await lessonReadersInGuild(db, stored.lesson.id, guildId);
    return { stored, readers, lastReadAt };
  }

  return {
    /** Today's lesson in a server (see today), without its texts. */
    today: (guildId: string): Promise<LibraryLessonHead> => today(guildId, headReads),
    /** The lesson a member asked for (see requested), without its texts: what its card and the commands naming it show. */
    requested: (guildId: string, option: string | undefined): Promise<LibraryLessonHead> => requested(guildId, option, headReads),
    /** The lesson a member asked for with one of its texts (`/lesson dialogue`, `/lesson article`): the other is not read; a text it lacks is told (noText). */
    requestedWith: async <P extends LessonPart>(guildId: string, option: string | undefined, part: P): Promise<LibraryLessonWith<P>> =>
      withText(await requested(guildId, option, readsWith(part)), part),
    withReaders,

    /**
     * What the first members' commands would otherwise load on their way, loaded before they come (the bot's
     * start-up, caches live): the newest lessons' words for suggestions. A failure is logged; suggestions then come
     * from the database until a later load works.
     */
    async warmUp(): Promise<void> {
      await recentWords?.preload(loadRecentWords);
    },

    todaysCard,

    async card(guildId: string, option: string | undefined): Promise<LessonCardData> {
      const wanted = option?.trim();
      if (wanted && isUuid(wanted)) {
        const card = await cardById(wanted, guildId);
        if (!card) throw new UserError(`There is no lesson with the ID \`${wanted}\`.`);
        return card;
      }
      if (!wanted) return todaysCard(guildId);
      return withReaders(await requested(guildId, option, headReads), guildId);
    },

    /** The card a button opens: the lesson (it may have been removed since) and its readers here. */
    async cardOf(lessonId: string, guildId: string): Promise<LessonCardData> {
      const card = await cardById(lessonId, guildId);
      if (!card) throw new UserError(LESSON_GONE);
      return card;
    },

    /** The newest lessons and how many there are (`lessons list`). */
    async list(limit: number): Promise<{ lessons: LessonSummary[]; total: number }> {
      const [lessons, total] = await Promise.all([listLessons(db, { limit }), countLessons(db)]);
      return { lessons, total };
    },

    /** A lesson by id, or undefined (`lessons show`, `lessons export`). */
    find(lessonId: string): Promise<LibraryLesson | undefined> {
      return findLesson(db, lessonId);
    },

    /**
     * Writes lessons in one transaction: all of them or none (`lessons import`). They may come as they are
     * read (an async iterable): they are written a batch at a time, so memory stays bounded.
     */
    importParsed: importForgetting,

    libraryChanged,

    /** After a bulk import (the CLI): every table's planner statistics at once (src/db/statistics.ts says why). */
    refreshStatistics: () => analyzeAllTables(db),

    /** After this process changed a server's schedule, pinned lessons or posts: its cached days are forgotten at once. */
    scheduleChanged(): void {
      cache?.changed('schedules');
    },

    /** A lesson a button names, without its texts; it may have been removed since the button was posted. */
    async byId(lessonId: string): Promise<LibraryLessonHead> {
      const stored = await headReads.byId(lessonId);
      if (!stored) throw new UserError(LESSON_GONE);
      return stored;
    },

    /** A lesson a button names with one of its texts (the Dialogue and Article buttons, their pages); a text it lacks is told (noText). */
    async byIdWith<P extends LessonPart>(lessonId: string, part: P): Promise<LibraryLessonWith<P>> {
      const stored = await readsWith(part).byId(lessonId);
      if (!stored) throw new UserError(LESSON_GONE);
      return withText(stored, part);
    },

    /**
     * Autocomplete of every `lesson` option: any words of title or summary (the search index of
     * src/discovery/), or the start of an ID. Discord allows 25 suggestions of at most 100 characters.
     */
    async choices(query: string): Promise<LessonChoice[]> {
      if (hasControlCharacter(query)) return [];
      // Enough of the newest lessons match: the answer, from memory (before the cache of answers, which may hold
      // one the database gave before those words were loaded).
      const recent = recentSuggestions();
      const fromMemory = recent && suggestFromMemory(query, 25, recent);
      if (fromMemory) return asChoices(fromMemory);
      // Suggestions are the one answer that can be skipped: Discord shows none and the member types on. Under a
      // backlog they would add the heaviest query to it (a 1 s stall at 200 interactions/s queues ~200 of them).
      if (deps.databaseBusy?.()) return suggestions?.peek(query) ?? [];
      if (suggestions) return suggestions.get(query, () => suggestedChoices(query));
      return suggestedChoices(query);
    },

    /**
     * Whether this server's moderators may import: the library is every server's, so an operator serving many
     * communities names the servers that keep it (IMPORT_GUILD_IDS), and no other server can change its lessons.
     */
    assertMayImport(guildId: string): void {
      if (importGuilds && !importGuilds.has(guildId)) throw new UserError(IMPORT_NOT_HERE);
    },

    /**
     * `/lesson import`: the CLI's import of one uploaded file. Same parser, same validation, same single
     * transaction: an invalid file writes nothing and every problem is listed.
     */
    async importUpload(name: string, bytes: Uint8Array): Promise<UploadOutcome> {
      let text: string;
      try {
        text = decodeText(name, bytes);
      } catch (error) {
        // A file that is not UTF-8 is one of the file's problems, answered as any other ("❌ Nothing imported: 1
        // problem in …"); until 2026-12-07 a plain line.
        if (error instanceof SourceError) return { ok: false, problems: [{ path: error.path, line: error.line, message: error.reason }], problemCount: 1 };
        throw error;
      }
      // Off the event loop: a 2 MiB hostile file must not hold up every other member's answer.
      const batch = await parseSourcesOffThread([{ path: name, text }], { importTimeZone: deps.importTimeZone });
      if (!batch.ok) return { ok: false, problems: batch.problems, problemCount: batch.problemCount };
      let counts: ImportCounts;
      try {
        counts = await importUploaded(
          batch.lessons.map((parsed) => parsed.lesson),
          { batchSize: UPLOAD_IMPORT_BATCH, whenBusy: 'refuse' },
        );
      } catch (error) {
        if (error instanceof ImportBusyError) throw new UserError(importBusy(name));
        const tooSlow = importTooSlow(error, name);
        if (tooSlow) throw new UserError(tooSlow);
        throw error;
      }
      return { ok: true, counts, lessons: batch.lessons };
    },
  };
}
