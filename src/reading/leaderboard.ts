import { moveLeaderboardWindow, rankedBoard, type LeaderboardEntry } from '../db/progress.js';
import type { ReadingDeps } from './deps.js';
import { memberZone } from './zone.js';

export type LeaderboardPeriod = 'week' | 'month' | 'all';

export const LEADERBOARD_SIZE = 10;

/** The periods as rolling windows ending now: the last 7 or 30 days, or ever. */
export const PERIOD_DAYS = { week: 7, month: 30, all: null } as const satisfies Record<LeaderboardPeriod, number | null>;

export interface Leaderboard {
  readonly period: LeaderboardPeriod;
  /** Start of the period (null: ever). */
  readonly since: Date | null;
  readonly top: readonly LeaderboardEntry[];
  /** The caller's entry when they are not in the top 10 but on the board. */
  readonly callerOutsideTop: LeaderboardEntry | null;
  /** The caller chose to be left out of leaderboards. */
  readonly callerHidden: boolean;
}

/**
 * A server's top 10 by lessons read in the period (ties: more words read first; equal on both share a
 * rank), without members who hid themselves, plus the caller's own rank when outside the top 10.
 */
export async function leaderboard(
  deps: ReadingDeps,
  request: { guildId: string; callerId: string; period: LeaderboardPeriod },
): Promise<Leaderboard> {
  const days = PERIOD_DAYS[request.period];
  const since = days === null ? null : new Date(deps.now().getTime() - days * 86_400_000);
  const [rows, caller] = await Promise.all([
    days === null
      ? rankedBoard(deps.db, { kind: 'all' }, request.guildId, request.callerId, LEADERBOARD_SIZE)
      : deps.db.transaction().execute(async (trx) => {
          await moveLeaderboardWindow(trx, request.guildId, days, since ?? new Date(0));
          return rankedBoard(trx, { kind: 'window', days }, request.guildId, request.callerId, LEADERBOARD_SIZE);
        }),
    memberZone(deps, request.guildId, request.callerId),
  ]);
  const inTop = rows.top.some((entry) => entry.userId === request.callerId);
  return {
    period: request.period,
    since,
    top: rows.top,
    callerOutsideTop: inTop ? null : rows.caller,
    callerHidden: !caller.leaderboardVisible,
  };
}
