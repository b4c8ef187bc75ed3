import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { claimDelivery, markDeliveryFailed, recordPostSent } from '../../src/db/deliveries.js';
import { dayLessonChoice, planLesson, queuedLessonIds } from '../../src/db/lesson-plans.js';
import { upsertLesson } from '../../src/db/lessons.js';
import { dueSchedules, recordPostFailure, saveSchedule, setPaused } from '../../src/db/schedules.js';
import { makeLesson } from '../support/lessons.js';
import { testDatabaseTargets, useTestDatabase } from '../support/databases.js';

const MINUTE = 60_000;
const options = { staleClaimMs: 2 * MINUTE, limit: 100 };
const at = (iso: string) => new Date(iso);

describe.each(testDatabaseTargets())('scheduling queries on $kind', (target) => {
  const db = useTestDatabase(target);

  const schedule = (postTime: string, timeZone: string, created = '2026-01-01T00:00:00Z', guildId = '100') =>
    saveSchedule(db().db, { guildId, channelId: '200', postTime, timeZone, roleId: null, createThread: false }, at(created));
  const due = async (now: string) => (await dueSchedules(db().db, at(now), options)).map((d) => `${d.schedule.guildId}@${d.localDate}`);

  it('is due from the local post time on, for the local day only', async () => {
    await schedule('07:30', 'Asia/Tokyo');
    expect(await due('2026-05-01T22:29:00Z')).toEqual([]); // 07:29 in Tokyo on May 2
    expect(await due('2026-05-01T22:30:00Z')).toEqual(['100@2026-05-02']);
    expect(await due('2026-05-02T14:59:00Z')).toEqual(['100@2026-05-02']); // 23:59: still the same day, caught up
    expect(await due('2026-05-02T15:00:00Z')).toEqual([]); // 00:00 next day, before 07:30
  });

  it('a schedule or member zone PostgreSQL does not know is refused when written by SQL, and the due query goes on for the others', async () => {
    await schedule('07:30', 'Asia/Tokyo');
    for (const zone of ['America/Sao_Paulo ', 'Mars/Olympus']) {
      await expect(
        sql`insert into schedules (guild_id, channel_id, post_time, timezone) values ('101', '201', '07:30', ${zone})`.execute(db().db),
      ).rejects.toThrow(/time zone .* not recognized/u);
      await expect(sql`update schedules set timezone = ${zone} where guild_id = '100'`.execute(db().db)).rejects.toThrow(/not recognized/u);
      await expect(sql`insert into member_settings (user_id, timezone) values ('u1', ${zone})`.execute(db().db)).rejects.toThrow(/not recognized/u);
    }
    // One such row stopped every server's posts: the due query failed for all.
    expect(await due('2026-05-01T22:30:00Z')).toEqual(['100@2026-05-02']);
    await sql`insert into member_settings (user_id, timezone) values ('u2', null), ('u3', 'Europe/Berlin')`.execute(db().db);
  });

  it('a sent daily post is not due again the same local day, but is the next day', async () => {
    const lesson = makeLesson();
    await upsertLesson(db().db, lesson);
    await schedule('09:00', 'UTC');
    const claim = await claimDelivery(db().db, {
      guildId: '100', localDate: '2026-05-02', sequence: 0, lessonId: lesson.id, channelId: '200', claimedBy: 'p1',
      now: at('2026-05-02T09:00:00Z'), staleClaimMs: options.staleClaimMs,
    });
    expect(claim).toBeDefined();
    expect(await due('2026-05-02T09:00:30Z')).toEqual([]);
    await recordPostSent(db().db, { guildId: '100', localDate: '2026-05-02', sequence: 0 }, { messageId: 'm', threadId: null, at: at('2026-05-02T09:00:01Z'), payload: {} }, ['post-failed']);
    expect(await due('2026-05-02T20:00:00Z')).toEqual([]);
    expect(await due('2026-05-03T09:00:00Z')).toEqual(['100@2026-05-03']);
  });

  it('a new schedule starts at its next post time, not earlier today', async () => {
    await schedule('09:00', 'UTC', '2026-05-02T10:00:00Z');
    expect(await due('2026-05-02T10:01:00Z')).toEqual([]);
    expect(await due('2026-05-03T09:00:00Z')).toEqual(['100@2026-05-03']);
    // Set during the very minute it names: that minute counts.
    await schedule('10:30', 'UTC', '2026-05-03T10:30:20Z');
    expect(await due('2026-05-03T10:30:40Z')).toEqual(['100@2026-05-03']);
  });

  it('paused and backing-off schedules are not due', async () => {
    await schedule('09:00', 'UTC');
    await setPaused(db().db, '100', true, at('2026-05-02T00:00:00Z'));
    expect(await due('2026-05-02T09:00:00Z')).toEqual([]);
    await setPaused(db().db, '100', false, at('2026-05-02T00:00:00Z'));
    await recordPostFailure(db().db, '100', { at: at('2026-05-02T09:00:00Z'), reason: 'x', retryAt: at('2026-05-02T09:05:00Z'), failures: 1 });
    expect(await due('2026-05-02T09:04:00Z')).toEqual([]);
    expect(await due('2026-05-02T09:05:00Z')).toEqual(['100@2026-05-02']);
  });

  it('New York spring forward: 02:30 does not exist and posts at 03:00 EDT', async () => {
    await schedule('02:30', 'America/New_York');
    expect(await due('2026-03-08T06:59:00Z')).toEqual([]); // 01:59 EST
    expect(await due('2026-03-08T07:00:00Z')).toEqual(['100@2026-03-08']); // 03:00 EDT
  });

  it('New York fall back: 01:30 comes twice and is due from the first', async () => {
    await schedule('01:30', 'America/New_York');
    expect(await due('2026-11-01T05:29:00Z')).toEqual([]);
    expect(await due('2026-11-01T05:30:00Z')).toEqual(['100@2026-11-01']); // first 01:30 (EDT)
  });

  it('Kathmandu (+05:45) posts at 07:00 local = 01:15Z', async () => {
    await schedule('07:00', 'Asia/Kathmandu');
    expect(await due('2026-06-01T01:14:00Z')).toEqual([]);
    expect(await due('2026-06-01T01:15:00Z')).toEqual(['100@2026-06-01']);
  });

  it('Lord Howe half-hour spring forward: 02:15 does not exist and posts at 02:30', async () => {
    // On 2026-10-04 Lord Howe goes from 02:00 (+10:30) to 02:30 (+11): 02:30 local = 15:30Z on Oct 3.
    await schedule('02:15', 'Australia/Lord_Howe');
    expect(await due('2026-10-03T15:29:00Z')).toEqual([]);
    expect(await due('2026-10-03T15:30:00Z')).toEqual(['100@2026-10-04']);
  });

  it('exactly one of two concurrent claims wins; a stale claim or a failure can be taken over', async () => {
    const lesson = makeLesson();
    await upsertLesson(db().db, lesson);
    const request = (claimedBy: string, now: string) => ({
      guildId: '100', localDate: '2026-05-02', sequence: 0, lessonId: lesson.id, channelId: '200', claimedBy, now: at(now), staleClaimMs: options.staleClaimMs,
    });
    const results = await Promise.all([
      claimDelivery(db().db, request('p1', '2026-05-02T09:00:00Z')),
      claimDelivery(db().db, request('p2', '2026-05-02T09:00:00Z')),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const first = results.find(Boolean)!;
    expect(await claimDelivery(db().db, request('p3', '2026-05-02T09:01:00Z'))).toBeUndefined();
    // The schedule moved to another channel meanwhile: a takeover still resends where the first try went,
    // with the same nonce, so Discord can recognise it; only a failed post goes to the new channel.
    const takeover = await claimDelivery(db().db, { ...request('p3', '2026-05-02T09:03:00Z'), channelId: '201' });
    expect(takeover?.claimedBy).toBe('p3');
    expect(takeover?.nonce).toBe(first.nonce);
    expect(takeover?.attempts).toBe(2);
    expect(takeover?.channelId).toBe('200');
    await markDeliveryFailed(db().db, { guildId: '100', localDate: '2026-05-02', sequence: 0 }, 'Missing Permissions');
    const retry = await claimDelivery(db().db, { ...request('p4', '2026-05-02T09:03:10Z'), channelId: '201' });
    expect(retry?.attempts).toBe(3);
    expect(retry?.channelId).toBe('201');
  });

  it('the queue plays the backlog in article order and keeps lessons pinned to later days', async () => {
    const a = makeLesson({ date: '2025-01-01' });
    const b = makeLesson({ date: '2025-01-02' });
    const c = makeLesson({ date: '2025-01-03' });
    for (const lesson of [c, a, b]) await upsertLesson(db().db, lesson);
    expect(await queuedLessonIds(db().db, '100', '2026-05-02', 10)).toEqual([a.id, b.id, c.id]);
    await planLesson(db().db, { guildId: '100', localDate: '2026-05-05', lessonId: a.id, plannedBy: 'mod', fromDate: '2026-05-02' });
    expect(await queuedLessonIds(db().db, '100', '2026-05-02', 10)).toEqual([b.id, c.id]);
    await claimDelivery(db().db, {
      guildId: '100', localDate: '2026-05-02', sequence: 0, lessonId: b.id, channelId: '200', claimedBy: 'p', now: at('2026-05-02T09:00:00Z'), staleClaimMs: 1,
    });
    expect(await queuedLessonIds(db().db, '100', '2026-05-02', 10)).toEqual([c.id]);
    expect(await queuedLessonIds(db().db, 'other', '2026-05-02', 10)).toEqual([a.id, b.id, c.id]);
  });

  it('a lesson claimed on a day gone by and never sent (its process died as the day ended) goes back to the queue', async () => {
    const first = makeLesson({ date: '2025-01-01', title: 'First' });
    const second = makeLesson({ date: '2025-01-02', title: 'Second' });
    for (const lesson of [first, second]) await upsertLesson(db().db, lesson);
    await claimDelivery(db().db, {
      guildId: '100', localDate: '2026-05-02', sequence: 0, lessonId: first.id, channelId: '200', claimedBy: 'dead', now: at('2026-05-02T23:59:05Z'), staleClaimMs: MINUTE,
    });
    // That day its claim keeps it (a live claim, or one to take over: lessonForDay keeps the claim's lesson).
    expect(await queuedLessonIds(db().db, '100', '2026-05-02', 10)).toEqual([second.id]);
    expect(await dayLessonChoice(db().db, '100', '2026-05-02')).toEqual({ lessonId: first.id, source: 'delivered' });
    // The next day it is the queue's head again, not lost for good.
    expect(await dayLessonChoice(db().db, '100', '2026-05-03')).toEqual({ lessonId: first.id, source: 'queue' });
    expect(await queuedLessonIds(db().db, '100', '2026-05-03', 10)).toEqual([first.id, second.id]);
    // A lesson sent on a day gone by stays out of the queue.
    await recordPostSent(db().db, { guildId: '100', localDate: '2026-05-02', sequence: 0 }, { messageId: 'm', threadId: null, at: at('2026-05-03T00:00:30Z'), payload: {} }, ['post-failed']);
    expect(await queuedLessonIds(db().db, '100', '2026-05-03', 10)).toEqual([second.id]);
  });
});
