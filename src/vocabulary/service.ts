import { setTimeout as sleep } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { releaseProcessLock, tryProcessLock } from '../db/process-locks.js';
import type { DB } from '../db/schema.js';
import { analyzeTable } from '../db/statistics.js';
import type { Logger } from '../logger.js';
import {
  askForVocabularyCatchUp,
  findLevel,
  findVocabulary,
  lessonsNeedingVocabulary,
  storedContentHash,
  lessonTexts,
  replaceVocabularies,
  countLessonsNeedingVocabulary,
  type StoredVocabulary,
  type VocabularyToStore,
} from '../db/vocabulary.js';
import type { LessonLevel } from '../domain/vocabulary/types.js';
import type { VocabularyComputer } from './computer.js';
import { lexiconVersion } from './version.js';
import { storeComputedVocabularies, writePendingTexts } from './staged-refresh.js';
import { answerQuestion, quizProgress, startQuiz, type Member, type StartOutcome } from './quiz-service.js';

/** Lessons computed and written per transaction: big enough for few round trips, small enough to show progress. */
const BATCH = 250;

/**
 * The catch-up job's share of a core. Members come first: a library inserted without the lessons CLI (100,000
 * lessons need ~4 minutes of a core) would otherwise keep one of a small machine's cores busy while members
 * use commands. After each lesson the job rests three times as long as the lesson took.
 */
export const CATCH_UP_CORE_SHARE = 0.25;

/**
 * How long a process whose catch-up job found the job's lock held (another process on the database runs it) waits
 * before it asks again: the holder may stop before it is done (the old process of a deploy), and then this one
 * finishes the job. Asking is one statement on a connection opened for it.
 */
export const CATCH_UP_LOCK_RETRY_MS = 60_000;

