import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql, type Kysely, type Transaction } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lessonsTitled, newestLessonWords } from '../../src/db/lesson-search.js';
import { lessonsReadByMember, lessonsSimilarByText, PAIRS_QUERY_UP_TO_WORDS } from '../../src/db/related-readings.js';
import { findLesson, newestLessonHead, newestLessonWith, newestLessonWithGuildReaders, upsertLessons } from '../../src/db/lessons.js';
import { insertAttempt } from '../../src/db/quizzes.js';
import { renewClaim } from '../../src/db/deliveries.js';
import { releaseAlert } from '../../src/db/guild-settings.js';
import { dueSchedules } from '../../src/db/schedules.js';
import type { DB } from '../../src/db/schema.js';
import { BATCH_TIMEOUTS, type DatabaseTimeouts } from '../../src/db/timeouts.js';
import { findVocabulary, lessonsNeedingVocabulary } from '../../src/db/vocabulary.js';
import { createAlerts } from '../../src/delivery/alerts.js';
import { LessonPoster } from '../../src/delivery/poster.js';
import { DeliveryScheduler } from '../../src/delivery/scheduler.js';
import { ARTICLE_CANDIDATES, SEARCH_CANDIDATES, SEARCH_PAGE_SIZE } from '../../src/discovery/search.js';
import { linkSimilarReadings, PARALLEL_MATCHING_FROM_LESSONS } from '../../src/discovery/similar-readings.js';
import { categoryInId } from '../../src/domain/discovery/custom-ids.js';
import { searchTsQuery } from '../../src/domain/discovery/text-query.js';
import { lessonContentHash } from '../../src/domain/lesson-hash.js';
import type { Lesson } from '../../src/domain/lesson.js';
import { buildQuiz } from '../../src/domain/vocabulary/quiz.js';
import { RECENT_SUGGESTION_LESSONS } from '../../src/lessons/service.js';
import { createServices, type Services } from '../../src/services.js';
import type { VocabularyComputer } from '../../src/vocabulary/computer.js';
import { quizProgressSection } from '../../src/vocabulary/progress-section.js';
import { lexiconVersion } from '../../src/vocabulary/version.js';
import { testDatabaseTargets, type TestDatabase } from '../support/databases.js';
import { lessonId, PLAN_LIBRARY, READING_GUILD, seedPlanLibrary, serverId } from '../support/plan-library.js';
import { INDEXED_TABLES, planNodes, recordQueries, seqScans, type RecordedQuery, type SeqScan } from '../support/query-plans.js';
import { RecordingChannels } from '../support/recording-channels.js';
import { joiningTransactions, rolledBack } from '../support/transactions.js';

/**
 * Every query on a command's path uses an index (issue 13). Each entry of COMMAND_PATHS below is what a
 * slash command, button, autocomplete or the scheduler does, run through the real services against a
 * library of 10,000 lessons and ~50,000 readers (test/support/plan-library.ts, ANALYZEd); every query it
 * sends is EXPLAINed with its parameters, and a sequential scan of lessons, lesson_readers, reading_events
 * or any other table that grows (INDEXED_TABLES in test/support/query-plans.ts) fails, naming the query
 * function that sent it.
 *
 * Each entry lists the query functions of src/db/ it runs, and the test checks the list against what ran
 * (read from the call stack). Every exported function of src/db/ is either in some entry's list or in
 * NOT_ON_A_COMMAND_PATH with the reason: a new query function fails the last test until it is placed.
 * To add a command: add an entry (run it through `services` as the command does), list its functions.
 */

const NOW = new Date('2026-05-02T12:00:00Z');
const TODAY = '2026-05-02';
const { heavyReader, lightReader, newcomer } = PLAN_LIBRARY;
const OTHER_GUILD = serverId(2);
/** A server whose post of today another process has claimed (see the seed). */
const CLAIMED_TODAY = serverId(5);
/** A server with readers whose leaderboard windows do not exist yet (its first /leaderboard week). */
const NO_WINDOWS_YET = serverId(PLAN_LIBRARY.readingGuilds - 1);
const UNSCHEDULED = '399999999999999999';

/** Facts about the seeded library the command paths use as members would (ids, words of real titles). */
interface Library {
  /** A lesson the heavy reader read, and one nobody read. */
  readonly readLesson: string;
  readonly unreadLesson: string;
  /** A word of one lesson's title (its story), a word of about 2% of the lessons (its topic), a title's first words. */
  readonly rareWord: string;
  readonly topicWord: string;
  /** A word of about a third of the lessons' titles or summaries ("said"), and the five words in most of them. */
  readonly commonWord: string;
  readonly commonWords: readonly string[];
  readonly titleWords: string;
  /** Lesson 4321's whole title. */
  readonly title: string;
}

interface PathContext {
  /** Recording every query; its transaction() joins the test's transaction, rolled back after the path. */
  readonly db: Kysely<DB>;
  /** The same transaction, not recorded: to arrange a case before running the path. */
  readonly setup: Kysely<DB>;
  readonly services: Services;
  readonly poster: LessonPoster;
  readonly channels: RecordingChannels;
  readonly library: Library;
}

interface CommandPath {
  /** What a member or moderator does (command, button, autocomplete), or the scheduler. */
  readonly path: string;
  /** Every query function of src/db/ it runs ('module.function'), checked against what ran. */
  readonly queries: readonly string[];
  /** Does it, through the services as the command does (commands/*.ts), with realistic parameters. */
  readonly run: (context: PathContext) => Promise<unknown>;
}

const member = (userId: string, guildId = READING_GUILD) => ({ guildId, userId });
const stored = (context: PathContext, id: string) => context.services.lessons.byId(id);

/** What walking the server's next days costs (`/schedule upcoming`, `/schedule preview`): whether today posts, then its post, pins and queue. */
const DAYS_AHEAD_QUERIES = [
  'schedules.findSchedule',
  'deliveries.lastPostedLocalDate',
  'deliveries.dailyDelivery',
  'lesson-plans.plansBetween',
  'lesson-plans.queuedLessonIds',
] as const;

