import { moveLeaderboardWindow, readBoard, type BoardSource, type LeaderboardEntry } from '../db/progress.js';
import type { ReadingDeps } from './deps.js';
import { retryIfAborted } from './retry.js';

export type LeaderboardPeriod = 'week' | 'month' | 'all';

export const LEADERBOARD_SIZE = 10;

/** The periods as rolling windows ending now: the last 7 or 30 days, or ever. */
export const PERIOD_DAYS = { week: 7, month: 30, all: null } as const satisfies Record<LeaderboardPeriod, number | null>;

/**
 * How far a window's stored boundary may lag behind (or run ahead of) the board asked for before the
 * board moves it: within this, a board is read in one statement that counts out the reads in between
 * (an hour of a server's reads); beyond it, the window is moved first (a short transaction).
 */
export const WINDOW_MAX_SHIFT_MS = 60 * 60_000;

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
 * Usually one statement; the first board of a period in a server, or one asked for more than an hour
 * after the last move of its window, moves the window first.
 */
export async function leaderboard(
  deps: ReadingDeps,
  request: { guildId: string; callerId: string; period: LeaderboardPeriod },
): Promise<Leaderboard> {
  const days = PERIOD_DAYS[request.period];
  const since = days === null ? null : new Date(deps.now().getTime() - days * 86_400_000);
  const source: BoardSource = days === null || since === null ? { kind: 'all' } : { kind: 'window', days, since, maxShiftMs: WINDOW_MAX_SHIFT_MS };
  const read = (db: ReadingDeps['db']) => readBoard(db, source, request.guildId, request.callerId, LEADERBOARD_SIZE);
  let board = await read(deps.db);
  if (!board.exact && source.kind === 'window') {
    board = await retryIfAborted(() =>
      deps.db.transaction().execute(async (trx) => {
        await moveLeaderboardWindow(trx, request.guildId, source.days, source.since);
        return read(trx);
      }),
    );
    if (!board.exact) throw new Error('leaderboard: the window was not at its boundary after moving it');
  }
  const inTop = board.top.some((entry) => entry.userId === request.callerId);
  return {
    period: request.period,
    since,
    top: board.top,
    callerOutsideTop: inTop ? null : board.caller,
    callerHidden: !board.callerVisible,
  };
}
