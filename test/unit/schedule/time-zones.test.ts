import { describe, expect, it } from 'vitest';
import { allTimeZones, canonicalTimeZone, isValidTimeZone, searchTimeZones } from '../../../src/domain/schedule/time-zones.js';

describe('isValidTimeZone', () => {
  it.each(['UTC', 'America/New_York', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'Pacific/Kiritimati', 'US/Eastern'])('accepts %s', (zone) => {
    expect(isValidTimeZone(zone)).toBe(true);
  });

  it.each(['', 'Mars/Olympus_Mons', 'New York', '+05:30', 'UTC+1', '../etc/passwd'])('rejects %j', (zone) => {
    expect(isValidTimeZone(zone)).toBe(false);
  });
});

describe('canonicalTimeZone', () => {
  it('returns the proper spelling of what a person typed', () => {
    expect(canonicalTimeZone('america/new_york')).toBe('America/New_York');
    expect(canonicalTimeZone('utc')).toBe('UTC');
    expect(canonicalTimeZone('Asia/Tokyo')).toBe('Asia/Tokyo');
  });

  it('returns null for something that is not a zone', () => {
    expect(canonicalTimeZone('nowhere')).toBeNull();
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
