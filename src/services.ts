import type { Kysely } from 'kysely';
import type { DB } from './db/schema.js';
import type { Database } from './db/database.js';
import type { LessonPoster } from './delivery/poster.js';
import { createDeliveryService, type DeliveryService } from './delivery/service.js';
import { createDiscoveryService, type DiscoveryService } from './discovery/service.js';
import type { LibraryCache } from './lessons/library-cache.js';
import { createLessonsService, type LessonsService } from './lessons/service.js';
import type { Logger } from './logger.js';
import { createReadingService, type ReadingService } from './reading/service.js';
import type { VocabularyComputer } from './vocabulary/computer.js';
import { createVocabularyService, type VocabularyService } from './vocabulary/service.js';
import { createWorkerVocabularyComputer } from './vocabulary/worker-computer.js';

/** The feature services command handlers call: the product's rules, and the only callers of src/db/. */
export interface Services {
  readonly lessons: LessonsService;
  readonly reading: ReadingService;
  readonly delivery: DeliveryService;
  readonly vocabulary: VocabularyService;
  readonly discovery: DiscoveryService;
  readonly logger: Logger;
}

export interface ServicesDeps {
  readonly db: Kysely<DB>;
  readonly logger: Logger;
  readonly now: () => Date;
  readonly importTimeZone: string;
  /** Delivery's poster, built in main.ts over Discord's channels (tests: over a channel double). */
  readonly poster: LessonPoster;
  /** Computes missing vocabularies (default: a worker thread, so the bot's thread never loads the word lists). */
  readonly vocabularyComputer?: VocabularyComputer;
  /** In-process caches of lessons, autocomplete answers, related readings and days' lessons (main.ts, on PostgreSQL); none in tests unless given. */
  readonly cache?: LibraryCache | undefined;
  /** True while queries queue for a database connection (autocomplete of lessons, dates and categories then skips the database). */
  readonly databaseBusy?: (() => boolean) | undefined;
  /** Servers whose moderators may import (config IMPORT_GUILD_IDS); unset: every server's. */
  readonly importGuilds?: readonly string[] | undefined;
  /** The vocabulary catch-up job's share of a core (config VOCABULARY_CATCH_UP_SHARE; unset: CATCH_UP_CORE_SHARE). */
  readonly catchUpCoreShare?: number | undefined;
  /** A session for the catch-up job's lock (main.ts: lockSessions; unset: no lock, as on PGlite). */
  readonly catchUpLockSession?: (() => Promise<Database>) | undefined;
  /** A session for an upload's import (main.ts: uploadImportSessions; unset: `db`, as on PGlite). */
  readonly uploadImportSession?: (() => Promise<Database>) | undefined;
}

/** Wired once in main.ts (and in service tests, over a scratch database). */
export function createServices(deps: ServicesDeps): Services {
  const { db, now } = deps;
  const lessons = createLessonsService({
    db,
    now,
    importTimeZone: deps.importTimeZone,
    cache: deps.cache,
    databaseBusy: deps.databaseBusy,
    logger: deps.logger,
    onLibraryChanged: () => deps.poster.forgetPrepared(),
    importGuilds: deps.importGuilds,
    uploadImportSession: deps.uploadImportSession,
  });
  return {
    lessons,
    reading: createReadingService({ db, now }),
    delivery: createDeliveryService({ db, now, lessons, poster: deps.poster, databaseBusy: deps.databaseBusy }),
    vocabulary: createVocabularyService({
      db,
      logger: deps.logger,
      computer: deps.vocabularyComputer ?? createWorkerVocabularyComputer(),
      catchUpPace: deps.catchUpCoreShare === undefined ? undefined : { coreShare: deps.catchUpCoreShare },
      catchUpLockSession: deps.catchUpLockSession,
      // A card built ahead shows the lesson's level: a vocabulary stored meanwhile makes it out of date.
      onStored: () => deps.poster.forgetPrepared(),
    }),
    discovery: createDiscoveryService({ db, cache: deps.cache, databaseBusy: deps.databaseBusy }),
    logger: deps.logger,
  };
}