const COMMAND_PATHS: readonly CommandPath[] = [
  // ---- /lesson and its buttons --------------------------------------------------------------------------
  {
    path: '/lesson today, a server with a schedule before its post (a pinned lesson, else the queue; a later day posted, after a move west)',
    queries: [
      'schedules.findSchedule',
      'lesson-plans.dayLessonChoice',
      'deliveries.lastPostedLocalDate',
      'lessons.findLessonWithGuildReaders',
    ],
    run: ({ services }) => services.lessons.todaysCard(READING_GUILD),
  },
  {
    path: '/lesson today, a server whose post of today is out (or being sent)',
    queries: [
      'schedules.findSchedule',
      'lesson-plans.dayLessonChoice',
      'lessons.findLessonWithGuildReaders',
    ],
    run: ({ services }) => services.lessons.todaysCard(CLAIMED_TODAY),
  },
  {
    path: '/lesson today, a server without a schedule (the newest lesson)',
    queries: [
      'schedules.findSchedule',
      'lessons.newestLessonWithGuildReaders',
    ],
    run: ({ services }) => services.lessons.todaysCard(UNSCHEDULED),
  },
  {
    path: '/lesson show (a lesson picked from autocomplete); the card button of catch-up, search and related',
    queries: [
      'lessons.findLessonHead',
      'progress.lessonReadersInGuild',
      'lessons.findLessonWithGuildReaders',
    ],
    run: async ({ services, library }) => {
      await services.lessons.card(READING_GUILD, library.readLesson);
      await services.lessons.withReaders(await services.lessons.byId(library.unreadLesson), OTHER_GUILD);
    },
  },
  {
    path: '/lesson show, dialogue, article, related, vocab, quiz, /schedule plan: a title typed without picking',
    queries: ['lesson-search.lessonsTitled', 'lesson-search.autocompleteLessons', 'lessons.findLessonHead', 'progress.lessonReadersInGuild'],
    run: async ({ services, library }) => {
      await services.lessons.card(READING_GUILD, library.titleWords);
      // A whole title: found by its words, whole, and compared whole.
      await services.lessons.card(READING_GUILD, library.title);
      await expect(services.lessons.requested(READING_GUILD, library.topicWord)).rejects.toThrow(/More than one lesson/u);
    },
  },
  {
    path: '/lesson dialogue, article, related, vocab, quiz without a lesson: today’s, in a server without a schedule (the newest lesson)',
    queries: ['schedules.findSchedule', 'lessons.newestLessonWith', 'lessons.newestLessonHead'],
    run: async ({ services }) => {
      await services.lessons.requestedWith(UNSCHEDULED, undefined, 'dialogue');
      await services.lessons.requested(UNSCHEDULED, undefined);
    },
  },
  {
    path: '/lesson dialogue, /lesson article; the Dialogue and Article buttons and their pages (reading them counts)',
    queries: [
      'lessons.findLessonWith',
      'reading.recordOpening',
    ],
    run: async ({ services, library }) => {
      const lesson = await services.lessons.requestedWith(READING_GUILD, library.readLesson, 'article');
      await services.reading.opened(member(heavyReader), lesson, 'article');
      await services.reading.opened(member(newcomer), await services.lessons.byIdWith(library.unreadLesson, 'dialogue'), 'dialogue');
    },
  },
  {
    path: 'the Mark as read button',
    queries: ['lessons.findLessonHead', 'reading.recordReading'],
    run: async (context) => {
      const { services, library } = context;
      await services.reading.finished(member(heavyReader), await stored(context, library.readLesson));
      await services.reading.finished(member(newcomer), await stored(context, library.unreadLesson));
    },
  },
  {
    path: '/lesson related; the Related button',
    queries: ['lessons.findLessonHead', 'related-readings.similarReadingsOf', 'related-readings.sharedWordsOf', 'related-readings.lessonsSimilarByText', 'related-readings.lessonsReadByMember'],
    run: async (context) => {
      for (const index of [0, 1, 4321, PLAN_LIBRARY.lessons - 1]) {
        const lesson = await stored(context, lessonId(index));
        const related = await context.services.discovery.related(lesson.lesson.id, member(heavyReader));
        // Served from the cache (PostgreSQL with the change feed): the asking member's read marks only.
        await lessonsReadByMember(context.db, member(heavyReader), [lesson.lesson.id, ...related.lessons.map((found) => found.id)]);
      }
      // More words than one query of every pair takes (a small library, or rare words): a lookup per word.
      const rare = await sql<{ lexeme: string }>`
        select lexeme from lexeme_docs where lexeme <> '' and text_docs between 2 and 40 order by text_docs, lexeme limit 12`.execute(context.setup);
      expect(rare.rows.length).toBeGreaterThan(PAIRS_QUERY_UP_TO_WORDS);
      const words = rare.rows.map((row, i) => ({ lexeme: row.lexeme, weight: 12 - i }));
      await lessonsSimilarByText(context.db, words, { minShared: 2, exceptLessonIds: [lessonId(0)], limit: 5 });
    },
  },
  {
    path: '/lesson catchup; its paging buttons (Next and Previous from a place in the list; a page past the end shows the last)',
    queries: ['progress.unreadPostedLessons', 'deliveries.anyPostSent'],
    run: async ({ services }) => {
      // Nothing unread: whether the server ever posted (a server before its first post has nothing to catch up on).
      await services.reading.catchup({ guildId: '100000000000000999', userId: newcomer, page: 1 });
      for (const userId of [heavyReader, lightReader, newcomer]) {
        for (const page of [1, 3, 999]) await services.reading.catchup({ ...member(userId), page });
        // Next and Previous from a place in the list.
        const shown = await services.reading.catchup({ ...member(userId), page: 2 });
        for (const [direction, lesson] of [['next', shown.lessons.at(-1)], ['previous', shown.lessons[0]]] as const) {
          if (lesson) await services.reading.catchup({ ...member(userId), from: { direction, postedAtMs: lesson.postedAt.getTime(), lessonId: lesson.lessonId } });
        }
      }
    },
  },
  {
    path: '/lesson vocab; the Vocabulary and vocabulary page buttons',
    queries: ['lessons.findLessonHead', 'vocabulary.findVocabulary', 'vocabulary.storedContentHash'],
    run: async (context) => {
      const lesson = await stored(context, context.library.readLesson);
      await context.services.vocabulary.list(lesson.lesson.id);
    },
  },
  {
    path: '/lesson quiz; the Quiz button (a new attempt, or the unfinished one resumed)',
    queries: ['lessons.findLessonHead', 'vocabulary.findVocabulary', 'vocabulary.storedContentHash', 'quizzes.findOpenAttemptId', 'quizzes.insertAttempt', 'quizzes.findAttempt'],
    run: async (context) => {
      const lesson = await stored(context, context.library.unreadLesson);
      await context.services.vocabulary.startQuiz(member(heavyReader), lesson.lesson.id);
      await context.services.vocabulary.startQuiz(member(heavyReader), lesson.lesson.id);
    },
  },
  {
    path: 'the quiz answer buttons (every answer, the last one finishing the attempt)',
    queries: ['quizzes.findAttempt', 'quizzes.recordAnswer', 'quizzes.finishAttemptIfComplete', 'lessons.findLessonHead'],
    run: async (context) => {
      const { setup, services, library } = context;
      const vocabulary = await findVocabulary(setup, library.readLesson);
      const questions = buildQuiz(vocabulary?.entries ?? [], () => 0.5) ?? [];
      const attemptId = await insertAttempt(setup, member(lightReader), library.readLesson, questions);
      for (const [position, question] of questions.entries()) {
        const outcome = await services.vocabulary.answer({ attemptId, position, choice: question.choices.indexOf(question.answer), ...member(lightReader) });
        expect(outcome.kind).toBe('answered');
        await services.lessons.byId(library.readLesson);
      }
    },
  },
  {
    // A word in a large part of the library ("said", in a third of the lessons) too: its newest matches are ranked
    // (until 2026-12-07 every one was, and PostgreSQL read the table whole). See also the test of its rows below.
    path: '/lesson search; its paging buttons (title and summary matches, then article-only ones; a category)',
    queries: [
      'lesson-search.searchTitleOrSummary',
      'lesson-search.searchArticleOnly',
      'lesson-search.libraryCategories',
      'lesson-search.categoriesNamed',
      'lesson-search.searchWithoutWords',
    ],
    run: async ({ services, library }) => {
      await services.discovery.search(library.rareWord, undefined);
      // Nothing found, and every word too common to be searched: said so (a statement that reads no table).
      await services.discovery.search('the of', undefined);
      await services.discovery.search(library.topicWord, undefined);
      await services.discovery.search(library.commonWord, undefined);
      await services.discovery.search(library.commonWord, 'nhk', 3);
      await services.discovery.search(library.commonWords.join(' '), undefined);
      await services.discovery.search(`${library.topicWord} ${library.rareWord.slice(0, 4)}`, undefined);
      await services.discovery.search(`"${library.titleWords}"`, undefined);
      // A name written with a slash: itself, or its parts.
      await services.discovery.search(`${library.topicWord}/${library.rareWord}`, undefined);
      await services.discovery.search(library.topicWord, 'easy-news');
      await services.discovery.search(library.topicWord, undefined, 40);
      await services.discovery.search(library.topicWord, undefined, 200);
      // A category the library does not have: the refusal lists those it has. A paging button's category digest.
      await expect(services.discovery.search(library.topicWord, 'sports')).rejects.toThrow(/^There is no category/u);
      await expect(services.discovery.searchPage(library.topicWord, categoryInId('Sports & Leisure / Europe'), 2)).rejects.toThrow(/no longer in the library/u);
    },
  },
  {
    path: 'the lesson autocomplete (/lesson …, /schedule plan): nothing typed, words and a word start, an ID start',
    queries: ['lesson-search.newestLessons', 'lesson-search.autocompleteLessons', 'lesson-search.lessonsByIdPrefix'],
    run: async ({ services, library }) => {
      // The last: a name written with a slash (itself, or its parts).
      for (const typed of ['', library.rareWord.slice(0, 4), library.topicWord.slice(0, 3), `${library.topicWord} ${library.rareWord.slice(0, 3)}`, 'a', `${library.topicWord}/${library.rareWord}`]) {
        await services.lessons.choices(typed);
      }
      await services.lessons.choices(library.readLesson.slice(0, 8));
    },
  },
  {
    // Loaded in the background by the lessons service when the library cache is on (PostgreSQL's change feed,
    // which these services run without): the statement itself, as the service sends it.
    path: 'the lesson autocomplete from memory: the newest lessons’ words, reloaded after a change or a minute',
    queries: ['lesson-search.newestLessonWords'],
    run: ({ db }) => newestLessonWords(db, RECENT_SUGGESTION_LESSONS),
  },
  {
    path: 'the category autocomplete of /lesson search',
    queries: ['lesson-search.categoriesContaining'],
    run: async ({ services }) => {
      for (const typed of ['', 'n', 'easy', 'NEWS', 'ΕΙΔΗΣΕΙΣ']) await services.discovery.categoryChoices(typed);
    },
  },
  {
    path: '/lesson import (moderators): a new lesson, a changed one, an unchanged one; then their vocabulary',
    queries: [
      'lessons.prepareLessonUpsert',
      'lessons.lockLessonImports',
      'lessons.planWithoutJit',
      'headline-matching.lessonsWithoutStoredReadings',
      'lexeme-docs.librarySize',
      'lexeme-docs.lexemesOf',
      'lexeme-docs.lexemeDocCounts',
      'headline-matching.bestHeadlineMatches',
      'headline-matching.deleteSimilarReadings',
      'headline-matching.insertSimilarReadings',
      'headline-matching.anyStoredTitles',
      'headline-matching.headLexemes',
      'headline-matching.titlesSharingAny',
      'headline-matching.titlesNaming',
      'headline-matching.setSimilarReadingMatches',
      'vocabulary.lessonsNeedingVocabulary',
      'vocabulary.lessonTexts',
      'vocabulary.replaceVocabularies',
      'lexeme-docs.applyLexemeDocChanges',
      'lexeme-docs.mergePendingSearchEntries',
      'lexeme-docs.countLexemeDocChanges',
      'headline-matching.similarReadingTitles',
      'lexeme-docs.startLexemeDocChanges',
    ],
    run: async ({ setup, services }) => {
      const lessons = await importBatch(setup);
      // importUpload parses the file (off the thread) and then runs exactly this import.
      const counts = await services.lessons.importParsed(lessons);
      expect(counts).toEqual({ imported: 1, updated: 1, unchanged: 1 });
      await services.vocabulary.afterImport(
        lessons.map((lesson) => lesson.id),
        READING_GUILD,
      );
    },
  },

  // ---- /progress, /leaderboard, /privacy, /settings -----------------------------------------------------
  {
    path: '/progress: yourself, another member, a stored time zone the runtime no longer knows',
    queries: ['progress.memberProgressRows', 'quizzes.memberQuizStats', 'progress.memberReadingDays'],
    run: async ({ setup, services }) => {
      const sections = [quizProgressSection(services.vocabulary.progress)];
      for (const userId of [heavyReader, lightReader, newcomer]) await services.reading.progress({ ...member(userId), askedBy: userId }, sections);
      await services.reading.progress({ ...member(heavyReader), askedBy: lightReader }, sections);
      await sql`update member_settings set timezone = 'Factory' where user_id = ${heavyReader}`.execute(setup);
      await services.reading.progress({ ...member(heavyReader), askedBy: heavyReader }, sections);
    },
  },
  {
    path: '/leaderboard week, month, all: in the top 10 or not, and a server’s first weekly board',
    queries: ['progress.moveLeaderboardWindow', 'progress.readBoard'],
    run: async ({ services }) => {
      for (const period of ['week', 'month', 'all'] as const) {
        for (const callerId of [heavyReader, lightReader]) await services.reading.leaderboard({ guildId: READING_GUILD, callerId, period });
      }
      await services.reading.leaderboard({ guildId: NO_WINDOWS_YET, callerId: heavyReader, period: 'week' });
    },
  },
  {
    path: '/privacy export',
    queries: ['privacy.memberRows', 'privacy.memberTables'],
    run: ({ services }) => services.reading.exportMember(heavyReader),
  },
  {
    path: '/privacy forget-me, its Confirm button',
    queries: ['privacy.deleteMemberRows', 'privacy.memberTables'],
    run: ({ services }) => services.reading.confirmForget(heavyReader, Math.floor(NOW.getTime() / 1000) + 60),
  },
  {
    path: '/settings timezone, /settings leaderboard',
    queries: ['progress.saveMemberTimeZone', 'progress.saveLeaderboardVisible'],
    run: async ({ services }) => {
      await services.reading.setTimeZone(lightReader, 'Europe/Paris');
      await services.reading.setTimeZone(heavyReader, 'server-default');
      await services.reading.setLeaderboardVisible(lightReader, false);
    },
  },

  // ---- /schedule (moderators) ---------------------------------------------------------------------------
  {
    path: 'the moderator check of /schedule and /lesson import (the moderator role)',
    queries: ['guild-settings.guildSettings'],
    run: ({ services }) => services.delivery.moderatorRoleId(READING_GUILD),
  },
  {
    path: '/schedule set',
    queries: ['schedules.findSchedule', 'schedules.saveSchedule', 'deliveries.lastPostedLocalDate', 'lesson-plans.dayLessonChoice', 'deliveries.dailyDelivery'],
    run: ({ services }) =>
      services.delivery.setSchedule({
        guildId: READING_GUILD,
        channelId: 'c-new',
        when: services.delivery.postingTime('07:30', 'Asia/Tokyo'),
        roleId: null,
        createThread: false,
      }),
  },
  {
    path: '/schedule show',
    queries: ['schedules.findSchedule', 'deliveries.lastPostedLocalDate', 'deliveries.lastSentDelivery', 'guild-settings.guildSettings', 'lesson-plans.dayLessonChoice'],
    run: ({ services }) => services.delivery.status(READING_GUILD),
  },
  {
    path: '/schedule pause, /schedule resume',
    queries: ['schedules.setPaused', 'deliveries.lastPostedLocalDate', 'lesson-plans.dayLessonChoice'],
    run: async ({ services }) => {
      await services.delivery.pause(READING_GUILD);
      await services.delivery.resume(READING_GUILD);
    },
  },
  {
    path: '/schedule plan (today, and a later day)',
    queries: ['schedules.findSchedule', 'deliveries.dailyDelivery', 'deliveries.lastPostedLocalDate', 'lessons.findLessonHead', 'deliveries.lessonRetriedOn', 'lesson-plans.planLesson'],
    run: async ({ services, library }) => {
      await services.delivery.plan(READING_GUILD, { date: TODAY, lesson: library.unreadLesson, plannedBy: 'mod' });
      await services.delivery.plan(READING_GUILD, { date: '2026-06-01', lesson: library.readLesson, plannedBy: 'mod' });
    },
  },
  {
    path: '/schedule unplan (a pinned day: the queue is walked up to it)',
    queries: ['schedules.findSchedule', 'lesson-plans.unplanLesson', 'deliveries.dailyDelivery', 'deliveries.lastPostedLocalDate', 'lesson-plans.plansBetween', 'lesson-plans.queuedLessonIds'],
    run: async ({ setup, services, library }) => {
      await sql`insert into lesson_plans (guild_id, local_date, lesson_id, planned_by) values (${READING_GUILD}, '2026-05-05', ${library.unreadLesson}, 'mod')
        on conflict (guild_id, local_date) do nothing`.execute(setup);
      await services.delivery.unplan(READING_GUILD, '2026-05-05');
    },
  },
  {
    path: '/schedule upcoming',
    queries: [...DAYS_AHEAD_QUERIES, 'lessons.lessonTitles'],
    run: async ({ services }) => {
      await services.delivery.upcoming(READING_GUILD, 7);
      await services.delivery.upcoming(serverId(500), 25);
    },
  },
  {
    path: '/schedule preview (the next post, a day two months ahead)',
    queries: [...DAYS_AHEAD_QUERIES, 'lessons.findLessonHead', 'reading.countReadersInGuild'],
    run: async ({ services }) => {
      await services.delivery.preview(READING_GUILD, undefined);
      await services.delivery.preview(READING_GUILD, '2026-07-01');
    },
  },
  {
    path: '/schedule post-now (today’s post; force:true for a second one)',
    queries: [
      'schedules.findSchedule',
      'deliveries.dailyDelivery',
      'deliveries.nextSequence',
      'deliveries.claimDelivery',
      'lessons.findLessonWithGuildReaders',
      'deliveries.recordPostSent',
      'lesson-plans.dayLessonChoice',
    ],
    run: async ({ services }) => {
      await services.delivery.postNow(await services.delivery.requireSchedule(READING_GUILD), false);
      await services.delivery.postNow(await services.delivery.requireSchedule(READING_GUILD), true);
    },
  },
  {
    path: '/schedule alerts, /schedule moderators',
    queries: ['guild-settings.updateGuildSettings', 'guild-settings.forgetAlerts'],
    run: async ({ services }) => {
      await services.delivery.setAlertsChannel(READING_GUILD, 'alerts-new');
      await services.delivery.setModeratorRole(READING_GUILD, 'role-new');
    },
  },

  {
    path: 'a role deleted in Discord (GUILD_ROLE_DELETE): the daily post stops pinging it when it was that role',
    queries: ['schedules.clearPingRole'],
    run: ({ services }) => services.delivery.pingRoleDeleted(READING_GUILD, '399999999999999998'),
  },

  {
    path: 'a channel deleted in Discord (CHANNEL_DELETE): the alerts channel, when it was that channel, is tried no more',
    queries: ['guild-settings.markAlertsChannelGone'],
    run: ({ services }) => services.delivery.channelDeleted(READING_GUILD, '399999999999999997'),
  },

  {
    path: 'a server connected (GUILD_CREATE lists its roles): a ping role no longer among them is pinged no more',
    queries: ['schedules.clearPingRoleNotAmong'],
    // The plan library's server 0 pings role 'r0' (plan-library.ts): still listed, so nothing is cleared or told.
    run: ({ services }) => services.delivery.pingRolesListed(READING_GUILD, [READING_GUILD, 'r0']),
  },

  // ---- The scheduler ------------------------------------------------------------------------------------
  {
    path: 'the scheduler: the cards built ahead, each tick (due servers, claims of a dead process), and each server’s post (sent, or failed and told)',
    queries: [
      'schedules.dueSchedules',
      'deliveries.nextForeignClaimExpiry',
      'deliveries.claimDelivery',
      'lessons.findLessonWithGuildReaders',
      'deliveries.recordPostSent',
      'deliveries.markDeliveryFailed',
      'schedules.recordPostFailure',
      'guild-settings.guildSettings',
      'guild-settings.claimAlert',
      'guild-settings.releaseAlert',
      'deliveries.renewClaim',
      'lesson-plans.dayLessonChoice',
    ],
    run: async ({ db, setup, poster, channels }) => {
      // The first due server's channel is gone: its post fails and its moderators are told.
      const [first] = await dueSchedules(setup, NOW, { staleClaimMs: 60_000, limit: 1 });
      if (!first) throw new Error('no server is due at NOW');
      channels.breakChannel(first.schedule.channelId);
      await sql`insert into guild_settings (guild_id, alerts_channel_id) values (${first.schedule.guildId}, 'alerts')
        on conflict (guild_id) do update set alerts_channel_id = 'alerts'`.execute(setup);
      const scheduler = new DeliveryScheduler({
        db,
        poster,
        logger: pino({ level: 'silent' }),
        now: () => NOW,
        cronExpression: '* * * * *',
        leaseMs: 60_000,
        servesGuild: () => true,
        batchSize: 4,
        concurrency: 1,
        prepareAheadMs: 10_000,
      });
      // The cards built ahead of the minute (the same queries a post at its minute runs), then the tick.
      expect(await scheduler.prepareAhead()).toBeGreaterThan(0);
      await scheduler.tick();
      await scheduler.stop();
      expect(channels.sent.length).toBeGreaterThan(0);
      // While a send is in flight the poster renews its claim every leaseMs / 3.
      await renewClaim(db, { guildId: READING_GUILD, localDate: TODAY, sequence: 0 }, poster.processId, NOW);
      // An alert that could not be sent (the alerts channel broken too) is forgotten, to be told again.
      await releaseAlert(db, first.schedule.guildId, 'post-failed', 'the channel no longer exists');
    },
  },
];

