import { describe, expect, it } from 'vitest';
import { IANAZone } from 'luxon';
import { abbreviationAdvice, allTimeZones, canonicalTimeZone, isValidTimeZone, searchTimeZones, zonesAbbreviated } from '../../../src/domain/schedule/time-zones.js';

describe('isValidTimeZone', () => {
  it.each(['UTC', 'America/New_York', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'Pacific/Kiritimati', 'US/Eastern'])('accepts %s', (zone) => {
    expect(isValidTimeZone(zone)).toBe(true);
  });

  // SystemV/*: Node's ICU knows them, PostgreSQL reads them with other summer-time rules (an hour apart half the year).
  it.each(['', 'Mars/Olympus_Mons', 'New York', '+05:30', 'UTC+1', '../etc/passwd', 'SystemV/EST5EDT', 'systemv/pst8pdt'])('rejects %j', (zone) => {
    expect(isValidTimeZone(zone)).toBe(false);
  });
});

describe('canonicalTimeZone', () => {
  it('returns the proper spelling of what a person typed', () => {
    expect(canonicalTimeZone('america/new_york')).toBe('America/New_York');
    expect(canonicalTimeZone('utc')).toBe('UTC');
    expect(canonicalTimeZone('Asia/Tokyo')).toBe('Asia/Tokyo');
  });

  it('takes a city typed alone, without picking its zone from the list, as that zone (as autocomplete lists it first)', () => {
    expect(canonicalTimeZone('Tokyo')).toBe('Asia/Tokyo');
    expect(canonicalTimeZone('new york')).toBe('America/New_York');
    expect(canonicalTimeZone(' Los Angeles ')).toBe('America/Los_Angeles');
    expect(canonicalTimeZone('São Paulo')).toBe('America/Sao_Paulo');
    expect(canonicalTimeZone('indianapolis')).toBe('America/Indiana/Indianapolis');
    for (const typed of ['Tokyo', 'new york', 'São Paulo']) expect(canonicalTimeZone(typed)).toBe(searchTimeZones(typed)[0]);
    // No two zones share a city name, so a city is never a guess between two.
    const cities = allTimeZones().map((zone) => zone.slice(zone.lastIndexOf('/') + 1).toLowerCase());
    expect(new Set(cities).size).toBe(cities.length);
    // Only a whole city: a start of one, a region, or an offset is still refused.
    for (const typed of ['Toky', 'Asia', 'Pacific', 'Eastern', 'UTC+9', 'Asia/Tokio']) expect(canonicalTimeZone(typed)).toBeNull();
  });

  it('returns null for something that is not a zone', () => {
    expect(canonicalTimeZone('nowhere')).toBeNull();
    expect(canonicalTimeZone('SystemV/EST5EDT')).toBeNull();
  });

  it('reads a name with spaces around it, as a time or an abbreviation is', () => {
    expect(canonicalTimeZone(' Europe/Berlin')).toBe('Europe/Berlin');
    expect(canonicalTimeZone('Europe/Berlin \t')).toBe('Europe/Berlin');
  });
});

