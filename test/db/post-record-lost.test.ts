import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { dailyDelivery } from '../../src/db/deliveries.js';
import { upsertLesson } from '../../src/db/lessons.js';
import { dueSchedules, findSchedule, saveSchedule } from '../../src/db/schedules.js';
import { testDatabaseTargets, useTestDatabase } from '../support/databases.js';
import { makeLesson } from '../support/lessons.js';
import { createServiceHarness } from '../support/services.js';

const GUILD = '100000000000000001';
const CHANNEL = '200000000000000001';

/*
 * A daily post Discord accepted whose record the database refused (a failover, a lost connection): marked failed, it
 * was sent again 5 minutes later, past Discord's few minutes of nonce deduplication, so the channel got it twice.
 * Now the record is tried again at once, then left owed on the claim, which the takeover after the lease records.
 */
describe.each(testDatabaseTargets())('a post Discord has but the database did not record, on $kind', (target) => {
  const database = useTestDatabase(target);
  afterEach(async () => {
    const { db } = database();
    await sql`drop trigger if exists refuse_record on alerts_sent`.execute(db);
    await sql`drop function if exists refuse_record()`.execute(db);
    await sql`drop sequence if exists refusals`.execute(db);
  });

  async function setUp() {
    const db = database().db;
    await upsertLesson(db, makeLesson({ title: 'First', date: '2025-01-01' }));
    await saveSchedule(db, { guildId: GUILD, channelId: CHANNEL, postTime: '09:00', timeZone: 'UTC', roleId: null, createThread: false }, new Date('2026-01-01T00:00:00Z'));
    return { db, ...createServiceHarness(db, '2026-05-02T09:00:05Z') };
  }

  /** The post's record (it clears the server's alerts in the same statement) refused `times` times. */
  async function refuseRecords(db: ReturnType<typeof database>['db'], times: number) {
    // A sequence counts the refusals: its nextval survives the rollback of the statement it refused.
    await sql`create sequence refusals`.execute(db);
    await sql.raw(`create function refuse_record() returns trigger language plpgsql as $$
      begin
        if nextval('refusals') <= ${times} then raise exception 'the database went away'; end if;
        return null;
      end $$`).execute(db);
    await sql`create trigger refuse_record before delete on alerts_sent for each statement execute function refuse_record()`.execute(db);
  }

  it('a record refused once is written on the next try: one message, recorded, no failure', async () => {
    const { db, poster, channels } = await setUp();
    await refuseRecords(db, 1);
    const result = await poster.post((await findSchedule(db, GUILD))!, '2026-05-02', 0);
    expect(result.status).toBe('sent');
    expect(channels.sentTo(CHANNEL)).toHaveLength(1);
    expect(await dailyDelivery(db, GUILD, '2026-05-02')).toMatchObject({ status: 'sent', messageId: channels.sentTo(CHANNEL)[0]!.messageId });
    expect((await findSchedule(db, GUILD))?.failureCount).toBe(0);
  }, 20_000);

  it('a record refused throughout is owed, not failed: the claim stays, and its takeover records the message without sending it again', async () => {
    const { db, poster, channels, setNow } = await setUp();
    await refuseRecords(db, 3);
    const first = await poster.post((await findSchedule(db, GUILD))!, '2026-05-02', 0);
    expect(first).toEqual({ status: 'unrecorded', messageId: channels.sentTo(CHANNEL)[0]!.messageId });
    const owed = await dailyDelivery(db, GUILD, '2026-05-02');
    expect(owed?.status).toBe('claimed');
    const schedule = await findSchedule(db, GUILD);
    expect([schedule?.failureCount, schedule?.retryAt ?? null]).toEqual([0, null]);

    // Not due again within the lease (60 s here); due once it has run out, and then recorded, not sent.
    expect(await dueSchedules(db, new Date('2026-05-02T09:00:40Z'), { staleClaimMs: 60_000, limit: 10 })).toEqual([]);
    const [due] = await dueSchedules(db, new Date('2026-05-02T09:01:30Z'), { staleClaimMs: 60_000, limit: 10 });
    expect(due?.schedule.guildId).toBe(GUILD);
    setNow('2026-05-02T09:01:30Z');
    const second = await poster.post(due!.schedule, due!.localDate, 0);
    expect(second.status).toBe('sent');
    expect(channels.sentTo(CHANNEL)).toHaveLength(1);
    expect(await dailyDelivery(db, GUILD, '2026-05-02')).toMatchObject({ status: 'sent', messageId: channels.sentTo(CHANNEL)[0]!.messageId });
  }, 20_000);
});
