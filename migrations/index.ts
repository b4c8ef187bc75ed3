import type { Migration } from 'kysely';
import * as lessonLibrary from './2026-11-27-01-lesson-library.js';
import * as scheduling from './2026-11-27-02-scheduling.js';
import * as discovery from './2026-12-01-02-discovery.js';
import * as progress from './2026-12-01-03-progress.js';
import * as vocabulary from './2026-12-01-04-vocabulary.js';
import * as scale from './2026-12-01-05-scale.js';
import * as commandIndexes from './2026-12-01-06-command-indexes.js';
import * as leaderboardRanks from './2026-12-02-01-leaderboard-ranks.js';
import * as lessonReadTotals from './2026-12-02-02-lesson-read-totals.js';
import * as backlogIndex from './2026-12-02-03-backlog-index.js';
import * as textLexemeDocs from './2026-12-02-04-text-lexeme-docs.js';
import * as readingHistoryWriters from './2026-12-03-01-reading-history-writers.js';
import * as libraryChangeNotices from './2026-12-04-01-library-change-notices.js';
import * as inlineTitleVectors from './2026-12-05-01-inline-title-vectors.js';
import * as vocabularyCatchUpIndex from './2026-12-06-01-vocabulary-catch-up-index.js';
import * as parallelHeadlineMatching from './2026-12-07-01-parallel-headline-matching.js';
import * as titleTrigramCounts from './2026-12-08-01-title-trigram-counts.js';
import * as unusedTitleTrigramIndex from './2026-12-08-02-unused-title-trigram-index.js';
import * as oneOpenQuizAttempt from './2026-12-09-01-one-open-quiz-attempt.js';
import * as lessonDeleteReadsFirst from './2026-12-10-01-lesson-delete-reads-first.js';
import * as knownTimeZones from './2026-12-10-02-known-time-zones.js';
import * as unknownTimeZonesRepaired from './2026-12-11-01-unknown-time-zones-repaired.js';
import * as foldedTitleIndex from './2026-12-12-01-folded-title-index.js';
import * as searchVectorUncompressed from './2026-12-13-01-search-vector-uncompressed.js';
import * as deliveryMaybeSent from './2026-12-14-01-delivery-maybe-sent.js';
import * as alertsChannelGone from './2026-12-15-01-alerts-channel-gone.js';
import * as lessonCategories from './2026-12-15-02-lesson-categories.js';

/**
 * Every migration, by name, in order. Imported statically (not discovered on disk) so the same list runs
 * under tsx, vitest and the compiled dist/; a test checks that no file in this folder is missing here.
 */
export const migrations: Record<string, Migration> = {
  '2026-11-27-01-lesson-library': lessonLibrary,
  '2026-11-27-02-scheduling': scheduling,
  '2026-12-01-02-discovery': discovery,
  '2026-12-01-03-progress': progress,
  '2026-12-01-04-vocabulary': vocabulary,
  '2026-12-01-05-scale': scale,
  '2026-12-01-06-command-indexes': commandIndexes,
  '2026-12-02-01-leaderboard-ranks': leaderboardRanks,
  '2026-12-02-02-lesson-read-totals': lessonReadTotals,
  '2026-12-02-03-backlog-index': backlogIndex,
  '2026-12-02-04-text-lexeme-docs': textLexemeDocs,
  '2026-12-03-01-reading-history-writers': readingHistoryWriters,
  '2026-12-04-01-library-change-notices': libraryChangeNotices,
  '2026-12-05-01-inline-title-vectors': inlineTitleVectors,
  '2026-12-06-01-vocabulary-catch-up-index': vocabularyCatchUpIndex,
  '2026-12-07-01-parallel-headline-matching': parallelHeadlineMatching,
  '2026-12-08-01-title-trigram-counts': titleTrigramCounts,
  '2026-12-08-02-unused-title-trigram-index': unusedTitleTrigramIndex,
  '2026-12-09-01-one-open-quiz-attempt': oneOpenQuizAttempt,
  '2026-12-10-01-lesson-delete-reads-first': lessonDeleteReadsFirst,
  '2026-12-10-02-known-time-zones': knownTimeZones,
  '2026-12-11-01-unknown-time-zones-repaired': unknownTimeZonesRepaired,
  '2026-12-12-01-folded-title-index': foldedTitleIndex,
  '2026-12-13-01-search-vector-uncompressed': searchVectorUncompressed,
  '2026-12-14-01-delivery-maybe-sent': deliveryMaybeSent,
  '2026-12-15-01-alerts-channel-gone': alertsChannelGone,
  '2026-12-15-02-lesson-categories': lessonCategories,
};
