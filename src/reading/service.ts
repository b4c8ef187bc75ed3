import { UserError } from '../user-error.js';
import type { LibraryLessonHead } from '../db/lessons.js';
import { lessonReadersInGuild, mostReadLessons } from '../db/progress.js';
import { recordOpening, recordReading, type ReadOutcome } from '../db/reading.js';
import type { ReadingKind } from '../db/schema.js';
import { catchup } from './catchup.js';
import type { ReadingDeps } from './deps.js';
import { leaderboard, type LeaderboardPeriod } from './leaderboard.js';
import { CANCELLED, confirmForget, exportMember, forgetConfirmationExpiry, memberExportFile, type ForgetDecision } from './privacy.js';
import { memberProgress, type ProgressSectionSource } from './progress.js';
import { retryIfAborted } from './retry.js';
import { setLeaderboardVisible, setMemberTimeZone, timeZoneSuggestions } from './settings.js';

export type { ReadingDeps } from './deps.js';

/** A member of a server: reads are counted per server member. */
export interface Member {
  readonly guildId: string;
  readonly userId: string;
}

export type ReadingService = ReturnType<typeof createReadingService>;

/**
 * Who read what. Opening the dialogue or the article counts as reading; "Mark as read" finishes it.
 * Also what members get back from it: progress and streaks, the leaderboard, catch-up, their settings,
 * and their data (export, forget-me).
 */
export const EXPORT_UNDER_WAY = 'Your data is being exported already: it arrives with the answer to your first `/privacy export`.';

export function createReadingService(deps: ReadingDeps) {
  /** One transaction: the event, the member's row and the lesson's counters move together. */
  function record(member: Member, stored: LibraryLessonHead, kind: ReadingKind): Promise<ReadOutcome> {
    const event = { lessonId: stored.lesson.id, guildId: member.guildId, userId: member.userId, kind, at: deps.now() };
    return retryIfAborted(() => deps.db.transaction().execute((trx) => recordReading(trx, event)));
  }
  /**
   * Forget-me decisions by confirmation (member and expiry), kept until the confirmation expires: its deletion, or
   * that it was cancelled. Delete and Cancel are one message's buttons: clicked together (two interactions), the
   * first to arrive decides and the other is answered with that decision, so the message never says "Cancelled"
   * over a deletion, nor lists a deletion after "Cancelled".
   */
  const decisions = new Map<string, { readonly expiresAt: number; readonly decided: Promise<ForgetDecision> }>();
  /** Members whose export is being made: one at a time each (a long history's export is seconds of work). */
  const exporting = new Set<string>();

  /**
   * A confirmation is its message (`confirmation`, the id of the message its buttons sit on): two asked within the
   * same second share an expiry, and Cancel on one must not answer Delete on the other.
   */
  function decisionOf(userId: string, expiresAt: number, confirmation: string): { key: string; known: Promise<ForgetDecision> | undefined } {
    const nowSeconds = deps.now().getTime() / 1000;
    for (const [key, entry] of decisions) if (entry.expiresAt < nowSeconds) decisions.delete(key);
    const key = `${userId}:${expiresAt}:${confirmation}`;
    return { key, known: decisions.get(key)?.decided };
  }

  /**
   * One confirmation, one deletion: every click of its button (a double click, whose second click Discord delivers
   * as a second interaction) is answered with the same outcome. Alone, the second click found nothing left and
   * its edit replaced the list of what the first had deleted with "Nothing to delete". A confirmation's button
   * is gone from the message once answered, so nothing newer can be waiting for a later click of it.
   */
  function forgetOnce(userId: string, expiresAt: number, confirmation: string): Promise<ForgetDecision> {
    const { key, known } = decisionOf(userId, expiresAt, confirmation);
    if (known) return known;
    const decided = confirmForget(deps, userId, expiresAt).then((outcome): ForgetDecision => ({ cancelled: false, outcome }));
    decisions.set(key, { expiresAt, decided });
    // A failed deletion (expired, the database down) is not remembered: the member may try again.
    decided.catch(() => decisions.delete(key));
    return decided;
  }

  /** Cancel: nothing is deleted unless Delete of the same confirmation came first (then its outcome). */
  function cancelForget(userId: string, expiresAt: number | undefined, confirmation: string): Promise<ForgetDecision> {
    if (expiresAt === undefined) return Promise.resolve(CANCELLED);
    const { key, known } = decisionOf(userId, expiresAt, confirmation);
    if (known) return known;
    const decided = Promise.resolve(CANCELLED);
    decisions.set(key, { expiresAt, decided });
    return decided;
  }

  return {
    /** Opening a part: one statement (no transaction round trips; there is no "first finish" to decide). */
    opened: (member: Member, stored: LibraryLessonHead, part: 'dialogue' | 'article') => {
      const event = { lessonId: stored.lesson.id, guildId: member.guildId, userId: member.userId, kind: part, at: deps.now() };
      return retryIfAborted(() => recordOpening(deps.db, event));
    },
    finished: (member: Member, stored: LibraryLessonHead) => record(member, stored, 'finished'),
    /** A lesson's readers in this server and when it was last read there (the card). */
    readersInGuild: (lessonId: string, guildId: string) => lessonReadersInGuild(deps.db, lessonId, guildId),
    progress: (request: { guildId: string; userId: string; askedBy: string }, sections: readonly ProgressSectionSource[] = []) =>
      memberProgress(deps, request, sections),
    leaderboard: (request: { guildId: string; callerId: string; period: LeaderboardPeriod }) => leaderboard(deps, request),
    catchup: (request: Parameters<typeof catchup>[1]) => catchup(deps, request),
    setTimeZone: (userId: string, zone: string) => setMemberTimeZone(deps, userId, zone),
    setLeaderboardVisible: (userId: string, visible: boolean) => setLeaderboardVisible(deps, userId, visible),
    timeZoneChoices: (typed: string) => timeZoneSuggestions(typed),
    exportMember: (userId: string) => exportMember(deps, userId),
    /** The export as one file of at most `maxBytes` (indented, on one line, or gzipped), or a UserError. */
    exportFile: async (userId: string, maxBytes: number) => {
      if (exporting.has(userId)) throw new UserError(EXPORT_UNDER_WAY);
      exporting.add(userId);
      try {
        return await memberExportFile(deps, userId, maxBytes);
      } finally {
        exporting.delete(userId);
      }
    },
    /** The most-read lessons (by members who read them), in one server or in all: `npm run lessons -- stats`. */
    mostRead: (options: { guildId?: string | undefined; limit: number }) => mostReadLessons(deps.db, options),
    forgetConfirmationExpiry: () => forgetConfirmationExpiry(deps),
    /** `confirmation`: the id of the message the buttons sit on (one confirmation, one decision). */
    confirmForget: (userId: string, expiresAt: number, confirmation = '') => forgetOnce(userId, expiresAt, confirmation),
    cancelForget: (userId: string, expiresAt: number | undefined, confirmation = '') => cancelForget(userId, expiresAt, confirmation),
  };
}
