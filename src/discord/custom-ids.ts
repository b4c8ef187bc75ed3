import { CUSTOM_ID_MAX } from '../domain/discord-format/limits.js';

/**
 * Custom ids are `<prefix>:<rest>`: the prefix names the command module whose buttons they are (the
 * router sends a click to the module declaring that prefix, and refuses two modules with one prefix);
 * the rest is the module's own encoding, carrying everything a click needs so it works after restarts.
 *
 * Prefixes in use (keep them short: Discord allows 100 characters in all):
 * - `l`: lesson buttons (commands/lesson.ts, encoded by src/domain/discord-format/custom-id.ts), and the
 *   catch-up list's buttons (`l:o:…`, `l:k:…`, src/domain/progress/catchup-ids.ts)
 * - `pv`: /privacy forget-me confirm and cancel (commands/privacy.ts, src/domain/progress/privacy-ids.ts)
 */
export function customIdPrefix(customId: string): string {
  const colon = customId.indexOf(':');
  return colon === -1 ? customId : customId.slice(0, colon);
}

/** A custom id from a prefix and parts (none may contain `:`); throws past Discord's 100 characters: that is a bug. */
export function joinCustomId(prefix: string, ...parts: readonly (string | number)[]): string {
  const all = [prefix, ...parts.map(String)];
  if (all.some((part) => part.includes(':'))) throw new RangeError(`custom id parts may not contain ":": ${all.join(' ')}`);
  const id = all.join(':');
  if (id.length > CUSTOM_ID_MAX) throw new RangeError(`custom_id too long: ${id.length}`);
  return id;
}

/** The parts after the prefix, or null when the id has another prefix. */
export function splitCustomId(customId: string, prefix: string): string[] | null {
  const parts = customId.split(':');
  return parts[0] === prefix ? parts.slice(1) : null;
}
