import { IANAZone } from 'luxon';

// Names only. Offsets ("+05:30", "UTC+5", "GMT-3") are refused by their spelling, before the runtime is
// asked: Node 20 refuses them, newer engines accept some, luxon reads "UTC+5" as a fixed offset and
// Postgres reads it as POSIX (sign inverted). An offset has no DST rules, so a server would silently stop
// following its region's clock changes. Etc/GMT-5 (a real IANA name) remains for a fixed offset.
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+\-/]*$/u;
const OFFSET_LIKE = /^(?:UTC|GMT|UT)?\s*[+\-\u2212]|^(?:UTC|GMT|UT)\d/iu;

/**
 * The one time-zone check (config, import, schedules): an IANA name the runtime knows, case-insensitive,
 * links such as US/Eastern included; never an offset. The same answer on Node 20, 22 and 24.
 */
export function isValidTimeZone(zone: string): boolean {
  if (typeof zone !== 'string' || !ZONE_NAME.test(zone) || OFFSET_LIKE.test(zone)) return false;
  // Asking the runtime builds an Intl.DateTimeFormat (~0.3 ms): every /lesson today and every date in a
  // server's zone asked it again. The answer for a name does not change while the process runs.
  const known = zoneValidity.get(zone);
  if (known !== undefined) return known;
  const valid = IANAZone.isValidZone(zone);
  if (zoneValidity.size >= ZONE_VALIDITY_MAX) zoneValidity.clear();
  zoneValidity.set(zone, valid);
  return valid;
}

/** Zone names already checked (names people typed included, so bounded: ~600 zones exist). */
const zoneValidity = new Map<string, boolean>();
const ZONE_VALIDITY_MAX = 2_000;

/** The luxon zone for a name, or a RangeError: schedule arithmetic must never fall back to the host's zone. */
export function requireZone(zone: string): IANAZone {
  if (!isValidTimeZone(zone)) throw new RangeError(`Unknown time zone: "${zone}"`);
  return IANAZone.create(zone);
}

/**
 * The name to store for a zone a person typed: the runtime's spelling (`america/new_york` →
 * `America/New_York`, `GMT` → `UTC`), or null when it is not a zone.
 */
export function canonicalTimeZone(zone: string): string | null {
  if (!isValidTimeZone(zone)) return null;
  return currentName(new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone);
}

/**
 * ICU (Node 20) still calls some zones by names the IANA database has since replaced; people
 * search for Kolkata and Kyiv, not Calcutta and Kiev. Both spellings work everywhere (the old
 * ones are IANA links), so offer and store the current one.
 */
const CURRENT_NAMES: Readonly<Record<string, string>> = {
  'Africa/Asmera': 'Africa/Asmara',
  'America/Buenos_Aires': 'America/Argentina/Buenos_Aires',
  'America/Catamarca': 'America/Argentina/Catamarca',
  'America/Coral_Harbour': 'America/Atikokan',
  'America/Cordoba': 'America/Argentina/Cordoba',
  'America/Godthab': 'America/Nuuk',
  'America/Indianapolis': 'America/Indiana/Indianapolis',
  'America/Jujuy': 'America/Argentina/Jujuy',
  'America/Louisville': 'America/Kentucky/Louisville',
  'America/Mendoza': 'America/Argentina/Mendoza',
  'Asia/Calcutta': 'Asia/Kolkata',
  'Asia/Katmandu': 'Asia/Kathmandu',
  'Asia/Rangoon': 'Asia/Yangon',
  'Asia/Saigon': 'Asia/Ho_Chi_Minh',
  'Atlantic/Faeroe': 'Atlantic/Faroe',
  'Europe/Kiev': 'Europe/Kyiv',
  'Pacific/Enderbury': 'Pacific/Kanton',
  'Pacific/Ponape': 'Pacific/Pohnpei',
  'Pacific/Truk': 'Pacific/Chuuk',
};

function currentName(zone: string): string {
  const current = CURRENT_NAMES[zone];
  return current !== undefined && IANAZone.isValidZone(current) ? current : zone;
}

let zoneList: readonly string[] | undefined;

/** Every zone offered to people: the runtime's list under current names, plus UTC which it leaves out. */
export function allTimeZones(): readonly string[] {
  zoneList ??= [...new Set(['UTC', ...Intl.supportedValuesOf('timeZone').map(currentName)])];
  return zoneList;
}

/** Discord's autocomplete shows at most 25 choices. */
export const MAX_ZONE_SUGGESTIONS = 25;

/**
 * Zones matching what a person is typing, best first, for autocomplete. Case-insensitive; spaces
 * match underscores ("new york" → America/New_York). Ranking, ties alphabetical:
 * 0 the whole name or its city part equals the query, 1 the city part starts with it,
 * 2 the whole name starts with it ("america/"), 3 any part or word starts with it, 4 it occurs anywhere.
 */
export function searchTimeZones(query: string, limit: number = MAX_ZONE_SUGGESTIONS): string[] {
  const needle = query.trim().toLowerCase().replace(/\s+/gu, '_');
  if (needle === '') return allTimeZones().slice(0, Math.max(0, limit));
  const ranked: { zone: string; rank: number }[] = [];
  for (const zone of allTimeZones()) {
    const rank = matchRank(zone.toLowerCase(), needle);
    if (rank !== null) ranked.push({ zone, rank });
  }
  ranked.sort((a, b) => a.rank - b.rank || (a.zone < b.zone ? -1 : a.zone > b.zone ? 1 : 0));
  return ranked.slice(0, Math.max(0, limit)).map((entry) => entry.zone);
}

function matchRank(name: string, needle: string): number | null {
  const city = name.slice(name.lastIndexOf('/') + 1);
  if (name === needle || city === needle) return 0;
  if (city.startsWith(needle)) return 1;
  if (name.startsWith(needle)) return 2;
  if (name.split(/[/_-]/u).some((word) => word.startsWith(needle))) return 3;
  if (name.includes(needle)) return 4;
  return null;
}
