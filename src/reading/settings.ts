import { saveLeaderboardVisible, saveMemberTimeZone } from '../db/progress.js';
import { clip, safeText } from '../domain/discord-format/index.js';
import { abbreviationAdvice, canonicalTimeZone, searchTimeZones } from '../domain/schedule/index.js';
import { UserError } from '../user-error.js';
import type { ReadingDeps } from './deps.js';

/** Autocomplete value that clears the member's own zone (the server's zone, or UTC, applies again). */
export const SERVER_ZONE_CHOICE = 'server-default';

/**
 * Sets the member's time zone from what they typed or picked; `server-default` clears it. Returns the
 * stored zone (null when cleared). An unknown zone is the member's mistake, explained, and nothing changes.
 */
export async function setMemberTimeZone(deps: ReadingDeps, userId: string, input: string): Promise<string | null> {
  const wanted = input.trim();
  if (meansServerZone(wanted)) {
    await saveMemberTimeZone(deps.db, userId, null, deps.now());
    return null;
  }
  const zone = canonicalTimeZone(wanted);
  if (zone === null) {
    throw new UserError(
      abbreviationAdvice(wanted) ??
        `"${clip(safeText(wanted), 60)}" is not a time zone I know. Pick one from the list, such as \`Europe/Paris\` or \`America/New_York\`.`,
    );
  }
  await saveMemberTimeZone(deps.db, userId, zone, deps.now());
  return zone;
}

/**
 * The choice's value, or its name typed out rather than picked (Discord then sends the text as typed):
 * "Server default", in any case, with or without the rest of the name shown in the list.
 */
function meansServerZone(wanted: string): boolean {
  const text = wanted.toLowerCase().replace(/\s+/gu, ' ');
  return text === SERVER_ZONE_CHOICE || text === 'server default' || text.startsWith('server default (');
}

export async function setLeaderboardVisible(deps: ReadingDeps, userId: string, visible: boolean): Promise<void> {
  await saveLeaderboardVisible(deps.db, userId, visible, deps.now());
}

/** Autocomplete: matching zones, with the way back to the server's zone offered first when nothing is typed. */
export function timeZoneSuggestions(typed: string): { name: string; value: string }[] {
  const zones = searchTimeZones(typed);
  const reset = typed.trim() === '' || 'server default'.startsWith(typed.trim().toLowerCase());
  const choices = zones.map((zone) => ({ name: zone, value: zone }));
  return (reset ? [{ name: 'Server default (the schedule’s zone, else UTC)', value: SERVER_ZONE_CHOICE }, ...choices] : choices).slice(0, 25);
}
