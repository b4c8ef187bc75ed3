import { IANAZone } from 'luxon';
import { describe, expect, it } from 'vitest';
import { isDue, nextPostDay, nextPostTime, postDayAt } from '../../../src/domain/schedule/due.js';
import { addDays } from '../../../src/domain/schedule/local-dates.js';
import { postInstantFor, wallClock } from '../../../src/domain/schedule/post-instant.js';
import { formatPostTime, type PostTime } from '../../../src/domain/schedule/post-time.js';

/*
 * Every clock change of every zone Node knows, 2026–2027: each day whose post time the clock skips (a gap) or shows
 * twice (clocks set back) still gets exactly one post, at the first instant whose wall clock shows that day's post
 * time or later (after a gap that runs past midnight, the next date's first minute, as that day's post), and nothing
 * else is due between one day's post and the next.
 */
const MINUTE = 60_000;
const DAY = 86_400_000;
const FROM = Date.UTC(2026, 0, 1);
const UNTIL = Date.UTC(2028, 0, 1);
// Offsets are sampled every 14 days, then each change is found to the minute: the closest changes of a zone in these
// years (Morocco's around Ramadan) are five weeks apart, so none can hide between two samples.
const STEP = 14 * DAY;

interface Transition {
  readonly zones: string[];
  readonly at: number;
  readonly before: number;
  readonly after: number;
}

/** The clock changes of 2026–2027, one per distinct (instant, offsets), with every zone that has it. */
function transitions(): Transition[] {
  const found = new Map<string, Transition>();
  for (const zone of Intl.supportedValuesOf('timeZone')) {
    const tz = IANAZone.create(zone);
    let previous = tz.offset(FROM);
    for (let t = FROM + STEP; t < UNTIL + STEP; t += STEP) {
      const sample = Math.min(t, UNTIL);
      const offset = tz.offset(sample);
      if (offset === previous) continue;
      let lo = t - STEP;
      let hi = sample;
      while (hi - lo > MINUTE) {
        const mid = Math.floor((lo + hi) / 2 / MINUTE) * MINUTE;
        if (tz.offset(mid) === previous) lo = mid;
        else hi = mid;
      }
      const key = `${hi} ${previous} ${offset}`;
      const known = found.get(key);
      if (known) known.zones.push(zone);
      else found.set(key, { zones: [zone], at: hi, before: previous, after: offset });
      previous = offset;
    }
  }
  return [...found.values()];
}

/** `YYYY-MM-DD HH:mm` of a wall-clock reading held as if it were UTC. */
const wallText = (wall: number) => new Date(wall).toISOString().slice(0, 16).replace('T', ' ');

/** The days and post times a change skips or repeats: its first and last minute, and both sides of a midnight inside it. */
function affected({ at, before, after }: Transition): { day: string; time: PostTime }[] {
  const from = at + Math.min(before, after) * MINUTE;
  const to = at + Math.max(before, after) * MINUTE; // exclusive
  const walls = new Set([from, to - MINUTE]);
  const midnight = Math.ceil(from / DAY) * DAY;
  if (midnight > from && midnight < to) walls.add(midnight).add(midnight - MINUTE);
  return [...walls].map((wall) => {
    const text = wallText(wall);
    return { day: text.slice(0, 10), time: { hour: Number(text.slice(11, 13)), minute: Number(text.slice(14, 16)) } };
  });
}

describe('a post time the clock skips or repeats, in every zone, 2026–2027', () => {
  it('gets its day exactly one post, at the first instant showing that time or later', () => {
    const changes = transitions();
    const problems: string[] = [];
    const pastMidnight = new Set<string>();
    const repeated = new Set<string>();
    for (const change of changes) {
      const zone = change.zones[0] as string;
      const gap = change.after > change.before;
      // The due query finds yesterday's last minute from today's 00:00: exact when a gap lies within a date or
      // starts or ends at midnight, as every one of these does.
      const gapFrom = wallText(change.at + change.before * MINUTE);
      const gapTo = wallText(change.at + change.after * MINUTE);
      if (gap && gapFrom.slice(0, 10) !== gapTo.slice(0, 10) && !gapFrom.endsWith('00:00') && !gapTo.endsWith('00:00')) {
        problems.push(`${zone}: a gap across midnight ${gapFrom} → ${gapTo}`);
      }
      for (const { day, time } of affected(change)) {
        const label = `${change.zones.join(', ')} ${day} ${formatPostTime(time)}`;
        // From the start of the day before, with the day before that posted: three posts, one a day, in order.
        const posts: { day: string; at: Date }[] = [];
        let last = addDays(day, -2);
        let now = postInstantFor(addDays(day, -1), { hour: 0, minute: 0 }, zone);
        for (let i = 0; i < 3; i++) {
          const at = nextPostTime(now, time, zone, last);
          const postDay = nextPostDay(now, time, zone, last);
          if (!isDue(at, time, zone, last) || (at > now && isDue(new Date(at.getTime() - MINUTE), time, zone, last))) {
            problems.push(`${label}: the post of ${postDay} is not due from ${wallClock(at, zone)} on`);
          }
          // Nothing else is due before this post, with the previous day posted: around the clock change too.
          for (const probe of [change.at - MINUTE, change.at, change.at + MINUTE]) {
            if (probe >= now.getTime() && probe < at.getTime() && isDue(new Date(probe), time, zone, last)) {
              problems.push(`${label}: due at ${wallClock(new Date(probe), zone)} with ${last} posted`);
            }
          }
          posts.push({ day: postDay, at });
          last = postDay;
          now = at;
        }
        const days = posts.map((post) => post.day);
        if (days.join() !== [addDays(day, -1), day, addDays(day, 1)].join()) problems.push(`${label}: posts for ${days.join(', ')}`);
        const post = posts[1] as { day: string; at: Date };
        const wanted = `${day} ${formatPostTime(time)}`;
        // The first instant showing the post time or later: the minute before shows an earlier time.
        if (wallClock(post.at, zone) < wanted || wallClock(new Date(post.at.getTime() - MINUTE), zone) >= wanted) {
          problems.push(`${label}: posted at ${wallClock(post.at, zone)}`);
        }
        if (postDayAt(post.at, time, zone) !== day) problems.push(`${label}: its post at ${wallClock(post.at, zone)} is not counted as that day's`);
        if (wallClock(post.at, zone).slice(0, 10) !== day) for (const each of change.zones) pastMidnight.add(`${each} ${day}`);
        if (!gap) {
          for (const each of change.zones) repeated.add(`${each} ${day}`);
          // The time's second showing, after the post: not due again.
          const second = new Date(post.at.getTime() + (change.before - change.after) * MINUTE);
          if (second < (posts[2] as { at: Date }).at && isDue(second, time, zone, day)) problems.push(`${label}: due again at its second showing`);
        }
      }
    }
    expect(problems).toEqual([]);
    // What the walk met: the late gaps of Greenland (Saturday 23:00 → Sunday 00:00) and fall-backs across midnight.
    // Node up to 22 names Nuuk by its old name.
    expect([...pastMidnight].map((each) => each.replace('America/Godthab', 'America/Nuuk')).sort()).toEqual([
      'America/Nuuk 2026-03-28',
      'America/Nuuk 2027-03-27',
      'America/Scoresbysund 2026-03-28',
      'America/Scoresbysund 2027-03-27',
    ]);
    expect(repeated).toContain('America/Santiago 2026-04-04');
    expect(repeated).toContain('America/Havana 2026-11-01');
    expect(changes.flatMap((change) => change.zones).length).toBeGreaterThan(400);
  });
});