/** Exported functions of src/db/ that no command, button, autocomplete or scheduler tick runs, and why. */
const NOT_ON_A_COMMAND_PATH: Record<string, string> = {
  'statistics.staleTables': 'start-up and the table upkeep, once a minute (reads the statistics views, not the tables)',
  'statistics.tidyTables': 'start-up and the table upkeep (VACUUM where no autovacuum runs, ANALYZE where the rule says, of the stale tables)',
  'statistics.analyzeAllTables': 'the CLI after an import (ANALYZE of every table)',
  'statistics.autovacuumEnabled': 'the table upkeep, once a minute (two settings)',
  'statistics.vacuumTable': 'the table upkeep, on its own connection (VACUUM of a table past autovacuum’s rule, with ANALYZE where it is due)',
  'statistics.analyzeTable': 'start-up and the table upkeep (ANALYZE of a table past autovacuum’s rule), the CLI after its vocabulary step (the vocabulary tables)',
  'process-locks.tryProcessLock': 'the table upkeep and the vocabulary catch-up job, each on a connection of its own (an advisory lock)',
  'process-locks.releaseProcessLock': 'the table upkeep and the vocabulary catch-up job, each on a connection of its own (an advisory lock)',
  'lessons.listLessons': 'the CLI (`lessons list`)',
  'lessons.findLesson': 'the CLI (`lessons show`, `lessons export`: the whole lesson; commands read its head or one text)',
  'headline-matching.runsParallelWorkers': 'an import into a library of PARALLEL_MATCHING_FROM_LESSONS (two settings, no table)',
  'lessons.upsertLesson': 'one lesson through upsertLessons (tests and benches seed lessons with it; imports write batches)',
  'lessons.upsertLessons': 'prepareLessonUpsert’s statement, sent at once (upsertLesson, tests); an import builds it ahead (on the import path)',
  'lessons.runLessonUpsert': 'sends the statement prepareLessonUpsert built (on the import path), and builds none',
  'lessons.countLessons': 'the CLI (`lessons list`)',
  'progress.mostReadLessons': 'the CLI (`lessons stats`), over every reader by design',
  'progress.leaderboardSince': 'the reference the running leaderboard totals are tested against (tests only)',
  'progress.findMemberSettings': 'called by nothing (memberProgressRows reads member_settings)',
  'vocabulary.findLevel': 'only services.vocabulary.level, which nothing calls (cards get the level with findLessonWithGuildReaders)',
  'vocabulary.countLessonsNeedingVocabulary': 'the CLI’s progress bar (`lessons vocab-refresh`) and its import’s choice to leave the vocabulary to the bot, over the library by design; the bot’s catch-up job does not count',
  'vocabulary.askForVocabularyCatchUp': 'the lessons CLI after a big import (`pg_notify`, reads no table)',
  'health.pingDatabase': '/healthz (`select 1`)',
  'deliveries.endClaimsOfDeadProcess': '`start:sharded`’s manager when a bot process dies (the open claims, by deliveries_open_claims_idx: sent posts leave it)',
  'guild-settings.moderatorRoleIds': 'the bot’s start, once (every server’s moderator role: roles discord.js keeps)',
  'schedules.postingChannelIds': 'the bot’s start, once (every schedule’s and alerts channel: the channels discord.js keeps)',
  'headline-matching.storedTitlesPage':
    'an import whose new lessons share words with more than 10,000 stored titles (a big import or library; /lesson import of one lesson here finds fewer): by primary key, checked by “an import’s backward step reading every stored title”',
};

