import { describe, expect, it } from 'vitest';
import { dueSchedules, saveSchedule } from '../../src/db/schedules.js';
import { isDue, localDate, parsePostTime, wallClock } from '../../src/domain/schedule/index.js';
import { testDatabaseTargets, useTestDatabase } from '../support/databases.js';

/**
 * The due query (SQL, PostgreSQL's time-zone rules) and the domain's `isDue` (luxon) must agree: the first
 * decides when posts go out, the second what `/schedule show` promises. Checked every 10 minutes across
 * the DST days the product has to get right.
 *
 * One difference is deliberate: on a fall-back day, if the first 01:30 passed while the bot was down and it
 * comes back during the repeated hour before 01:30 comes round again, the query waits for the second 01:30
 * (the wall clock is behind the post time), where the domain calls the post overdue. Nothing else differs.
 */
const CASES = [
  { zone: 'America/New_York', from: '2026-03-07T20:00:00Z' },
  { zone: 'America/New_York', from: '2026-10-31T20:00:00Z' },
  { zone: 'Australia/Lord_Howe', from: '2026-10-03T08:00:00Z' },
  { zone: 'Australia/Lord_Howe', from: '2026-04-04T08:00:00Z' },
  { zone: 'Asia/Kathmandu', from: '2026-06-01T00:00:00Z' },
  { zone: 'Pacific/Kiritimati', from: '2026-06-01T00:00:00Z' },
] as const;
const TIMES = ['00:00', '01:00', '01:30', '02:00', '02:15', '02:30', '03:00', '07:45', '23:59'];
const HOURS = 30;
const STEP_MS = 10 * 60_000;

describe.each(testDatabaseTargets())('due query and domain agree on $kind', (target) => {
  const db = useTestDatabase(target);

  it.each(CASES)('$zone from $from', async ({ zone, from }) => {
    let guild = 0;
    const ids = new Map<string, string>();
    for (const time of TIMES) {
      const guildId = String(++guild);
      ids.set(guildId, time);
      await saveSchedule(db().db, { guildId, channelId: '1', postTime: time, timeZone: zone, roleId: null, createThread: false }, new Date('2020-01-01T00:00:00Z'));
    }
    const disagreements: string[] = [];
    for (let at = Date.parse(from); at < Date.parse(from) + HOURS * 3_600_000; at += STEP_MS) {
      const now = new Date(at);
      const due = await dueSchedules(db().db, now, { staleClaimMs: 60_000, limit: 100 });
      const sqlDue = new Set(due.map((d) => d.schedule.guildId));
      for (const d of due) expect(d.localDate).toBe(localDate(now, zone));
      for (const [guildId, time] of ids) {
        const domainDue = isDue(now, parsePostTime(time), zone, null);
        const wallTime = wallClock(now, zone).slice(11);
        const repeatedHourWait = domainDue && !sqlDue.has(guildId) && wallTime < time;
        if (domainDue !== sqlDue.has(guildId) && !repeatedHourWait) {
          disagreements.push(`${time} at ${now.toISOString()} (${wallClock(now, zone)} local): sql=${sqlDue.has(guildId)} domain=${domainDue}`);
        }
      }
    }
    expect(disagreements).toEqual([]);
  });
});
