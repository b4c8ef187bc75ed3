import { describe, expect, it } from 'vitest';
import { claimDelivery, nextForeignClaimExpiry, recordPostSent } from '../../src/db/deliveries.js';
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
});