/** Modules of src/db/ that hold no query functions. */
const NOT_QUERY_MODULES: Record<string, string> = {
  'prepared.ts': 'marks statements to send as named prepared statements',
  'found-lesson.ts': 'a lesson as search and related readings list it, from its row (no query)',
  'head-words.ts': "a lesson's title-and-summary words' share of their weight, an SQL expression of related readings and title matching (no query)",
  'change-feed.ts': 'LISTENs for the library change notices on a connection of its own (no query on a command path)',
  'database.ts': 'opens PostgreSQL or PGlite',
  'data-dir-lock.ts': 'PGlite data directory lock',
  'down-gate.ts': 'while the server does not answer, lets one request at a time ask it (no query of its own)',
  'pglite-template.ts': 'unpacks the empty cluster a new PGlite database starts from (files, no query)',
  'pglite-turns.ts': 'lets the event loop take a turn before each PGlite statement (a dialect wrapper, no query)',
  'migrate.ts': 'runs migrations',
  'open-from-config.ts': 'opens the configured database',
  'schema.ts': 'types',
  'timeouts.ts': 'database time bounds',
  'unavailable.ts': 'the error that a database cannot be used at all, in words',
};

/**
 * An import as `/lesson import` writes it: a new lesson (titled like a similar-reading title that named no
 * lesson yet, so the backward match links it), an existing lesson with a changed summary, and one unchanged.
 */
