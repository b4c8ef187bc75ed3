import type { APIEmbed } from 'discord.js';
import type { LeaderboardEntry } from '../db/progress.js';
import type { ReplyPayload } from '../discord/reply.js';
import type { Leaderboard, LeaderboardPeriod } from './leaderboard.js';

const NUMBER = new Intl.NumberFormat('en-US');
const MEDALS = ['🥇', '🥈', '🥉'];
export const PERIOD_LABEL: Record<LeaderboardPeriod, string> = {
  week: 'last 7 days',
  month: 'last 30 days',
  all: 'all time',
};

/** "Nobody has read a lesson here …": in the last 7 days yet, or yet at all (not "in the all time"). */
const EMPTY_PERIOD: Record<LeaderboardPeriod, string> = {
  week: 'in the last 7 days yet',
  month: 'in the last 30 days yet',
  all: 'yet',
};

function line(entry: LeaderboardEntry, callerId: string | null): string {
  const place = MEDALS[entry.rank - 1] ?? `\`${entry.rank}.\``;
  const lessons = `${NUMBER.format(entry.lessonsRead)} lesson${entry.lessonsRead === 1 ? '' : 's'}`;
  const you = entry.userId === callerId ? ' ← you' : '';
  // A user mention shows the member's name; replies set allowed_mentions to none, so it pings nobody.
  return `${place} <@${entry.userId}> — **${lessons}** · ${NUMBER.format(entry.wordsRead)} words${you}`;
}

/**
 * The server's top 10 for a period, the caller's own rank below it when outside, mentions that ping nobody. A shared
 * board (`share:true`) is read by everyone in the channel: it marks nobody "← you" and tells nobody "You are hidden"
 * (until 2026-12-07 every reader saw the sharer's line marked "← you").
 */
export function renderLeaderboard(board: Leaderboard, callerId: string, options: { shared?: boolean } = {}): ReplyPayload {
  const shared = options.shared === true;
  const marked = shared ? null : callerId;
  const lines = board.top.map((entry) => line(entry, marked));
  if (board.callerOutsideTop) lines.push('…', line(board.callerOutsideTop, marked));
  if (lines.length === 0) lines.push(`Nobody has read a lesson here ${EMPTY_PERIOD[board.period]}. Be the first: \`/lesson today\`.`);
  const footer = board.callerHidden && !shared
    ? 'You are hidden from leaderboards. /settings leaderboard visible:true to join.'
    : 'Ranked by lessons read, then words read. /settings leaderboard visible:false to leave the board.';
  const embed: APIEmbed = {
    title: `📚 Leaderboard · ${PERIOD_LABEL[board.period]}`,
    description: lines.join('\n'),
    footer: { text: footer },
  };
  return { embeds: [embed] };
}
