import { IANAZone } from 'luxon';

// Names only. Offsets ("+05:30", "UTC+5", "GMT-3") are refused by their spelling, before the runtime is
// asked: Node 20 refuses them, newer engines accept some, luxon reads "UTC+5" as a fixed offset and
// Postgres reads it as POSIX (sign inverted). An offset has no DST rules, so a server would silently stop
// following its region's clock changes. Etc/GMT-5 (a real IANA name) remains for a fixed offset.
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+\-/]*$/u;
const OFFSET_LIKE = /^(?:UTC|GMT|UT)?\s*[+\-\u2212]|^(?:UTC|GMT|UT)\d/iu;
/**
 * `SystemV/EST5EDT` and its kind: gone from IANA's data since 2020b, still known to Node's ICU, and read by
 * PostgreSQL with other summer-time rules (an hour apart for 1,344 hours of 2026): the post went out an hour before
 * what `/schedule show` promised. Refused, as the runtime's legacy ids are.
 */
const DISAGREED = /^systemv\//iu;

/**
 * The one time-zone check (config, import, schedules): an IANA name the runtime knows, case-insensitive,
 * links such as US/Eastern included; never an offset. The same answer on Node 20, 22 and 24.
 */
export function isValidTimeZone(zone: string): boolean {
  if (typeof zone !== 'string' || !ZONE_NAME.test(zone) || OFFSET_LIKE.test(zone) || DISAGREED.test(zone)) return false;
  const key = zone.toLowerCase();
  if (knownZones.has(key)) return true;
  if (!IANAZone.isValidZone(zone)) return false;
  if (knownZones.size < MAX_KNOWN_ZONES) knownZones.add(key);
  return true;
}

/**
 * Zones already found valid (lower-cased: the check ignores case). luxon asks the runtime by building an
 * Intl.DateTimeFormat each time: tens of kilobytes of ICU memory outside the JavaScript heap, which the
 * garbage collector does not see and returns late; once per lesson file made a 10,000-file import grow
 * by ~300 MB. Bounded: there are about 600 zone names.
 */
const knownZones = new Set<string>();
const MAX_KNOWN_ZONES = 2000;

/** The luxon zone for a name, or a RangeError: schedule arithmetic must never fall back to the host's zone. */
export function requireZone(zone: string): IANAZone {
  if (!isValidTimeZone(zone)) throw new RangeError(`Unknown time zone: "${zone}"`);
  return IANAZone.create(zone);
}

/**
 * The name to store for a zone a person typed: the runtime's spelling (`america/new_york` →
 * `America/New_York`, `GMT` → `UTC`), the zone of an abbreviation that names one clock (`PST` →
 * `America/Los_Angeles`, `EST` → `America/New_York`), the zone of a city typed alone as autocomplete lists it first
 * (`Tokyo` → `Asia/Tokyo`, `new york`, `São Paulo`: `cityZone`), or null when it is not a zone or is an abbreviation of
 * several (`CST`, `IST`, `BST`: see `zonesAbbreviated`).
 */
export function canonicalTimeZone(typed: string): string | null {
  // Spaces around it are no part of it, as around a time or an abbreviation.
  const zone = typeof typed === 'string' ? typed.trim() : typed;
  const abbreviated = abbreviationOf(zone);
  if (abbreviated !== undefined) return abbreviated.length === 1 ? (abbreviated[0] ?? null) : null;
  if (!isValidTimeZone(zone)) return cityZone(zone);
  return currentName(new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone);
}

/**
 * The zones a typed abbreviation may mean (empty when it is not one this bot knows): what a refusal suggests
 * and what autocomplete offers first.
 */
export function zonesAbbreviated(typed: string): readonly string[] {
  return abbreviationOf(typed) ?? [];
}

/**
 * Why an abbreviation of several clocks was refused, with its zones to pick from; undefined for anything else.
 * Names only the abbreviation as this bot spells it (letters), never what was typed.
 */
export function abbreviationAdvice(typed: string): string | undefined {
  const zones = zonesAbbreviated(typed);
  if (zones.length < 2) return undefined;
  const listed = `${zones.slice(0, -1).join(', ')} or ${zones.at(-1) ?? ''}`;
  return `${typed.trim().toUpperCase()} is the abbreviation of more than one clock: pick the zone you mean, such as ${listed}.`;
}

function abbreviationOf(typed: string): readonly string[] | undefined {
  if (typeof typed !== 'string') return undefined;
  const key = typed.trim().toUpperCase();
  return Object.hasOwn(ABBREVIATIONS, key) ? ABBREVIATIONS[key] : undefined;
}

/**
 * Abbreviations people type for the clock of a place, and the zones that keep that clock, daylight saving
 * included. Read before the runtime is asked, because ICU takes several as zones of its own that are not what
 * people mean: `EST` is a fixed UTC−5 (America/Panama, never on summer time), `BST` Asia/Dhaka (not British
 * Summer Time), `AST` America/Anchorage (not Atlantic), `NST` Pacific/Auckland (not Newfoundland), `ECT`
 * Europe/Paris, `ART` Africa/Cairo, `SST` Pacific/Guadalcanal (people mean Samoa or Singapore). An
 * abbreviation of one clock is taken as its zone (the reply names it); one of several is refused with the
 * choices. ICU's other legacy three-letter ids (`ACT`, `CTT`, `PNT`…, Java's) are empty here: refused.
 */