async function importBatch(setup: Kysely<DB>): Promise<Lesson[]> {
  const [base, changed, unchanged] = await Promise.all([30, 31, 32].map((index) => findLesson(setup, lessonId(index))));
  if (!base || !changed || !unchanged) throw new Error('seeded lessons missing');
  const naming = await sql<{ title: string }>`
    select title from similar_readings where lesson_id = ${lessonId(40)} and matched_lesson_id is null`.execute(setup);
  const newLesson: Lesson = { ...base.lesson, id: 'c0ffee00-0000-4000-8000-000000000001', title: naming.rows[0]?.title ?? base.lesson.title, url: 'https://example.org/news/new' };
  await sql`update lessons set content_hash = ${lessonContentHash(unchanged.lesson)} where id = ${unchanged.lesson.id}`.execute(setup);
  return [newLesson, { ...changed.lesson, summary: `${changed.lesson.summary} An added sentence.` }, unchanged.lesson];
}

/** Vocabularies for imported lessons: what the worker thread would return (its content does not change the queries). */
const fixedVocabulary: VocabularyComputer = {
  compute: (lesson) => ({
    entries: [
      { word: 'agreed', lemma: 'agree', pos: 'verb', definition: 'to have the same opinion', sentence: lesson.article[0] ?? '', source: 'article', frequency: 1000, distractors: ['a', 'b', 'c'] },
    ],
    level: { band: 'B1', outside2k: 0.1, outside5k: 0.05, words: 250 },
  }),
  close: () => undefined,
};

/**
 * The plans of recorded queries, each matching statement that reads `headline_match_queue` explained with the
 * queue as it was when it ran (the queue's rows are replaced by the next statement): its insert is replayed first.
 */
async function plansAsRun(
  trx: Transaction<DB>,
  recorded: readonly RecordedQuery[],
): Promise<{ sql: string; nodes: Awaited<ReturnType<typeof planNodes>>; queued: number }[]> {
  const plans: { sql: string; nodes: Awaited<ReturnType<typeof planNodes>>; queued: number }[] = [];
  let fill: RecordedQuery | undefined;
  for (const entry of recorded) {
    if (entry.query.sql.includes('insert into headline_match_queue')) fill = entry;
    if (!/^\s*select/iu.test(entry.query.sql)) continue;
    if (entry.query.sql.includes('headline_match_queue q')) {
      if (!fill) throw new Error('a queue statement without the insert before it');
      await sql`truncate headline_match_queue`.execute(trx);
      await trx.executeQuery(fill.query);
      await sql`analyze headline_match_queue`.execute(trx);
    }
    const queued = (await sql<{ n: number }>`select count(*)::int as n from headline_match_queue`.execute(trx)).rows[0]?.n ?? 0;
    plans.push({ sql: entry.query.sql, nodes: await planNodes(trx, entry.query), queued });
  }
  return plans;
}

async function libraryFacts(db: Kysely<DB>): Promise<Library> {
  const read = await sql<{ lesson_id: string }>`
    select lesson_id from lesson_readers where guild_id = ${READING_GUILD} and user_id = ${heavyReader}
    order by last_read_at desc limit 1`.execute(db);
  const unread = await sql<{ id: string }>`select id from lessons l where not exists (select 1 from lesson_read_totals t where t.lesson_id = l.id and t.read_count > 0) order by article_date desc, id limit 1`.execute(db);
  // A lesson's title: its first words are a topic name, the story's words follow.
  const title = await sql<{ title: string }>`select title from lessons where id = ${lessonId(4321)}`.execute(db);
  const words = (title.rows[0]?.title ?? '').replace(/[.]/gu, '').split(' ');
  // A word of about 2% of the lessons (a topic word).
  const common = await sql<{ lexeme: string }>`
    select lexeme from lexeme_docs where lexeme <> '' and length(lexeme) > 4
    order by abs(docs - ${PLAN_LIBRARY.lessons / 50}), lexeme limit 1`.execute(db);
  const third = await sql<{ lexeme: string }>`
    select lexeme from lexeme_docs where lexeme <> '' and length(lexeme) >= 3
    order by abs(docs - ${Math.round(PLAN_LIBRARY.lessons / 3)}), lexeme limit 1`.execute(db);
  const most = await sql<{ lexeme: string }>`
    select lexeme from lexeme_docs where lexeme <> '' and length(lexeme) >= 3 order by docs desc, lexeme limit 5`.execute(db);
  return {
    readLesson: read.rows[0]?.lesson_id ?? '',
    unreadLesson: unread.rows[0]?.id ?? '',
    rareWord: words[1] ?? '',
    topicWord: common.rows[0]?.lexeme ?? '',
    commonWord: third.rows[0]?.lexeme ?? '',
    commonWords: most.rows.map((row) => row.lexeme),
    titleWords: words.slice(0, 4).join(' '),
    title: title.rows[0]?.title ?? '',
  };
}

/** The exported functions of src/db/ ('module.function'), by module file. */
async function queryFunctions(): Promise<Map<string, string[]>> {
  const dir = fileURLToPath(new URL('../../src/db/', import.meta.url));
  const modules = new Map<string, string[]>();
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.ts')).sort()) {
    const name = file.replace(/\.ts$/u, '');
    const exports = (await import(/* @vite-ignore */ join(dir, file))) as Record<string, unknown>;
    modules.set(file, Object.entries(exports).filter(([, value]) => typeof value === 'function').map(([fn]) => `${name}.${fn}`));
  }
  return modules;
}

describe('command query plans: coverage', () => {
  it('every exported query function of src/db/ is on a listed command path, or listed as not on one with a reason', async () => {
    const modules = await queryFunctions();
    expect(Object.keys(NOT_QUERY_MODULES).filter((file) => !modules.has(file))).toEqual([]);
    const all = [...modules].filter(([file]) => !(file in NOT_QUERY_MODULES)).flatMap(([, names]) => names);
    const covered = new Set(COMMAND_PATHS.flatMap((entry) => entry.queries));
    const unplaced = all.filter((name) => !covered.has(name) && !(name in NOT_ON_A_COMMAND_PATH));
    expect(unplaced, 'query functions neither run by a command path below nor listed in NOT_ON_A_COMMAND_PATH').toEqual([]);
    expect([...covered].filter((name) => name in NOT_ON_A_COMMAND_PATH), 'listed both as covered and as not on a command path').toEqual([]);
    expect([...covered, ...Object.keys(NOT_ON_A_COMMAND_PATH)].filter((name) => !all.includes(name)), 'listed but not exported from src/db/').toEqual([]);
  });
});

/**
 * The seed is one script on PostgreSQL (10,000 lessons, their search vectors and GIN indexes): under a
 * loaded CI machine it outlasted a batch job's 120 s statement bound. Bounded still, within the hook's 600 s.
 */
const SEED_TIMEOUTS: DatabaseTimeouts = { ...BATCH_TIMEOUTS, statementMs: 480_000, queryMs: 480_500 };

