import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { DiscordAPIError, HTTPError, RESTJSONErrorCodes } from 'discord.js';
import { claimDelivery, dailyDelivery, renewClaim } from '../../src/db/deliveries.js';
import { updateGuildSettings } from '../../src/db/guild-settings.js';
import { upsertLesson } from '../../src/db/lessons.js';
import { dueSchedules, findSchedule, saveSchedule } from '../../src/db/schedules.js';
import { decodeCustomId } from '../../src/domain/discord-format/index.js';
import { scheduleEmbed } from '../../src/delivery/schedule-view.js';
import { testDatabaseTargets, useTestDatabase } from '../support/databases.js';
import { makeLesson } from '../support/lessons.js';
import { createServiceHarness } from '../support/services.js';

const GUILD = '100000000000000001';
const CHANNEL = '200000000000000001';
const ALERTS = '200000000000000009';

describe.each(testDatabaseTargets())('the lesson poster on $kind, with a channel double', (target) => {
  const database = useTestDatabase(target);

  async function setUp(options: { roleId?: string | null; createThread?: boolean } = {}) {
    const db = database().db;
    const lesson = makeLesson({ title: 'Ferry @everyone **news**' });
    await upsertLesson(db, lesson);
    await saveSchedule(
      db,
      { guildId: GUILD, channelId: CHANNEL, postTime: '09:00', timeZone: 'UTC', roleId: options.roleId ?? null, createThread: options.createThread ?? false },
      new Date('2026-01-01T00:00:00Z'),
    );
    await updateGuildSettings(db, GUILD, { alertsChannelId: ALERTS });
    const harness = createServiceHarness(db, '2026-05-02T09:00:05Z');
    return { db, lesson, schedule: (await findSchedule(db, GUILD))!, ...harness };
  }

  it('sends the card once per claim, with a nonce, pinging only the chosen role, and records the message', async () => {
    const { db, lesson, schedule, poster, channels } = await setUp({ roleId: '300000000000000001' });
    const result = await poster.post(schedule, '2026-05-02', 0);
    expect(result.status).toBe('sent');
    const [send] = channels.sent;
    expect(channels.sent).toHaveLength(1);
    expect(send!.channelId).toBe(CHANNEL);
    expect(send!.options.content).toBe('<@&300000000000000001> 📰 **Today’s lesson** is here!');
    expect(send!.options.allowedMentions).toEqual({ parse: [], roles: ['300000000000000001'] });
    expect(send!.options.enforceNonce).toBe(true);
    expect(send!.options.nonce).toMatch(/^nd[0-9a-f]{22}$/u);
    const buttons = (send!.options.components as unknown as { components: { custom_id: string }[] }[])[0]!.components;
    expect(buttons.map((b) => decodeCustomId(b.custom_id)?.action)).toEqual(['dialogue', 'article', 'related', 'read']);
    expect(JSON.stringify(send!.options.embeds)).not.toContain('@everyone');
    const delivery = await dailyDelivery(db, GUILD, '2026-05-02');
    expect(delivery).toMatchObject({ status: 'sent', messageId: send!.messageId, lessonId: lesson.id });
    // The same day's post is not sent twice.
    expect((await poster.post(schedule, '2026-05-02', 0)).status).toBe('already-claimed');
    expect(channels.sent).toHaveLength(1);
  });

  it('a schedule paused, or moved to a later time, after the timer found it due is not posted by that tick', async () => {
    const { db, services, poster, channels, setNow } = await setUp();
    // The timer found the server due at 09:00; a fan-out's posts wait their turn, and the moderator pauses meanwhile.
    const [due] = await dueSchedules(db, new Date('2026-05-02T09:00:00Z'), { staleClaimMs: 60_000, limit: 10 });
    expect(due?.schedule.guildId).toBe(GUILD);
    await services.delivery.pause(GUILD);
    expect((await poster.post(due!.schedule, due!.localDate, 0)).status).not.toBe('sent');
    expect(channels.sent).toHaveLength(0);
    expect(await dailyDelivery(db, GUILD, '2026-05-02')).toBeUndefined();
    // Resumed and moved to 18:00 while that post still waited: it goes out at 18:00, as the moderator was told.
    await services.delivery.resume(GUILD);
    const { next } = await services.delivery.setSchedule({
      guildId: GUILD,
      channelId: CHANNEL,
      when: { postTime: '18:00', timeZone: 'UTC' },
      roleId: null,
      createThread: false,
    });
    expect(next.toISOString()).toBe('2026-05-02T18:00:00.000Z');
    expect((await poster.post(due!.schedule, due!.localDate, 0)).status).not.toBe('sent');
    expect(channels.sent).toHaveLength(0);
    setNow('2026-05-02T18:00:05Z');
    const [later] = await dueSchedules(db, new Date('2026-05-02T18:00:05Z'), { staleClaimMs: 60_000, limit: 10 });
    expect((await poster.post(later!.schedule, later!.localDate, 0)).status).toBe('sent');
    expect(channels.sent).toHaveLength(1);
    // A moderator's post now is theirs, paused or not.
    await services.delivery.pause(GUILD);
    expect((await services.delivery.postNow((await findSchedule(db, GUILD))!, true)).messageId).toBeTruthy();
  });

  it('a send answered without a message is a failure to retry, never a delivery recorded as sent', async () => {
    const { db, schedule, poster, channels } = await setUp();
    channels.answerWithoutMessage(CHANNEL);
    const result = await poster.post(schedule, '2026-05-02', 0);
    expect(result).toMatchObject({ status: 'failed', reason: 'Discord could not be reached' });
    expect(await dailyDelivery(db, GUILD, '2026-05-02')).toMatchObject({ status: 'failed', messageId: null });
  });

  it('without a role, nobody is pinged', async () => {
    const { schedule, poster, channels } = await setUp();
    await poster.post(schedule, '2026-05-02', 0);
    expect(channels.sent[0]!.options.allowedMentions).toEqual({ parse: [] });
    expect(channels.sent[0]!.options.content).toBe('📰 **Today’s lesson** is here!');
  });

  it('opens a discussion thread named after the lesson; a refused thread still posts and alerts once', async () => {
    const { db, schedule, poster, channels } = await setUp({ createThread: true });
    await poster.post(schedule, '2026-05-02', 0);
    expect(channels.threads).toEqual([{ messageId: channels.sent[0]!.messageId, name: 'Ferry @\u200beveryone **news**' }]); // plain text (no markdown there); mentions broken as everywhere
    expect((await dailyDelivery(db, GUILD, '2026-05-02'))?.threadId).toBe(`thread-${channels.sent[0]!.messageId}`);

    await upsertLesson(db, makeLesson({ date: '2025-06-01' }));
    await upsertLesson(db, makeLesson({ date: '2025-06-02' }));
    channels.refuseThreads(CHANNEL);
    await poster.post(schedule, '2026-05-03', 0);
    await poster.post(schedule, '2026-05-04', 0);
    expect(channels.sentTo(CHANNEL)).toHaveLength(3);
    expect(channels.sentTo(ALERTS)).toHaveLength(1);
    expect(String(channels.sentTo(ALERTS)[0]!.options.content)).toMatch(/could not open a discussion thread/u);
  });

  it('a thread Discord says is open already (160004: a retried request whose answer was lost) is the thread, by the message’s id, and nobody is alerted', async () => {
    const { db, schedule, poster, channels } = await setUp({ createThread: true });
    const already = new DiscordAPIError(
      { code: RESTJSONErrorCodes.ThreadAlreadyCreatedForMessage, message: 'A thread has already been created for this message' },
      RESTJSONErrorCodes.ThreadAlreadyCreatedForMessage,
      400,
      'POST',
      'https://discord.com/api/v10/channels/1/messages/2/threads',
      { body: undefined, files: undefined },
    );
    channels.refuseThreads(CHANNEL, already);
    expect(await poster.post(schedule, '2026-05-02', 0)).toMatchObject({ status: 'sent' });
    expect((await dailyDelivery(db, GUILD, '2026-05-02'))?.threadId).toBe(channels.sent[0]!.messageId);
    expect(channels.sentTo(ALERTS)).toHaveLength(0);
  });

  it('a thread Discord refuses for another reason than the permission is told as that reason, each once (all were told as Create Public Threads)', async () => {
    const { db, schedule, poster, channels } = await setUp({ createThread: true });
    const refusal = (code: number, status: number, message: string) =>
      new DiscordAPIError({ code, message }, code, status, 'POST', 'https://discord.com/api/v10/channels/1/messages/2/threads', { body: undefined, files: undefined });
    const causes: [Error, RegExp][] = [
      [refusal(RESTJSONErrorCodes.TitleWasBlockedByAutomaticModeration, 400, 'Title was blocked by automatic moderation'), /AutoMod blocked its name \(the lesson’s title\): exempt my role/u],
      [refusal(RESTJSONErrorCodes.MaximumActiveThreads, 400, 'Maximum number of active threads reached'), /as many active threads as Discord allows/u],
      [new HTTPError(503, 'Service Unavailable', 'POST', 'https://discord.com/api/v10/channels/1/messages/2/threads', { body: undefined, files: undefined }), /Discord did not manage to open it just then/u],
    ];
    const days = ['2026-05-02', '2026-05-03', '2026-05-04', '2026-05-05', '2026-05-06', '2026-05-07'];
    for (const index of days.keys()) await upsertLesson(db, makeLesson({ date: `2025-06-0${index + 1}` }));
    for (const [index, [error]] of causes.entries()) {
      channels.refuseThreads(CHANNEL, error);
      // Twice each: told once per cause.
      expect(await poster.post(schedule, days[index * 2]!, 0)).toMatchObject({ status: 'sent' });
      expect(await poster.post(schedule, days[index * 2 + 1]!, 0)).toMatchObject({ status: 'sent' });
    }
    const told = channels.sentTo(ALERTS).map((send) => String(send.options.content));
    expect(told).toHaveLength(causes.length);
    for (const [index, [, said]] of causes.entries()) {
      expect(told[index]).toMatch(said);
      expect(told[index]).not.toMatch(/Create Public Threads/u);
    }
  });

  it('a missing permission fails the post, backs off, and alerts the moderators once', async () => {
    const { db, schedule, poster, channels } = await setUp();
    channels.breakChannel(CHANNEL);
    const result = await poster.post(schedule, '2026-05-02', 0);
    expect(result).toMatchObject({ status: 'failed', reason: 'the channel no longer exists' });
    expect(result.status === 'failed' && result.retryAt?.getTime()).toBeGreaterThan(new Date('2026-05-02T09:00:05Z').getTime());
    const failed = (await findSchedule(db, GUILD))!;
    expect(failed.failureCount).toBe(1);
    await poster.post(failed, '2026-05-02', 0);
    expect(channels.sentTo(ALERTS)).toHaveLength(1);
    expect(String(channels.sentTo(ALERTS)[0]!.options.content)).toMatch(/could not post today’s lesson in <#200000000000000001>: the channel no longer exists/u);
  });

  it('an alert that could not be sent is not counted as told: a mended alerts channel gets it at the next failure', async () => {
    const { db, schedule, poster, channels, setNow } = await setUp();
    channels.breakChannel(CHANNEL);
    channels.breakChannel(ALERTS, new Error('Missing Access'));
    await poster.post(schedule, '2026-05-02', 0);
    expect(channels.sentTo(ALERTS)).toEqual([]);
    expect(await db.selectFrom('alerts_sent').selectAll().execute()).toEqual([]);
    channels.mendChannel(ALERTS);
    setNow('2026-05-02T09:06:00Z');
    await poster.post((await findSchedule(db, GUILD))!, '2026-05-02', 0);
    expect(channels.sentTo(ALERTS)).toHaveLength(1);
  });

  it('a new alerts channel is told the problems still standing, which the old one had been told', async () => {
    const { db, schedule, poster, channels, setNow, services } = await setUp();
    const NEW_ALERTS = '200000000000000010';
    channels.breakChannel(CHANNEL);
    await poster.post(schedule, '2026-05-02', 0);
    expect(channels.sentTo(ALERTS)).toHaveLength(1);
    await services.delivery.setAlertsChannel(GUILD, NEW_ALERTS);
    setNow('2026-05-02T09:06:00Z');
    await poster.post((await findSchedule(db, GUILD))!, '2026-05-02', 0);
    expect(channels.sentTo(NEW_ALERTS)).toHaveLength(1);
    // …and told once there, as before.
    setNow('2026-05-02T09:20:00Z');
    await poster.post((await findSchedule(db, GUILD))!, '2026-05-02', 0);
    expect(channels.sentTo(NEW_ALERTS)).toHaveLength(1);
  });

  it('a day that ended failing does not hold up the next day’s post: an early post time is due at its time', async () => {
    const { db, poster, channels, setNow } = await setUp();
    await saveSchedule(db, { guildId: GUILD, channelId: CHANNEL, postTime: '00:30', timeZone: 'UTC', roleId: null, createThread: false }, new Date('2026-01-01T00:00:00Z'));
    channels.breakChannel(CHANNEL);
    // The day's 8th failure, late in the evening: 6 h of backoff would reach 04:00 the next day.
    await db.updateTable('schedules').set({ failure_count: 7, last_failure_at: new Date('2026-05-02T17:00:00Z') }).execute();
    setNow('2026-05-02T22:00:00Z');
    const failed = await poster.post((await findSchedule(db, GUILD))!, '2026-05-02', 0);
    expect(failed).toMatchObject({ status: 'failed', retryAt: new Date('2026-05-03T00:00:00Z') });

    channels.mendChannel(CHANNEL);
    const due = async (iso: string) => (await dueSchedules(db, new Date(iso), { staleClaimMs: 60_000, limit: 10 })).map((item) => item.localDate);
    expect(await due('2026-05-03T00:29:00Z')).toEqual([]);
    expect(await due('2026-05-03T00:30:00Z')).toEqual(['2026-05-03']);
    // A failure on the new day starts the count again: 5 minutes, not 6 hours.
    channels.breakChannel(CHANNEL);
    setNow('2026-05-03T00:30:00Z');
    const today = await poster.post((await findSchedule(db, GUILD))!, '2026-05-03', 0);
    expect(today).toMatchObject({ status: 'failed', retryAt: new Date('2026-05-03T00:35:00Z') });
    expect((await findSchedule(db, GUILD))?.failureCount).toBe(1);
  });

  it('a day that ends failing is told as that: no try at midnight, and /schedule show names the next day’s post as the next try', async () => {
    const { db, poster, channels, setNow, services } = await setUp();
    channels.breakChannel(CHANNEL);
    // The day's 8th failure (the first of its reason), late in the evening: its 6 h of backoff are cut at midnight.
    await db.updateTable('schedules').set({ failure_count: 7, last_failure_at: new Date('2026-05-02T17:00:00Z') }).execute();
    setNow('2026-05-02T22:00:00Z');
    expect(await poster.post((await findSchedule(db, GUILD))!, '2026-05-02', 0)).toMatchObject({ status: 'failed', retryAt: new Date('2026-05-03T00:00:00Z') });
    // Nothing is tried at midnight (past days are never posted): the next try is the next day's post, at 09:00.
    expect(await dueSchedules(db, new Date('2026-05-03T00:00:30Z'), { staleClaimMs: 60_000, limit: 10 })).toEqual([]);
    // Until 2026-12-07 both said midnight: "I will try again in 2 hours", "Next post: 2026-05-03 00:00".
    expect(String(channels.sentTo(ALERTS)[0]?.options.content)).toBe(
      '⚠️ I could not post today’s lesson in <#200000000000000001>: the channel no longer exists. I will not try again today: tomorrow’s lesson goes out at its time. Fix it, or move the schedule with `/schedule set`.',
    );
    const { schedule, next, lastSent } = await services.delivery.status(GUILD);
    expect(next).toEqual(new Date('2026-05-03T09:00:00Z'));
    const fields = Object.fromEntries((scheduleEmbed(schedule, next, lastSent).fields ?? []).map((field) => [field.name, field.value]));
    expect(fields['Next post']).toMatch(/^2026-05-03 09:00 \(UTC\)\n/u);
    expect(fields['Health']).toMatch(/Next try <t:1777798800:R>\.$/u);
    expect((await services.delivery.dailyPost(GUILD))?.next).toEqual(new Date('2026-05-03T09:00:00Z'));
    // Earlier in the day, a retry is the next try, as before.
    setNow('2026-05-02T22:00:00Z');
    await db.updateTable('schedules').set({ failure_count: 1, retry_at: new Date('2026-05-02T22:05:00Z') }).execute();
    expect((await services.delivery.status(GUILD)).next).toEqual(new Date('2026-05-02T22:05:00Z'));
  });

  it('/schedule show of a failing schedule paused meanwhile names no next try: nothing is tried until it is resumed', async () => {
    const { db, schedule, poster, channels, services } = await setUp();
    channels.breakChannel(CHANNEL);
    await poster.post(schedule, '2026-05-02', 0);
    await services.delivery.pause(GUILD);
    const shown = await services.delivery.status(GUILD);
    const fields = Object.fromEntries((scheduleEmbed(shown.schedule, shown.next, shown.lastSent).fields ?? []).map((field) => [field.name, field.value]));
    expect(fields['Next post']).toBe('None while paused (`/schedule resume`)');
    // Until 2026-12-07: "Next try in 5 minutes", beside "None while paused".
    expect(fields['Health']).toMatch(/^⚠️ Failing since <t:\d+:R>: the channel no longer exists\. Next try once resumed\.$/u);
    expect(await dueSchedules(db, new Date('2026-05-02T09:10:00Z'), { staleClaimMs: 60_000, limit: 10 })).toEqual([]);
  });

  it('Discord answering 5xx on every try is told as what it is (it said "could not be reached"), with no alert', async () => {
    const { db, schedule, poster, channels } = await setUp();
    channels.failSends(CHANNEL, new HTTPError(503, 'Service Unavailable', 'POST', 'https://discord.com/api/v10/channels/1/messages', { body: undefined, files: undefined }));
    expect(await poster.post(schedule, '2026-05-02', 0)).toMatchObject({ status: 'failed', reason: 'Discord could not take the post (503)' });
    expect(channels.sentTo(ALERTS)).toEqual([]);
    expect((await findSchedule(db, GUILD))?.lastFailureReason).toBe('Discord could not take the post (503)');
  });

  it('a post whose answer never came is retried while Discord still knows its nonce: 30 s apart three times, then the usual backoff, with the same nonce', async () => {
    const { db, poster, channels, setNow } = await setUp();
    channels.failSends(CHANNEL, Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8080'), { code: 'ECONNREFUSED' }));
    const retries: (string | undefined)[] = [];
    let now = new Date('2026-05-02T09:00:05Z');
    for (let attempt = 1; attempt <= 4; attempt++) {
      const result = await poster.post((await findSchedule(db, GUILD))!, '2026-05-02', 0);
      const retryAt = result.status === 'failed' ? result.retryAt : null;
      retries.push(retryAt ? `${(retryAt.getTime() - now.getTime()) / 1000} s` : undefined);
      now = retryAt ?? now;
      setNow(now.toISOString());
    }
    expect(retries).toEqual(['30 s', '30 s', '30 s', '300 s']);
    channels.mendChannel(CHANNEL);
    const failedNonce = (await dailyDelivery(db, GUILD, '2026-05-02'))?.nonce;
    expect((await poster.post((await findSchedule(db, GUILD))!, '2026-05-02', 0)).status).toBe('sent');
    expect(channels.sent[0]!.options.nonce).toBe(failedNonce);
    expect(channels.sentTo(ALERTS)).toEqual([]);
  });

  it('a post Discord refused (403) waits the usual 5 minutes', async () => {
    const { poster, channels, schedule } = await setUp();
    const refused = new DiscordAPIError({ code: 50013, message: 'Missing Permissions' }, 50013, 403, 'POST', 'https://discord.com/api/v10/channels/1/messages', { body: undefined, files: undefined });
    channels.breakChannel(CHANNEL, refused);
    const result = await poster.post(schedule, '2026-05-02', 0);
    expect(result.status === 'failed' && result.retryAt?.toISOString()).toBe('2026-05-02T09:05:05.000Z');
  });

  it('a server error on every try (5xx: Discord’s, or the REST proxy’s 504 when Discord did not answer it) is retried 30 s later, while its nonce holds', async () => {
    const { poster, channels, schedule } = await setUp();
    channels.failSends(CHANNEL, new HTTPError(504, 'Gateway Timeout', 'POST', 'http://proxy:8080/api/v10/channels/1/messages', { body: undefined, files: undefined }));
    const result = await poster.post(schedule, '2026-05-02', 0);
    expect(result.status === 'failed' && result.retryAt?.toISOString()).toBe('2026-05-02T09:00:35.000Z');
  });

  it('Discord being unreachable is not the moderators’ to fix: no alert, but the failure is recorded', async () => {
    const { db, schedule, poster, channels } = await setUp();
    channels.failSends(CHANNEL, new Error('connect ECONNREFUSED'));
    expect(await poster.post(schedule, '2026-05-02', 0)).toMatchObject({ status: 'failed', reason: 'Discord could not be reached' });
    expect(channels.sentTo(ALERTS)).toEqual([]);
    expect((await findSchedule(db, GUILD))?.lastFailureReason).toBe('Discord could not be reached');
  });

  it('a channel that could not be read (nothing sent) waits the usual 5 minutes: the quick retries are for sends whose answer was lost', async () => {
    const { db, poster, channels, schedule } = await setUp();
    channels.breakChannel(CHANNEL, Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8080'), { code: 'ECONNREFUSED' }));
    const result = await poster.post(schedule, '2026-05-02', 0);
    expect(result).toMatchObject({ status: 'failed', reason: 'Discord could not be reached' });
    expect(result.status === 'failed' && result.retryAt?.toISOString()).toBe('2026-05-02T09:05:05.000Z');
    expect(channels.sent).toEqual([]);
    expect((await findSchedule(db, GUILD))?.failureCount).toBe(1);
  });

  it('a card whose lesson could not be read is told as that, not as Discord unreachable, and waits the usual 5 minutes', async () => {
    const { db, poster, channels, schedule } = await setUp();
    // The card's statement reads the server's readers of the lesson: without their table it fails, as a database error would.
    await sql`alter table lesson_readers rename to lesson_readers_away`.execute(db);
    let result;
    try {
      result = await poster.post(schedule, '2026-05-02', 0);
    } finally {
      await sql`alter table lesson_readers_away rename to lesson_readers`.execute(db);
    }
    expect(result).toMatchObject({ status: 'failed', reason: 'its lesson could not be read from the database' });
    expect(result.status === 'failed' && result.retryAt?.toISOString()).toBe('2026-05-02T09:05:05.000Z');
    expect(channels.sent).toEqual([]);
    expect(channels.sentTo(ALERTS)).toEqual([]);
    expect((await findSchedule(db, GUILD))?.lastFailureReason).toBe('its lesson could not be read from the database');
  });

  it('the post’s record, the schedule’s success and its cleared alerts commit together: one refused, none kept', async () => {
    const { db, schedule, poster, channels, setNow } = await setUp();
    // The database refuses the last of the three writes after a sent post (clearing the server's alerts).
    await sql`create function refuse_alert_clearing() returns trigger language plpgsql as $$ begin raise exception 'alerts_sent is read-only in this test'; end $$`.execute(db);
    await sql`create trigger refuse_alert_clearing before delete on alerts_sent for each statement execute function refuse_alert_clearing()`.execute(db);
    try {
      const result = await poster.post(schedule, '2026-05-02', 0);
      expect(channels.sentTo(CHANNEL)).toHaveLength(1);
      // Not recorded as sent, nor as failed (a retry 5 minutes later came past Discord's nonce deduplication and
      // posted twice): the record is owed on the claim (test/db/post-record-lost.test.ts).
      expect(result.status).toBe('unrecorded');
      expect(await dailyDelivery(db, GUILD, '2026-05-02')).toMatchObject({ status: 'claimed', messageId: null });
      expect((await findSchedule(db, GUILD))?.lastPostedAt).toBeNull();
    } finally {
      await sql`drop trigger refuse_alert_clearing on alerts_sent`.execute(db);
      await sql`drop function refuse_alert_clearing()`.execute(db);
    }
    // With the database writable again, the claim's takeover after the lease records it all, sending nothing.
    setNow('2026-05-02T09:01:10Z');
    const retried = await poster.post((await findSchedule(db, GUILD))!, '2026-05-02', 0);
    expect(channels.sentTo(CHANNEL)).toHaveLength(1);
    expect(retried.status).toBe('sent');
    expect((await dailyDelivery(db, GUILD, '2026-05-02'))?.status).toBe('sent');
    expect((await findSchedule(db, GUILD))?.lastPostedAt).not.toBeNull();
  });

  it('a claim is renewed only by the process holding it', async () => {
    const { db, lesson } = await setUp();
    const key = { guildId: GUILD, localDate: '2026-05-02', sequence: 0 };
    await claimDelivery(db, { ...key, lessonId: lesson.id, channelId: CHANNEL, claimedBy: 'p1', now: new Date('2026-05-02T09:00:00Z'), staleClaimMs: 60_000 });
    const claimedAt = async () => (await db.selectFrom('deliveries').select('claimed_at').executeTakeFirstOrThrow()).claimed_at;
    await renewClaim(db, key, 'p2', new Date('2026-05-02T09:00:30Z'));
    expect(new Date(await claimedAt()).toISOString()).toBe('2026-05-02T09:00:00.000Z');
    await renewClaim(db, key, 'p1', new Date('2026-05-02T09:00:30Z'));
    expect(new Date(await claimedAt()).toISOString()).toBe('2026-05-02T09:00:30.000Z');
  });
});