const ABBREVIATIONS: Readonly<Record<string, readonly string[]>> = {
  EST: ['America/New_York'],
  EDT: ['America/New_York'],
  CST: ['America/Chicago', 'Asia/Shanghai', 'America/Havana'],
  CDT: ['America/Chicago'],
  MST: ['America/Denver', 'America/Phoenix'],
  MDT: ['America/Denver'],
  PST: ['America/Los_Angeles'],
  PDT: ['America/Los_Angeles'],
  AKST: ['America/Anchorage'],
  AKDT: ['America/Anchorage'],
  HST: ['Pacific/Honolulu'],
  AST: ['America/Halifax', 'Asia/Riyadh'],
  ADT: ['America/Halifax'],
  NST: ['America/St_Johns'],
  NDT: ['America/St_Johns'],
  BST: ['Europe/London', 'Asia/Dhaka'],
  IST: ['Asia/Kolkata', 'Europe/Dublin', 'Asia/Jerusalem'],
  CEST: ['Europe/Paris'],
  EEST: ['Europe/Athens'],
  WEST: ['Europe/Lisbon'],
  MSK: ['Europe/Moscow'],
  CAT: ['Africa/Maputo'],
  EAT: ['Africa/Nairobi'],
  WAT: ['Africa/Lagos'],
  SAST: ['Africa/Johannesburg'],
  JST: ['Asia/Tokyo'],
  KST: ['Asia/Seoul'],
  HKT: ['Asia/Hong_Kong'],
  SGT: ['Asia/Singapore'],
  PHT: ['Asia/Manila'],
  PKT: ['Asia/Karachi'],
  ICT: ['Asia/Bangkok'],
  WIB: ['Asia/Jakarta'],
  AEST: ['Australia/Sydney', 'Australia/Brisbane'],
  AEDT: ['Australia/Sydney'],
  ACST: ['Australia/Adelaide', 'Australia/Darwin'],
  ACDT: ['Australia/Adelaide'],
  AWST: ['Australia/Perth'],
  NZST: ['Pacific/Auckland'],
  NZDT: ['Pacific/Auckland'],
  BRT: ['America/Sao_Paulo'],
  ART: ['America/Argentina/Buenos_Aires'],
  SST: ['Pacific/Pago_Pago', 'Asia/Singapore'],
  ...Object.fromEntries(['ACT', 'AET', 'AGT', 'BET', 'CNT', 'CTT', 'ECT', 'IET', 'MIT', 'NET', 'PLT', 'PNT', 'PRT', 'VST'].map((id) => [id, []])),
};

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
 * Zones matching what a person is typing, best first, for autocomplete. Case- and accent-insensitive ("São Paulo",
 * "Zürich", "Bogotá": the zone names are written without accents, and until 2026-12-08 such a city typed as its people
 * spell it was offered nothing); spaces match underscores ("new york" → America/New_York). Ranking, ties alphabetical:
 * 0 the whole name or its city part equals the query, 1 the city part starts with it, then the zones of an
 * abbreviation it spells (`zonesAbbreviated`),
 * 2 the whole name starts with it ("america/"), 3 any part or word starts with it, 4 it occurs anywhere.
 */
export function searchTimeZones(query: string, limit: number = MAX_ZONE_SUGGESTIONS): string[] {
  const needle = withoutAccents(query.trim().toLowerCase()).replace(/\s+/gu, '_');
  if (needle === '') return allTimeZones().slice(0, Math.max(0, limit));
  // An abbreviation's zones ("pst" → America/Los_Angeles) right after the cities it begins ("ist": Istanbul,
  // then Kolkata, Dublin and Jerusalem; "cat": Catamarca, then Maputo), in their own order.
  const abbreviated = zonesAbbreviated(needle);
  const ranked: { zone: string; rank: number }[] = abbreviated.map((zone, i) => ({ zone, rank: 1.5 + i / 100 }));
  for (const zone of allTimeZones()) {
    if (abbreviated.includes(zone)) continue;
    const rank = matchRank(zone.toLowerCase(), needle);
    if (rank !== null) ranked.push({ zone, rank });
  }
  ranked.sort((a, b) => a.rank - b.rank || (a.zone < b.zone ? -1 : a.zone > b.zone ? 1 : 0));
  return ranked.slice(0, Math.max(0, limit)).map((entry) => entry.zone);
}

/**
 * The zone whose city `typed` names (case, accents, and spaces for underscores aside), as searchTimeZones ranks it
 * first: what a member sends who types "Tokyo" and presses Enter without picking `Asia/Tokyo` from the list (Discord
 * then sends the text as typed). Until 2026-12-08 that was "not a time zone I know". No two zones share a city name.
 */
function cityZone(typed: string): string | null {
  const city = withoutAccents(typed.toLowerCase()).replace(/\s+/gu, '_');
  if (city === '' || city.includes('/')) return null;
  return allTimeZones().find((zone) => zone.slice(zone.lastIndexOf('/') + 1).toLowerCase() === city) ?? null;
}

/** The letters without their accents (`são` → `sao`): IANA writes its zone names in ASCII. */
function withoutAccents(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '');
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