/** Background pacing: the job rests between lessons so that it uses at most `coreShare` of a core. */
export interface RefreshPace {
  readonly coreShare: number;
  /** For tests: the clock (ms) and the rest. */
  readonly now?: () => number;
  readonly rest?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface RefreshOutcome {
  readonly computed: number;
  readonly failed: readonly { readonly lessonId: string; readonly message: string }[];
}

export interface RefreshOptions {
  /** Every lesson, not only those missing or stale (after an upgrade of the word lists, or on request). */
  readonly all?: boolean;
  /** Only these lessons (when they need it, or `all`). */
  readonly lessonIds?: readonly string[];
  readonly onStart?: (total: number) => void;
  readonly onProgress?: (done: number) => void;
  /** Stops between lessons (shutdown); what was computed so far is kept. */
  readonly signal?: AbortSignal;
  /** Rests between lessons (the bot's background job); without it, computes flat out (the CLI, a member waiting). */
  readonly pace?: RefreshPace;
  /** Told after each batch is stored (VocabularyDeps.onStored). */
  readonly onStored?: (() => void) | undefined;
}

const monotonicNow = () => performance.now();

async function restAfter(pace: RefreshPace | undefined, tookMs: number, signal: AbortSignal | undefined): Promise<void> {
  if (pace === undefined || pace.coreShare >= 1 || tookMs <= 0) return;
  const ms = (tookMs * (1 - pace.coreShare)) / pace.coreShare;
  if (pace.rest) return pace.rest(ms, signal);
  await sleep(ms, undefined, { signal }).catch(() => undefined);
}

/**
 * Computes and stores the vocabulary of every lesson that lacks a current one (new, changed, or computed
 * with other word lists), batch by batch, each batch in its own transaction. A lesson whose computation
 * fails is reported and skipped; the others are stored.
 */
export async function refreshVocabularies(db: Kysely<DB>, computer: VocabularyComputer, options: RefreshOptions = {}): Promise<RefreshOutcome> {
  const version = lexiconVersion();
  const among = options.lessonIds?.map((id) => id.toLowerCase());
  const now = options.pace?.now ?? monotonicNow;
  // The total is only for a progress bar (the CLI); the bot's catch-up does not read the whole library for it.
  if (options.onStart) {
    options.onStart(
      among !== undefined
        ? (await lessonsNeedingVocabulary(db, { lexiconVersion: version, window: among.length, all: options.all, among })).ids.length
        : await countPending(db, { all: options.all }),
    );
  }
  const failed: { lessonId: string; message: string }[] = [];
  let computed = 0;
  let done = 0;
  let after: string | undefined;
  for (;;) {
    if (options.signal?.aborted) break;
    const scanStarted = now();
    const { ids, lastScanned } = await lessonsNeedingVocabulary(db, { lexiconVersion: version, after, window: BATCH, all: options.all, among });
    if (lastScanned === undefined) break;
    after = lastScanned;
    await restAfter(options.pace, now() - scanStarted, options.signal);
    if (ids.length === 0) continue;
    const toStore: VocabularyToStore[] = [];
    for (const lesson of await lessonTexts(db, ids)) {
      if (options.signal?.aborted) break;
      const started = now();
      try {
        const vocabulary = await computer.compute(lesson);
        toStore.push({ lessonId: lesson.id, contentHash: lesson.contentHash, lexiconVersion: version, entries: vocabulary.entries, level: vocabulary.level });
      } catch (error) {
        failed.push({ lessonId: lesson.id, message: (error as Error).message });
      }
      await restAfter(options.pace, now() - started, options.signal);
    }
    if (options.signal?.aborted) break;
    await db.transaction().execute((trx) => replaceVocabularies(trx, toStore));
    if (toStore.length > 0) options.onStored?.();
    computed += toStore.length;
    done += ids.length;
    options.onProgress?.(done);
  }
  return { computed, failed };
}

/** How many lessons a refresh would compute: those lacking a current vocabulary, or every lesson with `all`. */
async function countPending(db: Kysely<DB>, options: { all?: boolean | undefined }): Promise<number> {
  if (!options.all) return countLessonsNeedingVocabulary(db, lexiconVersion());
  return Number((await db.selectFrom('lessons').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
}

/**
 * The lesson's stored vocabulary. With a computer, a missing or stale one is computed and stored first
 * (a lesson imported by an older version, or whose computation was interrupted).
 */
export async function lessonVocabulary(
  db: Kysely<DB>,
  lessonId: string,
  computer?: VocabularyComputer,
  onStored?: () => void,
): Promise<StoredVocabulary | undefined> {
  const stored = await findVocabulary(db, lessonId);
  if (computer === undefined) return stored;
  const contentHash = await storedContentHash(db, lessonId);
  if (contentHash === undefined) return undefined;
  if (stored !== undefined && stored.contentHash === contentHash && stored.lexiconVersion === lexiconVersion()) return stored;
  const { failed } = await refreshVocabularies(db, computer, { lessonIds: [lessonId], onStored });
  const now = await findVocabulary(db, lessonId);
  // The lesson is there but its vocabulary could not be made (the worker died, out of memory): an error of ours, to be
  // logged and apologised for, not "no such lesson". A stale vocabulary still stored is shown meanwhile.
  const [failure] = failed;
  if (now === undefined && failure !== undefined) throw new Error(`the vocabulary of lesson ${lessonId} could not be computed: ${failure.message}`);
  return now;
}

export async function lessonLevel(db: Kysely<DB>, lessonId: string): Promise<LessonLevel | undefined> {
  return findLevel(db, lessonId);
}

export interface VocabularyDeps {
  readonly db: Kysely<DB>;
  /** Computes a vocabulary that is missing or stale when a member asks for it (the bot: a worker thread). */
  readonly computer: VocabularyComputer;
  readonly logger?: Logger;
  /** The catch-up job's pacing (default: CATCH_UP_CORE_SHARE of a core). */
  readonly catchUpPace?: RefreshPace | undefined;
  /**
   * Told after this process stored vocabularies (delivery forgets the cards it built ahead of their minute: a card
   * shows the lesson's level). On PostgreSQL the change feed tells every process too; PGlite has no feed.
   */
  readonly onStored?: (() => void) | undefined;
  /**
   * Opens a session on which the catch-up job holds its lock while it runs, so that of the processes sharing a
   * PostgreSQL database (`npm run start:sharded`, two bots during a deploy) one computes what is missing and the
   * others leave it to that one; unset (PGlite, tests of one process): no lock.
   */
  readonly catchUpLockSession?: (() => Promise<Database>) | undefined;
  /** Between asks for the lock (CATCH_UP_LOCK_RETRY_MS unless given; tests). */
  readonly catchUpLockRetryMs?: number | undefined;
}

export type VocabularyService = ReturnType<typeof createVocabularyService>;

/** Vocabulary lists, levels, quizzes and the quiz figures of a member's progress. */
export function createVocabularyService(deps: VocabularyDeps) {
  const { db, computer } = deps;
  const shutdown = new AbortController();
  let catchingUp: Promise<RefreshOutcome> | undefined;
  // The bot's job has been started (once connected): asks before that are for lessons its first run finds anyway.
  let catchUpStarted = false;
  // Asked while the job ran (its scan, in id order, may have passed the lessons asked for): it runs once more after.
  let askedWhileRunning = false;
  const { onStored } = deps;
  const listing = new Map<string, Promise<StoredVocabulary | undefined>>();

  /**
   * The lesson's vocabulary, computed first if missing or stale. Members asking for one lesson at once (its list,
   * its quiz: the day's post, after an upgrade made every vocabulary stale) share one lookup and computation here.
   */
  function vocabularyOf(lessonId: string): Promise<StoredVocabulary | undefined> {
    const key = lessonId.toLowerCase();
    const running = listing.get(key);
    if (running) return running;
    const started = lessonVocabulary(db, lessonId, computer, onStored).finally(() => listing.delete(key));
    listing.set(key, started);
    return started;
  }

  const catchUpAll = () => refreshVocabularies(db, computer, { signal: shutdown.signal, pace: deps.catchUpPace ?? { coreShare: CATCH_UP_CORE_SHARE }, onStored });

  /**
   * The job with its lock held, on a session of its own: its outcome, `held` when another session holds the lock,
   * or `askFailed` when the session could not be opened or the lock asked for (the database briefly gone).
   */
  async function catchUpHoldingLock(openSession: () => Promise<Database>): Promise<RefreshOutcome | 'held' | { readonly askFailed: unknown }> {
    let session: Database | undefined;
    let locked: boolean;
    try {
      session = await openSession();
      locked = await tryProcessLock(session.db, 'vocabularyCatchUp');
    } catch (error) {
      await session?.close().catch(() => undefined);
      return { askFailed: error };
    }
    try {
      if (!locked) return 'held';
      try {
        return await catchUpAll();
      } finally {
        // Closing the session lets the lock go too; released first all the same, should closing fail.
        await releaseProcessLock(session.db, 'vocabularyCatchUp').catch(() => undefined);
      }
    } finally {
      await session.close();
    }
  }

  async function catchUpOnce(): Promise<RefreshOutcome> {
    const openSession = deps.catchUpLockSession;
    if (!openSession) return catchUpAll();
    let told: 'held' | 'askFailed' | undefined;
    for (;;) {
      const outcome = await catchUpHoldingLock(openSession);
      if (outcome === 'held') {
        if (told !== 'held') deps.logger?.info('vocabulary catch-up left to the process that holds its lock; asking again every minute');
        told = 'held';
      } else if ('askFailed' in outcome) {
        // A failed ask is not the job's failure: the next minute asks again (the job itself fails as before).
        if (told !== 'askFailed') deps.logger?.warn({ err: outcome.askFailed }, 'asking for the vocabulary catch-up lock failed; asking again every minute');
        told = 'askFailed';
      } else {
        return outcome;
      }
      const waited = await sleep(deps.catchUpLockRetryMs ?? CATCH_UP_LOCK_RETRY_MS, true, { signal: shutdown.signal, ref: false }).catch(() => false);
      if (!waited) return { computed: 0, failed: [] };
    }
  }

  function catchUp(): Promise<RefreshOutcome> {
    catchingUp ??= catchUpOnce().finally(() => {
      catchingUp = undefined;
      // The job is over: the worker (~100 MB with the model and word lists) goes now, not after its idle minute.
      computer.release?.();
      if (askedWhileRunning && !shutdown.signal.aborted) {
        askedWhileRunning = false;
        startCatchUp();
      }
    });
    return catchingUp;
  }

  function startCatchUp(): void {
    catchUpStarted = true;
    void catchUp().then(
      (outcome) => {
        if (outcome.computed > 0 || outcome.failed.length > 0) deps.logger?.info({ computed: outcome.computed, failed: outcome.failed }, 'vocabulary caught up');
      },
      (error: unknown) => deps.logger?.error({ err: error }, 'vocabulary catch-up failed'),
    );
  }

  return {
    /**
     * The background job: computes, in the worker, the vocabulary of every lesson that lacks a current one
     * (imported while the bot was down with an interrupted vocabulary step, or before an upgrade of the
     * word lists). Started once the bot is connected; stopped at shutdown. It rests between lessons so that it
     * uses at most a quarter of a core (members' commands first). While another process holds the job's lock
     * (catchUpLockSession) that process computes them, and this one asks again every CATCH_UP_LOCK_RETRY_MS
     * until it gets the lock (then usually finds nothing left) or shuts down.
     */
    catchUp,
    /**
     * The bot's job (catchUp), its outcome logged: started once connected, and again when asked (catchUpAsked).
     */
    startCatchUp,
    /**
     * Another process left lessons without vocabulary (the lessons CLI's big import, announced on the change feed):
     * the job runs now, or once more after the run in progress; before the bot's first run, nothing (that run finds them).
     */
    catchUpAsked(): void {
      if (!catchUpStarted || shutdown.signal.aborted) return;
      if (catchingUp) askedWhileRunning = true;
      else startCatchUp();
    },
    /** Tells the bots on this PostgreSQL database that lessons were left for their job (the lessons CLI). */
    askBotsToCatchUp: () => askForVocabularyCatchUp(db),
    list: vocabularyOf,
    level: (lessonId: string) => lessonLevel(db, lessonId),
    /** Computes every missing or stale vocabulary (`all`: every lesson), batch by batch. */
    refresh: (options: RefreshOptions = {}) => refreshVocabularies(db, computer, { onStored, ...options, signal: options.signal ?? shutdown.signal }),
    /**
     * The refresh in steps (staged-refresh.ts), for a process that closes its database while the model computes:
     * how many lessons a refresh would compute, their texts a chunk at a time into a file, and the file of their
     * computed vocabularies (file-computer.ts) stored.
     */
    countPending: (options: { all?: boolean } = {}) => countPending(db, options),
    writePendingTexts: (file: string, options: Parameters<typeof writePendingTexts>[2]) => writePendingTexts(db, file, options),
    storeComputed: (file: string) => storeComputedVocabularies(db, file),
    /**
     * After a Discord upload: computes what the imported lessons need. Failures are logged, never thrown:
     * the lessons are imported either way, and the catch-up job or a member's request computes them later.
     */
    async afterImport(lessonIds: readonly string[], guildId: string): Promise<void> {
      try {
        const outcome = await refreshVocabularies(db, computer, { lessonIds, signal: shutdown.signal, onStored });
        if (outcome.failed.length > 0) deps.logger?.warn({ guildId, failed: outcome.failed }, 'vocabulary not computed for some lessons');
      } catch (error) {
        deps.logger?.error({ err: error, guildId }, 'vocabulary after import failed');
      }
      // The worker stays for its idle minute: moderators often upload several files in a row, and each new
      // worker loads the model and word lists again (about a second of CPU).
    },
    async startQuiz(member: Member, lessonId: string): Promise<StartOutcome> {
      await vocabularyOf(lessonId);
      return startQuiz(db, member, lessonId);
    },
    answer: (click: Parameters<typeof answerQuestion>[1]) => answerQuestion(db, click),
    /** After a bulk refresh (the CLI): the planner's statistics of the tables it writes (src/db/statistics.ts says why). */
    async refreshStatistics(): Promise<void> {
      for (const table of ['lesson_vocabularies', 'lesson_vocabulary_words']) await analyzeTable(db, table);
    },
    progress: (member: Member) => quizProgress(db, member),
    async close(): Promise<void> {
      shutdown.abort();
      await catchingUp?.catch(() => undefined);
      await computer.close();
    },
  };
}
