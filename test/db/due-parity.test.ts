import { describe, expect, it } from 'vitest';
import { dueSchedules, saveSchedule, type Schedule } from '../../src/db/schedules.js';
import { nextPostOf } from '../../src/delivery/next-post.js';
import { isDue, localDate, parsePostTime, postDayAt, postInstantFor, wallClock } from '../../src/domain/schedule/index.js';
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
/** Post times around the usual 02:00–03:00 changes, and a day's end. */
const TIMES = ['00:00', '01:00', '01:30', '02:00', '02:15', '02:30', '03:00', '07:45', '23:59'];
/** Post times around midnight, for the zones that change their clocks there (fewer: this file is among CI's longest). */
const AROUND_MIDNIGHT = ['22:30', '23:00', '23:30', '23:59', '00:00', '00:30', '01:00', '07:45'];
const CASES = [
  { zone: 'America/New_York', from: '2026-03-07T20:00:00Z', times: TIMES },
  { zone: 'America/New_York', from: '2026-10-31T20:00:00Z', times: TIMES },
  { zone: 'Australia/Lord_Howe', from: '2026-10-03T08:00:00Z', times: TIMES },
  { zone: 'Australia/Lord_Howe', from: '2026-04-04T08:00:00Z', times: TIMES },
  { zone: 'Asia/Kathmandu', from: '2026-06-01T00:00:00Z', times: TIMES },
  { zone: 'Pacific/Kiritimati', from: '2026-06-01T00:00:00Z', times: TIMES },
  // Saturday 23:00 → Sunday 00:00: Saturday's 23:00–23:59 go out at Sunday 00:00, as Saturday's posts.
  { zone: 'America/Nuuk', from: '2026-03-28T12:00:00Z', times: AROUND_MIDNIGHT },
  // Saturday 24:00 → Saturday 23:00 (the hour before midnight twice), and Thursday 24:00 → Friday 01:00.
  { zone: 'America/Santiago', from: '2026-04-04T12:00:00Z', times: AROUND_MIDNIGHT },
  { zone: 'Africa/Cairo', from: '2026-04-23T12:00:00Z', times: AROUND_MIDNIGHT },
] as const;
const HOURS = 30;
const STEP_MS = 10 * 60_000;

describe.each(testDatabaseTargets())('due query and domain agree on $kind', (target) => {
  const db = useTestDatabase(target);

  it.each(CASES)('$zone from $from', async ({ zone, from, times }) => {
    let guild = 0;
    const ids = new Map<string, string>();
    for (const time of times) {
      const guildId = String(++guild);
      ids.set(guildId, time);
      await saveSchedule(db().db, { guildId, channelId: '1', postTime: time, timeZone: zone, roleId: null, createThread: false }, new Date('2020-01-01T00:00:00Z'));
    }
    const disagreements: string[] = [];
    for (let at = Date.parse(from); at < Date.parse(from) + HOURS * 3_600_000; at += STEP_MS) {
      const now = new Date(at);
      const due = await dueSchedules(db().db, now, { staleClaimMs: 60_000, limit: 100 });
      const sqlDue = new Set(due.map((d) => d.schedule.guildId));
      for (const d of due) expect(d.localDate).toBe(postDayAt(now, parsePostTime(d.schedule.postTime), zone));
      for (const [guildId, time] of ids) {
        const domainDue = isDue(now, parsePostTime(time), zone, null);
        const wallTime = wallClock(now, zone).slice(11);
        // (A post a gap pushed past midnight is yesterday's: no repeated hour there.)
        const repeatedHourWait = domainDue && !sqlDue.has(guildId) && wallTime < time && postDayAt(now, parsePostTime(time), zone) === localDate(now, zone);
        if (domainDue !== sqlDue.has(guildId) && !repeatedHourWait) {
          disagreements.push(`${time} at ${now.toISOString()} (${wallClock(now, zone)} local): sql=${sqlDue.has(guildId)} domain=${domainDue}`);
        }
      }
    }
    expect(disagreements).toEqual([]);
  });

  /*
   * A schedule set or changed at any moment around the clock change (every 30 minutes through the same days) first
   * posts when `/schedule show` says (nextPostOf): the query finds it due at that instant, and not at any moment
   * before it (right after it was set, the minute before, the last minute of the day it was set). Around a clock
   * change PostgreSQL and the domain map a post time that does not exist, or exists twice, to different instants: a
   * schedule set just after a spring-forward gap went out at once where the reply said tomorrow.
   */
  it.each(CASES)('a schedule set around $zone from $from first posts when the domain says', async ({ zone, from, times }) => {
    const disagreements: string[] = [];
    for (let setAt = Date.parse(from); setAt < Date.parse(from) + HOURS * 3_600_000; setAt += 30 * 60_000) {
      const set = new Date(setAt);
      const first = new Map<string, { schedule: Schedule; at: number }>();
      // New schedules each round (saving the same time and zone again would keep the first round's effective_from).
      await db().db.deleteFrom('schedules').execute();
      for (const [index, time] of times.entries()) {
        const schedule = await saveSchedule(db().db, { guildId: String(index + 1), channelId: '1', postTime: time, timeZone: zone, roleId: null, createThread: false }, set);
        first.set(schedule.guildId, { schedule, at: nextPostOf(schedule, set, null).at.getTime() });
      }
      const probes = new Set([setAt + 60_000, postInstantFor(localDate(set, zone), parsePostTime('23:59'), zone).getTime()]);
      for (const { at } of first.values()) probes.add(at).add(at - 60_000);
      for (const probe of [...probes].filter((at) => at > setAt).sort()) {
        const now = new Date(probe);
        const sqlDue = new Set((await dueSchedules(db().db, now, { staleClaimMs: 60_000, limit: 100 })).map((d) => d.schedule.guildId));
        for (const [guildId, { schedule, at }] of first) {
          if (probe > at) continue; // after the first post: later days, not what this checks
          const domainDue = probe === at;
          const repeatedHourWait =
            domainDue &&
            !sqlDue.has(guildId) &&
            wallClock(now, zone).slice(11) < schedule.postTime &&
            postDayAt(now, parsePostTime(schedule.postTime), zone) === localDate(now, zone);
          if (domainDue !== sqlDue.has(guildId) && !repeatedHourWait) {
            disagreements.push(
              `${schedule.postTime} set ${wallClock(set, zone)}, at ${wallClock(now, zone)} local: sql=${sqlDue.has(guildId)} domain=${domainDue} (first post ${wallClock(new Date(at), zone)})`,
            );
          }
        }
      }
    }
    expect(disagreements).toEqual([]);
  });
});