describe('time-zone abbreviations a person types', () => {
  it('takes one naming a single clock as the zone that keeps it, daylight saving included, in any case', () => {
    // The runtime alone: EST a fixed UTC−5 (America/Panama), which never moves to summer time.
    expect(canonicalTimeZone('EST')).toBe('America/New_York');
    expect(canonicalTimeZone('edt')).toBe('America/New_York');
    expect(canonicalTimeZone(' pst ')).toBe('America/Los_Angeles');
    expect(canonicalTimeZone('JST')).toBe('Asia/Tokyo');
    expect(canonicalTimeZone('NZDT')).toBe('Pacific/Auckland');
  });

  it('reads what people mean where the runtime knows the letters as another place', () => {
    // ICU: NST Pacific/Auckland, ART Africa/Cairo, SST Pacific/Guadalcanal.
    expect(canonicalTimeZone('NST')).toBe('America/St_Johns');
    expect(canonicalTimeZone('ART')).toBe('America/Argentina/Buenos_Aires');
    expect(canonicalTimeZone('SST')).toBeNull();
    expect(abbreviationAdvice('SST')).toMatch(/Pacific\/Pago_Pago or Asia\/Singapore\.$/u);
  });

  it('refuses one of several clocks, and says which zones to pick from', () => {
    // ICU: BST Asia/Dhaka (not British Summer Time), AST America/Anchorage (not Atlantic), IST Asia/Kolkata.
    for (const typed of ['BST', 'AST', 'IST', 'CST', 'mst', 'AEST']) expect(canonicalTimeZone(typed)).toBeNull();
    expect(abbreviationAdvice('bst')).toBe('BST is the abbreviation of more than one clock: pick the zone you mean, such as Europe/London or Asia/Dhaka.');
    expect(abbreviationAdvice('IST')).toMatch(/Asia\/Kolkata, Europe\/Dublin or Asia\/Jerusalem\.$/u);
    expect(abbreviationAdvice('PST')).toBeUndefined();
    expect(abbreviationAdvice('Europe/Paris')).toBeUndefined();
  });

  it('refuses the runtime’s legacy three-letter ids that are no zone name (Java’s ECT is Paris there)', () => {
    for (const typed of ['ECT', 'CTT', 'PNT', 'ACT']) {
      expect(canonicalTimeZone(typed)).toBeNull();
      expect(abbreviationAdvice(typed)).toBeUndefined();
    }
  });

  it('offers an abbreviation’s zones in autocomplete, after the cities it begins', () => {
    expect(searchTimeZones('pst')[0]).toBe('America/Los_Angeles');
    expect(searchTimeZones('BST').slice(0, 2)).toEqual(['Europe/London', 'Asia/Dhaka']);
    expect(searchTimeZones('est')[0]).toBe('America/New_York');
    expect(new Set(searchTimeZones('est')).size).toBe(searchTimeZones('est').length);
    // A city it begins comes first: someone typing "ist" may mean Istanbul.
    expect(searchTimeZones('ist').slice(0, 4)).toEqual(['Europe/Istanbul', 'Asia/Kolkata', 'Europe/Dublin', 'Asia/Jerusalem']);
    expect(searchTimeZones('cat')[0]).toBe('America/Argentina/Catamarca');
    expect(searchTimeZones('cat')[1]).toBe('Africa/Maputo');
  });

  it('names only zones the runtime knows', () => {
    // Every abbreviation of the table: autocomplete offers their zones without asking the runtime each keystroke.
    const table = 'EST EDT CST CDT MST MDT PST PDT AKST AKDT HST AST ADT NST NDT BST IST CEST EEST WEST MSK CAT EAT WAT SAST JST KST HKT SGT PHT PKT ICT WIB AEST AEDT ACST ACDT AWST NZST NZDT BRT ART SST';
    for (const typed of table.split(' ')) {
      expect(zonesAbbreviated(typed).length).toBeGreaterThan(0);
      for (const zone of zonesAbbreviated(typed)) expect(IANAZone.isValidZone(zone)).toBe(true);
    }
  });
});

describe('searchTimeZones', () => {
  it('offers UTC, which the runtime list leaves out', () => {
    expect(allTimeZones()).toContain('UTC');
    expect(searchTimeZones('utc')[0]).toBe('UTC');
  });

  it('matches spaces to underscores, ignoring case', () => {
    expect(searchTimeZones('new york')).toContain('America/New_York');
    expect(searchTimeZones('NEW_YORK')[0]).toBe('America/New_York');
  });

  it('ignores accents: a city typed as its people spell it is offered (the zone names have none)', () => {
    expect(searchTimeZones('São Paulo')[0]).toBe('America/Sao_Paulo');
    expect(searchTimeZones('Zürich')).toEqual(['Europe/Zurich']);
    expect(searchTimeZones('bogotá')).toEqual(['America/Bogota']);
    expect(searchTimeZones('Asunción')).toEqual(['America/Asuncion']);
    expect(searchTimeZones('Méx')).toContain('America/Mexico_City');
    // Decomposed accents (a combining mark after the letter) too.
    expect(searchTimeZones('Reykjavi\u0301k')).toEqual(['Atlantic/Reykjavik']);
  });

  it('ranks a city that starts with the query above one that merely contains it', () => {
    expect(searchTimeZones('lon')).toEqual(['Arctic/Longyearbyen', 'Europe/London', 'America/Blanc-Sablon', 'America/Miquelon']);
  });

  it('offers current names where the runtime still uses old ones', () => {
    expect(searchTimeZones('kolkata')).toEqual(['Asia/Kolkata']);
    expect(searchTimeZones('kyiv')).toEqual(['Europe/Kyiv']);
    expect(allTimeZones()).not.toContain('Asia/Calcutta');
    expect(canonicalTimeZone('Asia/Calcutta')).toBe('Asia/Kolkata');
  });

  it('puts an exact city match first', () => {
    expect(searchTimeZones('paris')[0]).toBe('Europe/Paris');
    expect(searchTimeZones('kathmandu')).toEqual(['Asia/Kathmandu']);
  });

  it('matches a region prefix and a word inside a city', () => {
    expect(searchTimeZones('america/', 500).every((zone) => zone.startsWith('America/'))).toBe(true);
    expect(searchTimeZones('york')).toContain('America/New_York');
    expect(searchTimeZones('howe')).toContain('Australia/Lord_Howe');
  });

  it('returns at most the limit, 25 by default (Discord autocomplete)', () => {
    expect(searchTimeZones('a')).toHaveLength(25);
    expect(searchTimeZones('a', 3)).toHaveLength(3);
    expect(searchTimeZones('')).toHaveLength(25);
  });

  it('returns nothing for a query that matches no zone', () => {
    expect(searchTimeZones('zzzz')).toEqual([]);
  });
});