// Some checks rewrite the 10,000-lesson library (every title, every date: its search vectors and GIN entries anew) or
// match hundreds of titles against it: 15–26 s on a slow CI machine, over the 30 s default when it is busier.
describe('command queries use indexes', { timeout: 120_000 }, () => {
  // PostgreSQL first: its seed runs in its own process while PGlite seeds in this one.
  const targets = testDatabaseTargets().sort((a, b) => (a.kind === 'postgres' ? -1 : b.kind === 'postgres' ? 1 : 0));
  const seeded = new Map<string, { database: TestDatabase; library: Library }>();
  beforeAll(async () => {
    const version = lexiconVersion();
    const seed = async (database: TestDatabase) => {
      await seedPlanLibrary(database.db, { lexiconVersion: version, now: NOW, oneScript: database.kind === 'postgres' });
      return { database, library: await libraryFacts(database.db) };
    };
    // PostgreSQL's database is opened (migrated) first and its seed goes as one script: the server works
    // through it while PGlite opens and seeds in this thread. Seeding is a batch job: a batch job's bounds.
    const seeding: Promise<{ database: TestDatabase; library: Library }>[] = [];
    for (const target of targets) {
      if (target.kind === 'postgres') {
        seeding.push(seed(await target.open({ timeouts: SEED_TIMEOUTS })));
        // Let the script leave before PGlite takes the thread.
        await new Promise((resolve) => setTimeout(resolve, 50));
      } else {
        seeding.push(target.open({ timeouts: SEED_TIMEOUTS }).then(seed));
      }
    }
    const results = await Promise.allSettled(seeding);
    for (const [index, result] of results.entries()) {
      if (result.status === 'fulfilled') seeded.set(targets[index]?.kind ?? '', result.value);
    }
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
  }, 600_000);
  afterAll(async () => {
    await Promise.all([...seeded.values()].map(({ database }) => database.close()));
  });

  describe.each(targets)('on $kind', (target) => {
    const seed = () => {
      const found = seeded.get(target.kind);
      if (!found) throw new Error('not seeded');
      return found;
    };

    /** Services and the scheduler's poster over `recording`, whose transaction() joins the test's transaction `trx`. */
    function contextOver(recording: Transaction<DB>, trx: Transaction<DB>): PathContext {
      const db = joiningTransactions(recording);
      const logger = pino({ level: 'silent' });
      const channels = new RecordingChannels();
      const now = () => NOW;
      const poster = new LessonPoster({ db, channels, logger, now, alerts: createAlerts({ db, channels, logger }), processId: 'plan-test', leaseMs: 60_000 });
      const services = createServices({ db, logger, now, importTimeZone: 'UTC', poster, vocabularyComputer: fixedVocabulary });
      return { db, setup: trx, services, poster, channels, library: seed().library };
    }

    /** Runs a command path in a rolled-back transaction: what it sent, and the sequential scans in their plans. */
    async function explainPath(
      entry: Pick<CommandPath, 'run'>,
      arrange: (trx: Transaction<DB>) => Promise<unknown> = async () => undefined,
    ): Promise<{ recorded: RecordedQuery[]; scans: SeqScan[] }> {
      return rolledBack(seed().database.db, async (trx) => {
        await arrange(trx);
        const recorder = recordQueries(trx);
        await entry.run(contextOver(recorder.db, trx));
        const recorded = recorder.take();
        return { recorded, scans: await seqScans(trx, recorded) };
      });
    }

    it('seeded a library of 10,000 lessons with readers, events and posts in several servers', async () => {
      const counts = await sql<{ lessons: number; readers: number; events: number; guilds: number; deliveries: number }>`
        select (select count(*)::int from lessons) as lessons, (select count(*)::int from lesson_readers) as readers,
          (select count(*)::int from reading_events) as events, (select count(distinct guild_id)::int from lesson_readers) as guilds,
          (select count(*)::int from deliveries) as deliveries`.execute(seed().database.db);
      expect(counts.rows[0]).toMatchObject({ lessons: PLAN_LIBRARY.lessons, guilds: PLAN_LIBRARY.readingGuilds });
      expect(counts.rows[0]?.readers).toBeGreaterThan(40_000);
      expect(counts.rows[0]?.events).toBeGreaterThan(80_000);
      expect(counts.rows[0]?.deliveries).toBeGreaterThan(30_000);
      // The tests name lessons by index: the same ids as the seed's.
      expect((await findLesson(seed().database.db, lessonId(4321)))?.lesson.url).toBe('https://example.org/news/4321');
    });

    it('the check finds a sequential scan (the old title LIKE autocomplete), and names no query function for it', async () => {
      const { scans } = await explainPath({
        run: ({ db }) => db.selectFrom('lessons').select('id').where(sql<string>`lower(title)`, 'like', '%rice%').limit(25).execute(),
      });
      expect(scans).toEqual([expect.objectContaining({ table: 'lessons', sources: [] })]);
    });

    /** The plan nodes of each query `run` sends, on a library reshaped by `arrange` (then analyzed), rolled back. */
    async function plansOnReshapedLibrary(arrange: string, run: (db: Kysely<DB>) => Promise<unknown>) {
      return rolledBack(seed().database.db, async (trx) => {
        await sql.raw(arrange).execute(trx);
        await sql`analyze lessons`.execute(trx);
        const recorder = recordQueries(trx);
        await run(recorder.db);
        const plans = [];
        for (const { query, sources } of recorder.take()) plans.push({ sources, nodes: (await planNodes(trx, query)).map(({ node }) => node) });
        return plans;
      });
    }

    it('related readings of a lesson of many rare words (one near the format’s limits): a lookup per word by the index, no parallel workers', async () => {
      // A lesson of 200,000 characters has words rarer than the lookup budget many times over: the most words the
      // lookups take. As a union of one select per word, so many were planned in parallel, and starting the workers
      // took 70–80 ms on a loaded two-core machine for ~1 ms of lookups (2026-12-07).
      const rare = await sql<{ lexeme: string }>`
        select lexeme from lexeme_docs where lexeme <> '' and text_docs between 2 and 15 order by text_docs, lexeme limit 32`.execute(seed().database.db);
      expect(rare.rows).toHaveLength(32);
      const words = rare.rows.map((row, i) => ({ lexeme: row.lexeme, weight: 32 - i }));
      const plans = await plansOnReshapedLibrary('select 1', (db) => lessonsSimilarByText(db, words, { minShared: 2, exceptLessonIds: [lessonId(0)], limit: 5 }));
      expect(plans.map((plan) => plan.sources)).toEqual([['related-readings.lessonsSimilarByText']]);
      const nodes = plans.flatMap((plan) => plan.nodes);
      expect(nodes.filter((node) => node['Node Type'].startsWith('Gather')).map((node) => node['Node Type'])).toEqual([]);
      expect(nodes.filter((node) => node['Index Name'] === 'lessons_search_vector_idx')).not.toEqual([]);
    });

    it('the newest lesson, in a library whose lessons share one date and one import: the first row of an index read backward, no sort', async () => {
      // A generator may stamp one date on every lesson and import them at once. Until 2026-12-07 the newest was
      // ordered by id lowest first, which no index holds: every lesson was read and sorted (346 ms at 100,000).
      const plans = await plansOnReshapedLibrary(`update lessons set article_date = '2026-04-01', imported_at = '2026-04-01T00:00:00Z'`, async (db) => {
        await newestLessonWithGuildReaders(db, UNSCHEDULED);
        await newestLessonHead(db);
        await newestLessonWith(db, 'article');
      });
      expect(plans.map((plan) => plan.sources)).toEqual([['lessons.newestLessonWithGuildReaders'], ['lessons.newestLessonHead'], ['lessons.newestLessonWith']]);
      for (const { nodes } of plans) {
        expect(nodes.filter((node) => node['Node Type'].includes('Sort')).map((node) => node['Node Type'])).toEqual([]);
        const onLessons = nodes.filter((node) => node['Relation Name'] === 'lessons');
        expect(onLessons.map((node) => [node['Node Type'], node['Index Name']])).toEqual([['Index Scan', 'lessons_backlog_idx']]);
      }
    });

    it('a whole title typed, in a library whose titles share their words ("Lesson 1" … "Lesson 10000"): found by the folded title’s index', async () => {
      const plans = await plansOnReshapedLibrary(
        `update lessons set title = 'Lesson ' || n from (select id, row_number() over (order by id) as n from lessons) numbered where numbered.id = lessons.id`,
        async (db) => expect((await lessonsTitled(db, 'lesson 4321', "'lesson' & '4321'", 25)).map((found) => found.title)).toEqual(['Lesson 4321']),
      );
      expect(plans.map((plan) => plan.sources)).toEqual([['lesson-search.lessonsTitled']]);
      const onLessons = plans[0]!.nodes.filter((node) => node['Relation Name'] === 'lessons' || node['Index Name']?.startsWith('lessons_'));
      expect(onLessons.map((node) => node['Index Name'])).toContain('lessons_title_fold_idx');
      expect(onLessons.map((node) => node['Index Name'])).not.toContain('lessons_word_vector_idx');
    });

    it('the category autocomplete and a search’s category filter in a library of 100,000 categories: their own table, never lessons; a rare name through the trigram index', async () => {
      // Until 2026-12-08 they read every category from lessons (a probe of lessons_category_date_idx per category:
      // ~170 ms at 10,000 categories, 0.9–1.7 s at 50,000 to 100,000). Rolled back: the seed's two categories after.
      const categories = 100_000;
      const { database, library } = seed();
      const names = ['nhk', 'easy-news', 'World', 'Business', 'Sports', 'Science', 'Culture', 'ΕΙΔΗΣΕΙΣ', 'ニュース', 'Politics'];
      /** Rare in the table: read through the trigram index, a small part of it. The others match many names, or hold no trigram. */
      const rare = ['ORLD 4321', 'ld 99999', 'qqq', 'ειδησεις 777', 'world 4322'];
      const { reads, found, filtered, refusal } = await rolledBack(database.db, async (trx) => {
        await sql`insert into lesson_categories (name, lessons)
          select (${names}::text[])[1 + i % 10] || ' ' || i, 1 from generate_series(1, ${categories}) as i`.execute(trx);
        await sql`analyze lesson_categories`.execute(trx);
        const recorder = recordQueries(trx);
        const { services } = contextOver(recorder.db, trx);
        const reads: { typed: string; source: string | undefined; nodes: Awaited<ReturnType<typeof planNodes>> }[] = [];
        const explain = async (typed: string) => {
          for (const { query, sources } of recorder.take()) {
            if (!sources.some((source) => /^lesson-search\.(categoriesContaining|categoriesNamed|libraryCategories)$/u.test(source))) continue;
            reads.push({ typed, source: sources.at(-1), nodes: await planNodes(trx, query, { analyze: true }) });
          }
        };
        for (const typed of ['', 'r', 'gi', 'nhk', ...rare.slice(0, 4)]) {
          await services.discovery.categoryChoices(typed);
          await explain(typed);
        }
        const found = (await services.discovery.categoryChoices('ORLD 43212')).map((choice) => choice.value);
        recorder.take();
        const filtered = await services.discovery.search(library.topicWord, 'world 4322').then(() => 'searched', (error: Error) => error.message);
        await explain('world 4322');
        await services.discovery.search(library.topicWord, 'NHK');
        const refusal = await services.discovery.search(library.topicWord, 'sports').then(() => '', (error: Error) => error.message);
        await explain('NHK');
        return { reads, found, filtered, refusal };
      });
      expect(new Set(reads.map((read) => read.source))).toEqual(
        new Set(['lesson-search.categoriesContaining', 'lesson-search.categoriesNamed', 'lesson-search.libraryCategories']),
      );
      const wrong = [];
      for (const { typed, source, nodes } of reads) {
        let read = 0;
        for (const { node } of nodes) {
          if (node['Relation Name'] === 'lessons' || node['Index Name']?.startsWith('lessons_')) wrong.push({ typed, source, reads: 'lessons' });
          if (node['Relation Name'] !== 'lesson_categories') continue;
          read += ((node['Actual Rows'] ?? 0) + (node['Rows Removed by Filter'] ?? 0) + (node['Rows Removed by Index Recheck'] ?? 0)) * (node['Actual Loops'] ?? 1);
        }
        const byTrigrams = nodes.some(({ node }) => node['Index Name'] === 'lesson_categories_name_trgm_idx');
        // A rare name: a tenth of the table at most (its trigrams' candidates), by the index. Any other: the table at
        // most once for each group (those starting with the text, then those containing it).
        if (rare.includes(typed) && source !== 'lesson-search.libraryCategories' && (!byTrigrams || read > categories / 10)) wrong.push({ typed, source, read, byTrigrams });
        if (read > 2 * categories + 200) wrong.push({ typed, source, read });
      }
      expect(wrong, 'reads of lessons; of lesson_categories past its bound').toEqual([]);
      expect(found).toEqual(['World 43212']);
      expect(filtered).toBe('searched');
      expect(refusal).toMatch(/^There is no category `sports`\. The library has: `Business /u);
    });

    it('/lesson search for words in a large share of the library: a page ranks only their newest matches, read in date order until enough match', async () => {
      // Until 2026-12-07 every match was read and ranked: "said", in a third of 100,000 lessons' titles or summaries,
      // read the whole table (25,000 buffers, 140–300 ms a page); four common words together ranked the articles of
      // 59,000 lessons (1–1.7 s).
      const { database, library } = seed();
      const five = library.commonWords.join(' ');
      const inHead = await sql<{ n: number }>`
        select count(*)::int as n from lessons where head_vector @@ to_tsquery('newsdesk_english', ${searchTsQuery(five) ?? ''})`.execute(database.db);
      const headMatches = inHead.rows[0]?.n ?? 0;
      // The five together: fewer titles or summaries than are ranked, and more articles (the article-only tier bounded).
      expect(headMatches).toBeGreaterThan(0);
      expect(headMatches).toBeLessThan(SEARCH_CANDIDATES);
      const lastPage = SEARCH_CANDIDATES / SEARCH_PAGE_SIZE;
      const { pages, reads } = await rolledBack(database.db, async (trx) => {
        const recorder = recordQueries(trx);
        const { services } = contextOver(recorder.db, trx);
        const pages = [
          await services.discovery.search(library.commonWord, undefined),
          await services.discovery.search(library.commonWord, undefined, 2),
          await services.discovery.search(library.commonWord, undefined, lastPage),
          await services.discovery.search(library.commonWord, 'NHK'),
          // A page past the title and summary matches.
          await services.discovery.search(five, undefined, Math.floor(headMatches / SEARCH_PAGE_SIZE) + 2),
        ];
        const reads = [];
        for (const { query, sources } of recorder.take()) {
          if (!sources.some((source) => ['lesson-search.searchTitleOrSummary', 'lesson-search.searchArticleOnly'].includes(source))) continue;
          reads.push({ sources, nodes: await planNodes(trx, query, { analyze: true }) });
        }
        return { pages, reads };
      });
      expect(reads.length).toBeGreaterThanOrEqual(pages.length);
      const overreads = [];
      for (const { sources, nodes } of reads) {
        const ranked = sources.includes('lesson-search.searchArticleOnly') ? ARTICLE_CANDIDATES : SEARCH_CANDIDATES;
        for (const { node } of nodes.filter(({ node }) => node['Relation Name'] === 'lessons')) {
          const loops = node['Actual Loops'] ?? 1;
          const handed = (node['Actual Rows'] ?? 0) * loops;
          const read = handed + ((node['Rows Removed by Filter'] ?? 0) + (node['Rows Removed by Index Recheck'] ?? 0)) * loops;
          // Only the candidates go on to be ranked (and one more: whether more match), and the library is never read whole.
          if (node['Node Type'] === 'Seq Scan' || handed > ranked + 1 || read >= PLAN_LIBRARY.lessons / 2) {
            overreads.push({ source: sources.at(-1), node: node['Node Type'], index: node['Index Name'], handed, read });
          }
        }
      }
      expect(overreads, 'scans of lessons handing on more than the candidates, or reading half the library').toEqual([]);
      // Each page says more match than are ranked; the second follows the first; the last is the 1,000th.
      expect(pages.map((page) => page.bound?.tier)).toEqual(['head', 'head', 'head', 'head', 'article']);
      expect(pages.map((page) => page.results.length)).toEqual([5, 5, 5, 5, 5]);
      expect(new Set(pages.slice(0, 2).flatMap((page) => page.results.map((lesson) => lesson.id))).size).toBe(10);
      expect(pages[2]?.hasNext).toBe(false);
    });

    it('the vocabulary catch-up walks the library through a covering index, not the lessons’ rows (a vacuumed table)', async () => {
      const { database } = seed();
      // What autovacuum or the bot's table upkeep does after a bulk insert: the visibility map an index-only scan needs.
      await sql`vacuum (analyze) lessons`.execute(database.db);
      const recorder = recordQueries(database.db);
      await lessonsNeedingVocabulary(recorder.db, { lexiconVersion: lexiconVersion(), after: lessonId(5000), window: 250 });
      const [window] = recorder.take();
      if (!window) throw new Error('lessonsNeedingVocabulary sent no query');
      const onLessons = (await planNodes(database.db, window.query)).filter(({ node }) => node['Relation Name'] === 'lessons');
      expect(onLessons.map(({ node }) => [node['Node Type'], node['Index Name']])).toEqual([['Index Only Scan', 'lessons_id_content_hash_idx']]);
    });

    it('an import’s backward step reading every stored title: by primary key, each title scored against its own candidates by id', async () => {
      let newLessonId = '';
      const { recorded, scans, plans } = await rolledBack(seed().database.db, async (trx) => {
        const lessons = await importBatch(trx);
        newLessonId = lessons[0]?.id ?? '';
        await upsertLessons(trx, lessons.slice(0, 1));
        const recorder = recordQueries(trx);
        await linkSimilarReadings(recorder.db, [newLessonId], [], { backward: { filterUpToLexemes: 0, titlesPage: 5_000 } });
        const taken = recorder.take();
        // The queue's statements planned as they ran (plansAsRun), after the scans' check.
        const found = await seqScans(trx, taken.filter((query) => !query.query.sql.includes('headline_match_queue q')));
        return { recorded: taken, scans: found, plans: await plansAsRun(trx, taken) };
      });
      expect(scans.filter((scan) => scan.tolerated === undefined)).toEqual([]);
      const pages = recorded.filter((query) => query.sources.includes('headline-matching.storedTitlesPage'));
      // The library's ~40,000 titles, 5,000 a page: every one read, without a filter.
      expect(pages.length).toBeGreaterThan(5);
      expect(pages.every((page) => !page.query.sql.includes('&&'))).toBe(true);
      // On PostgreSQL the titles go through the queue parallel workers share (its rows by its own key); on PGlite, one statement.
      const byId = plans.filter((plan) => plan.sql.includes('unnest(q.only_ids)') || plan.sql.includes('hl.only_ids) offset 0'));
      expect(byId.length).toBeGreaterThan(0);
      for (const { nodes } of byId) {
        expect(nodes.filter(({ node }) => node['Node Type'] === 'Seq Scan' && (INDEXED_TABLES as readonly string[]).includes(String(node['Relation Name'])))).toEqual([]);
        const indexes = nodes.flatMap(({ node }) => (node['Index Name'] ? [String(node['Index Name'])] : [])).filter((name) => !name.startsWith('headline_match_queue'));
        // The new lesson's candidates by id (the primary key or the id-and-hash index), never the whole library's
        // through the head_vector index.
        expect(indexes.length).toBeGreaterThan(0);
        expect(indexes.filter((name) => !['lessons_pkey', 'lessons_id_content_hash_idx'].includes(name))).toEqual([]);
      }
    });

    it('an import’s titles matched against the whole library are shared among PostgreSQL’s parallel workers, each by the head_vector index', async () => {
      const { database } = seed();
      const ids = (await sql<{ id: string }>`select id from lessons order by id limit 250`.execute(database.db)).rows.map((row) => row.id);
      const plans = await rolledBack(database.db, async (trx) => {
        const recorder = recordQueries(trx);
        // parallel: as in a library of PARALLEL_MATCHING_FROM_LESSONS (this one has 10,000).
        await linkSimilarReadings(recorder.db, ids, [], { parallel: true });
        return plansAsRun(trx, recorder.take());
      });
      const queued = plans.filter((plan) => plan.sql.includes('headline_match_queue q'));
      // By default, a library under PARALLEL_MATCHING_FROM_LESSONS (this one) matches in one backend.
      const byDefault = await rolledBack(database.db, async (trx) => {
        const recorder = recordQueries(trx);
        await linkSimilarReadings(recorder.db, ids.slice(0, 20), []);
        return recorder.take();
      });
      expect(PLAN_LIBRARY.lessons).toBeLessThan(PARALLEL_MATCHING_FROM_LESSONS);
      expect(byDefault.filter((query) => query.query.sql.includes('headline_match_queue'))).toEqual([]);
      if (target.kind !== 'postgres') {
        // PGlite runs no worker processes: the titles go in one statement each, as parameters, never to the queue.
        expect(plans.length).toBeGreaterThan(0);
        expect(queued).toEqual([]);
        return;
      }
      // A statement of a few titles may run in one backend (the planner's choice); one of a batch's hundreds, in workers.
      const wholeLibrary = queued.filter((plan) => plan.sql.includes('headline_match_queue q join lessons l') && plan.queued >= 200);
      expect(wholeLibrary.length).toBeGreaterThan(0);
      for (const { nodes } of queued) {
        // Never a table of the library read whole.
        expect(nodes.filter(({ node }) => node['Node Type'] === 'Seq Scan' && (INDEXED_TABLES as readonly string[]).includes(String(node['Relation Name'])))).toEqual([]);
      }
      for (const { nodes } of wholeLibrary) {
        const queueScans = nodes.filter(({ node }) => node['Relation Name'] === 'headline_match_queue');
        // The queue is split among the workers (a parallel scan under a Gather); each title's candidates come
        // from the head_vector index.
        expect(queueScans.map(({ node }) => [node['Node Type'], (node as unknown as Record<string, unknown>)['Parallel Aware']])).toContainEqual(['Seq Scan', true]);
        expect(nodes.map(({ node }) => node['Node Type'])).toContain('Gather');
        expect(nodes.filter(({ node }) => node['Index Name'] === 'lessons_head_vector_idx').length).toBeGreaterThan(0);
      }
    });

    it('without its indexes, /progress reads reading_events whole: the check fails then', async () => {
      const progress = COMMAND_PATHS.find((entry) => entry.path.startsWith('/progress'));
      if (!progress) throw new Error('no /progress path');
      const { scans } = await explainPath(progress, async (trx) => {
        await sql`drop index reading_events_member_idx`.execute(trx);
        await sql`drop index reading_events_user_idx`.execute(trx);
      });
      expect(scans).toContainEqual(expect.objectContaining({ table: 'reading_events', sources: ['progress.memberProgressRows'] }));
    });

    it('a tolerated scan is tolerated only as listed: autocomplete reading lessons whole (no limit) fails', async () => {
      const { database } = seed();
      const query = sql`select id from lessons where word_vector @@ to_tsquery('newsdesk_words', 'ka:*')`.compile(database.db);
      const scans = await seqScans(database.db, [{ query, sources: ['lesson-search.autocompleteLessons'] }]);
      expect(scans.map((scan) => [scan.table, scan.tolerated])).toEqual([['lessons', undefined]]);
    });

    for (const entry of COMMAND_PATHS) {
      it(entry.path, async () => {
        const { recorded, scans } = await explainPath(entry);
        // Helpers of a module (countUnreadPosted) are not listed: only its exported functions.
        const exported = new Set([...(await queryFunctions()).values()].flat());
        const ran = [...new Set(recorded.flatMap((query) => query.sources))].filter((name) => exported.has(name));
        expect(ran.sort(), 'the query functions this path runs (keep its list exact)').toEqual([...entry.queries].sort());
        expect(
          scans.filter((scan) => scan.tolerated === undefined),
          'sequential scans (table, query function, SQL)',
        ).toEqual([]);
      });
    }
  });
});
