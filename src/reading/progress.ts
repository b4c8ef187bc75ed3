import { memberProgressRows, memberReadingDays, type LessonRead } from '../db/progress.js';
import { streaks, today } from '../domain/progress/streaks.js';
import { isValidTimeZone, localDate } from '../domain/schedule/index.js';
import type { ReadingDeps } from './deps.js';
import type { ZoneSource } from './zone.js';

/** How many lessons `/progress` lists. */
export const RECENT_LESSONS = 10;

export interface RecentLesson {
  readonly lessonId: string;
  readonly title: string;
  /** The member's local date of their latest read of it. */
  readonly localDate: string;
}

/**
 * An extra part of the progress view (a later feature's figures, such as vocabulary or quizzes): a
 * title and plain-text lines (the view escapes them). `private` sections are shown only to the member.
 */
export interface ProgressSection {
  readonly title: string;
  readonly lines: readonly string[];
  readonly private: boolean;
}

export interface ProgressContext {
  readonly deps: ReadingDeps;
  readonly guildId: string;
  readonly userId: string;
  /** The member's zone, for any date a section shows. */
  readonly zone: string;
  /** True when the member asks about themselves. */
  readonly self: boolean;
}

/** A feature that adds a section to `/progress` registers one of these; null means nothing to show. */
export type ProgressSectionSource = (context: ProgressContext) => Promise<ProgressSection | null>;

export interface ProgressReport {
  readonly userId: string;
  readonly self: boolean;
  readonly zone: string;
  readonly zoneSource: ZoneSource;
  readonly today: string;
  readonly lessonsRead: number;
  readonly wordsRead: number;
  readonly currentStreak: number;
  /** Frozen days inside the current streak, newest first. */
  readonly frozenDays: readonly string[];
  readonly bestStreak: number;
  /** Only for the member themselves. */
  readonly readingDaysLast7: number | null;
  readonly recent: readonly RecentLesson[] | null;
  readonly sections: readonly ProgressSection[];
}

export type ProgressAnswer = { readonly kind: 'report'; readonly report: ProgressReport } | { readonly kind: 'hidden' };

/**
 * A member's progress in one server. About oneself: everything. About another member: only counts and
 * streaks (and sections marked public), and nothing at all if that member hid themselves.
 */
export async function memberProgress(
  deps: ReadingDeps,
  request: { guildId: string; userId: string; askedBy: string },
  sources: readonly ProgressSectionSource[] = [],
): Promise<ProgressAnswer> {
  const self = request.userId === request.askedBy;
  // One statement: the zone and the reading days in it, the totals, and (about oneself) the recent lessons.
  const inZone = await memberProgressRows(deps.db, request.guildId, request.userId, {
    recent: self ? RECENT_LESSONS : 0,
    daysOnlyIfVisible: !self,
  });
  if (!self && !inZone.leaderboardVisible) return { kind: 'hidden' };
  let { zone, days } = inZone;
  let localDateOf = (lesson: LessonRead) => lesson.lastReadLocalDate;
  let source: ZoneSource = inZone.memberZone !== null ? 'member' : inZone.serverZone !== null ? 'server' : 'utc';
  if (!isValidTimeZone(zone)) {
    // A stored zone this runtime no longer knows: count in the next one that it does.
    const fallback = inZone.memberZone !== null && inZone.serverZone !== null && isValidTimeZone(inZone.serverZone) ? inZone.serverZone : 'UTC';
    source = fallback === 'UTC' ? 'utc' : 'server';
    zone = fallback;
    days = await memberReadingDays(deps.db, request.guildId, request.userId, zone);
    localDateOf = (lesson) => localDate(lesson.lastReadAt, fallback);
  }

  const now = deps.now();
  const todayDate = today(now, zone);
  const walk = streaks(days, todayDate);
  const context: ProgressContext = { deps, guildId: request.guildId, userId: request.userId, zone, self };
  const sections = (await Promise.all(sources.map((section) => section(context)))).filter(
    (section): section is ProgressSection => section !== null && (self || !section.private),
  );
  return {
    kind: 'report',
    report: {
      userId: request.userId,
      self,
      zone,
      zoneSource: source,
      today: todayDate,
      lessonsRead: inZone.lessonsRead,
      wordsRead: inZone.wordsRead,
      currentStreak: walk.current.length,
      frozenDays: walk.current.frozenDays,
      bestStreak: walk.best,
      readingDaysLast7: self ? walk.readingDaysLast7 : null,
      recent: self ? inZone.recent.map((lesson) => ({ lessonId: lesson.lessonId, title: lesson.title, localDate: localDateOf(lesson) })) : null,
      sections,
    },
  };
}
