import { describe, expect, it } from 'vitest';
import { claimDelivery, dailyDelivery, endClaimsOfDeadProcess, nextForeignClaimExpiry, recordPostSent } from '../../src/db/deliveries.js';
import { upsertLesson } from '../../src/db/lessons.js';
import { makeLesson } from '../support/lessons.js';
import { testDatabaseTargets, useTestDatabase } from '../support/databases.js';

const LEASE = 60_000;
const at = (iso: string) => new Date(iso);

describe.each(testDatabaseTargets())('when claims of other processes run out, on $kind', (target) => {
  const db = useTestDatabase(target);
  let lessonId = '';

  async function claim(guildId: string, claimedBy: string, when: string) {
    return claimDelivery(db().db, {
      guildId, localDate: '2026-05-02', sequence: 0, lessonId, channelId: '200', claimedBy,
      now: at(when), staleClaimMs: LEASE,
    });
  }
  it('names the earliest expiry among other processes’ running claims, ignoring its own, sent and expired ones', async () => {
    const lesson = makeLesson();
    lessonId = lesson.id;
    await upsertLesson(db().db, lesson);
    const expiry = (now: string) => nextForeignClaimExpiry(db().db, 'me', at(now), LEASE);

    expect(await expiry('2026-05-02T09:00:00Z')).toBeUndefined();
    await claim('1', 'me', '2026-05-02T09:00:00Z');
    expect(await expiry('2026-05-02T09:00:10Z')).toBeUndefined();

    await claim('2', 'dead', '2026-05-02T09:00:20Z');
    await claim('3', 'dead', '2026-05-02T09:00:05Z');
    await claim('4', 'other', '2026-05-02T09:00:01Z');
    await recordPostSent(db().db, { guildId: '4', localDate: '2026-05-02', sequence: 0 }, { messageId: 'm', threadId: null, at: at('2026-05-02T09:00:02Z'), payload: {} }, ['post-failed']);
    expect(await expiry('2026-05-02T09:00:30Z')).toEqual(at('2026-05-02T09:01:05Z'));
    // Once guild 3's claim has run out it is the due query's to take over; the next to wait for is guild 2's.
    expect(await expiry('2026-05-02T09:01:06Z')).toEqual(at('2026-05-02T09:01:20Z'));
    expect(await expiry('2026-05-02T09:01:21Z')).toBeUndefined();
  });

  it('ends a dead process’s open claims at the moment given, its other processes’ and its sent posts untouched; then they are taken over', async () => {
    const lesson = makeLesson();
    lessonId = lesson.id;
    await upsertLesson(db().db, lesson);
    const when = (guildId: string) => dailyDelivery(db().db, guildId, '2026-05-02').then((delivery) => delivery?.claimedAt.toISOString());
    await claim('11', 'dead', '2026-05-02T10:00:00Z');
    await claim('12', 'dead', '2026-05-02T10:00:20Z');
    await claim('13', 'dead', '2026-05-02T10:00:01Z');
    await recordPostSent(db().db, { guildId: '13', localDate: '2026-05-02', sequence: 0 }, { messageId: 'm', threadId: null, at: at('2026-05-02T10:00:02Z'), payload: {} }, ['post-failed']);
    await claim('14', 'alive', '2026-05-02T10:00:10Z');

    // Died at 10:00:30: its claims end at 10:00:45 instead of 10:01:00 and 10:01:20.
    expect(await endClaimsOfDeadProcess(db().db, 'dead', at('2026-05-02T10:00:45Z'), LEASE)).toBe(2);
    expect(await when('11')).toBe('2026-05-02T09:59:45.000Z');
    expect(await when('12')).toBe('2026-05-02T09:59:45.000Z');
    expect(await when('13')).toBe('2026-05-02T10:00:01.000Z');
    expect(await when('14')).toBe('2026-05-02T10:00:10.000Z');
    // Never later than the lease: a claim that runs out before that moment keeps its own end.
    expect(await endClaimsOfDeadProcess(db().db, 'dead', at('2026-05-02T10:01:30Z'), LEASE)).toBe(0);
    expect(await when('11')).toBe('2026-05-02T09:59:45.000Z');

    // The restarted process waits for that moment, and no longer; then the claim is its own, with the same nonce.
    expect(await nextForeignClaimExpiry(db().db, 'restarted', at('2026-05-02T10:00:35Z'), LEASE)).toEqual(at('2026-05-02T10:00:45Z'));
    const nonce = (await dailyDelivery(db().db, '11', '2026-05-02'))?.nonce;
    expect(await claim('11', 'restarted', '2026-05-02T10:00:44Z')).toBeUndefined();
    const taken = await claim('11', 'restarted', '2026-05-02T10:00:46Z');
    expect(taken).toMatchObject({ claimedBy: 'restarted', nonce });
    expect(await claim('14', 'restarted', '2026-05-02T10:00:46Z')).toBeUndefined();
  });
});
