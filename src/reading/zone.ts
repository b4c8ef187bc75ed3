import { zoneChoices } from '../db/progress.js';
import { isValidTimeZone } from '../domain/schedule/index.js';
import type { ReadingDeps } from './deps.js';

export type ZoneSource = 'member' | 'server' | 'utc';

export interface MemberZone {
  readonly zone: string;
  /** Where it came from: the member's `/settings timezone`, the server's schedule, or neither (UTC). */
  readonly source: ZoneSource;
  readonly leaderboardVisible: boolean;
}

/** The zone a member's reading days are counted in: their own, else the server's schedule zone, else UTC. */
export async function memberZone(deps: ReadingDeps, guildId: string, userId: string): Promise<MemberZone> {
  const choices = await zoneChoices(deps.db, guildId, userId);
  const visible = choices.leaderboardVisible;
  // A stored zone the runtime no longer knows is skipped rather than failing the member's commands.
  if (choices.memberZone && isValidTimeZone(choices.memberZone)) return { zone: choices.memberZone, source: 'member', leaderboardVisible: visible };
  if (choices.serverZone && isValidTimeZone(choices.serverZone)) return { zone: choices.serverZone, source: 'server', leaderboardVisible: visible };
  return { zone: 'UTC', source: 'utc', leaderboardVisible: visible };
}
