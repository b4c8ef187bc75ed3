import { randomBytes } from 'node:crypto';
import { sql, type Selectable } from 'kysely';
import type { DeliveriesTable, DeliveryStatus, Executor } from './schema.js';

export interface Delivery {
  readonly guildId: string;
  readonly localDate: string;
  readonly sequence: number;
  readonly lessonId: string;
  readonly channelId: string;
  readonly status: DeliveryStatus;
  /** Sent to Discord with enforce_nonce: a resend after a crash returns the first message instead of a second. */
  readonly nonce: string;
  readonly claimedBy: string;
  readonly claimedAt: Date;
  readonly attempts: number;
  readonly messageId: string | null;
  readonly threadId: string | null;
  readonly sentAt: Date | null;
  readonly lastError: string | null;
  /** Failed, but its send may have reached Discord: a retry resends it as it was (channel, lesson, nonce). */
  readonly maybeSent: boolean;
}

export interface ClaimRequest {
  readonly guildId: string;
  readonly localDate: string;
  readonly sequence: number;
  readonly lessonId: string;
  readonly channelId: string;
  readonly claimedBy: string;
  readonly now: Date;
  /** A claim older than this, never marked sent, belongs to a process that died: it may be taken over. */
  readonly staleClaimMs: number;
  /**
   * The timer's daily post: claimed only while the server's schedule is as the timer found it due, not paused and at
   * this time and zone. A fan-out's post waits its turn for seconds; a moderator's pause or move meanwhile stops it.
   */
  readonly whileScheduled?: { readonly postTime: string; readonly timeZone: string };
}

/**
 * Claims one post before anything is sent. The primary key (server, local day, sequence) lets exactly one
 * process win; a failed post, or a claim left by a crashed process, can be claimed again (keeping its nonce
 * and lesson, so a resend is recognised by Discord as the same message).
 */
export async function claimDelivery(db: Executor, request: ClaimRequest): Promise<Delivery | undefined> {
  const staleBefore = new Date(request.now.getTime() - request.staleClaimMs);
  const values = {
    guild_id: request.guildId,
    local_date: request.localDate,
    sequence: request.sequence,
    lesson_id: request.lessonId,
    channel_id: request.channelId,
    status: 'claimed',
    nonce: newNonce(),
    claimed_by: request.claimedBy,
    claimed_at: request.now,
  } as const;
  const scheduled = request.whileScheduled;
  const insert = db.insertInto('deliveries');
  const row = await (
    scheduled === undefined
      ? insert.values(values)
      : // The row, only while the schedule is still due as found (one statement: nothing to race between check and claim).
        insert.columns(['guild_id', 'local_date', 'sequence', 'lesson_id', 'channel_id', 'status', 'nonce', 'claimed_by', 'claimed_at']).expression(
          db
            .selectFrom('schedules')
            .select([
              sql<string>`${values.guild_id}::text`.as('guild_id'),
              sql<string>`${values.local_date}::date`.as('local_date'),
              sql<number>`${values.sequence}::int`.as('sequence'),
              sql<string>`${values.lesson_id}::uuid`.as('lesson_id'),
              sql<string>`${values.channel_id}::text`.as('channel_id'),
              sql<string>`${values.status}::text`.as('status'),
              sql<string>`${values.nonce}::text`.as('nonce'),
              sql<string>`${values.claimed_by}::text`.as('claimed_by'),
              sql<Date>`${values.claimed_at}::timestamptz`.as('claimed_at'),
            ])
            .where('guild_id', '=', request.guildId)
            .where('paused', '=', false)
            // As Schedule reads it ('HH:MM'): a time written by SQL with seconds is still the time the timer found due.
            .where(sql<string>`to_char(post_time, 'HH24:MI')`, '=', scheduled.postTime)
            .where('timezone', '=', scheduled.timeZone),
        )
  )
    .onConflict((oc) =>
      oc
        .columns(['guild_id', 'local_date', 'sequence'])
        .doUpdateSet((eb) => ({
          status: 'claimed',
          claimed_by: eb.ref('excluded.claimed_by'),
          claimed_at: eb.ref('excluded.claimed_at'),
          // A post refused (or failed before its send) never reached the channel: it may go out where and with what the
          // schedule says now. One that may have reached Discord (no answer, a 5xx), and a claim taken over from a dead
          // process, keep both, so a resend with its nonce is deduplicated: until 2026-12-08 a failed send's retry took
          // the schedule's new channel (posted twice) or the day's new lesson (recorded against the first message).
          channel_id: sql<string>`case when deliveries.status = 'failed' and not deliveries.maybe_sent then excluded.channel_id else deliveries.channel_id end`,
          lesson_id: sql<string>`case when deliveries.status = 'failed' and not deliveries.maybe_sent then excluded.lesson_id else deliveries.lesson_id end`,
          attempts: eb('deliveries.attempts', '+', 1),
        }))
        .where((eb) =>
          eb.or([
            eb('deliveries.status', '=', 'failed'),
            eb.and([eb('deliveries.status', '=', 'claimed'), eb('deliveries.claimed_at', '<', staleBefore)]),
          ]),
        ),
    )
    .returningAll()
    .executeTakeFirst();
  return row && toDelivery(row);
}

/** Up to 25 characters, as Discord allows. */
function newNonce(): string {
  return `nd${randomBytes(11).toString('hex')}`;
}

export interface DeliveryKey {
  readonly guildId: string;
  readonly localDate: string;
  readonly sequence: number;
}

/** Alert kinds a successful post clears (at least one: the statement deletes by them). */
export type ClearedAlertKinds = readonly [string, ...string[]];

/**
 * A sent post recorded in one statement: the delivery's message, its schedule's success (failures forgotten)
 * and the server's alerts of the given kinds cleared, so they are told again if they come back. One statement
 * is all or nothing (a refused write leaves the claim to be retried with the same nonce) and one round trip:
 * a fan-out records a thousand of them on a few connections, and five round trips each (a transaction of
 * three) made every wave of posts wait for the last wave's records.
 */
export async function recordPostSent(
  db: Executor,
  key: DeliveryKey,
  sent: { messageId: string; threadId: string | null; at: Date; payload: unknown },
  clearedAlerts: ClearedAlertKinds,
): Promise<void> {
  await db
    .with('sent', (qb) =>
      qb
        .updateTable('deliveries')
        .set({
          status: 'sent',
          message_id: sent.messageId,
          thread_id: sent.threadId,
          sent_at: sent.at,
          sent_payload: JSON.stringify(sent.payload),
          last_error: null,
        })
        .where('guild_id', '=', key.guildId)
        .where('local_date', '=', key.localDate)
        .where('sequence', '=', key.sequence),
    )
    .with('succeeded', (qb) =>
      qb.updateTable('schedules').set({ last_posted_at: sent.at, failure_count: 0, retry_at: null }).where('guild_id', '=', key.guildId),
    )
    .deleteFrom('alerts_sent')
    .where('guild_id', '=', key.guildId)
    .where('kind', 'in', clearedAlerts)
    .execute();
}

/**
 * `maybeSent`: whether the post may be in Discord's channel after this failure (its send unanswered: true; refused
 * there, so nothing of it can be resent: false; failed before anything was learnt, as the database down: as it was).
 */
export async function markDeliveryFailed(db: Executor, key: DeliveryKey, error: string, maybeSent?: boolean): Promise<void> {
  await db
    .updateTable('deliveries')
    .set({ status: 'failed', last_error: error, ...(maybeSent === undefined ? {} : { maybe_sent: maybeSent }) })
    .where('guild_id', '=', key.guildId)
    .where('local_date', '=', key.localDate)
    .where('sequence', '=', key.sequence)
    .where('status', '=', 'claimed')
    .execute();
}

/** Renews a claim this process still holds (a send in flight), so no other process takes it over as stale. */
export async function renewClaim(db: Executor, key: DeliveryKey, claimedBy: string, at: Date): Promise<void> {
  await db
    .updateTable('deliveries')
    .set({ claimed_at: at })
    .where('guild_id', '=', key.guildId)
    .where('local_date', '=', key.localDate)
    .where('sequence', '=', key.sequence)
    .where('status', '=', 'claimed')
    .where('claimed_by', '=', claimedBy)
    .execute();
}

/**
 * The open claims of `claimedBy`, a process known to be dead, made to run out at `runOutAt` instead of a lease after
 * their last renewal (never later than that): its successor takes them over then. Returns how many.
 */
export async function endClaimsOfDeadProcess(db: Executor, claimedBy: string, runOutAt: Date, leaseMs: number): Promise<number> {
  const claimedAt = new Date(runOutAt.getTime() - leaseMs);
  const result = await db
    .updateTable('deliveries')
    .set({ claimed_at: claimedAt })
    .where('status', '=', 'claimed')
    .where('claimed_by', '=', claimedBy)
    .where('claimed_at', '>', claimedAt)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** The daily post (sequence 0) of a server's local day, if one was claimed or sent. */
export async function dailyDelivery(db: Executor, guildId: string, localDate: string): Promise<Delivery | undefined> {
  const row = await db
    .selectFrom('deliveries')
    .selectAll()
    .where('guild_id', '=', guildId)
    .where('local_date', '=', localDate)
    .where('sequence', '=', 0)
    .executeTakeFirst();
  return row && toDelivery(row);
}

/**
 * The first day from `fromDate` on whose daily post of this lesson failed after a send that may have reached Discord:
 * its retry resends the lesson that day, pinned or not.
 */
export async function lessonRetriedOn(db: Executor, guildId: string, lessonId: string, fromDate: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('deliveries')
    .select('local_date')
    .where('guild_id', '=', guildId)
    .where('lesson_id', '=', lessonId)
    .where('sequence', '=', 0)
    .where('status', '=', 'failed')
    .where('maybe_sent', '=', true)
    .where('local_date', '>=', fromDate)
    .orderBy('local_date')
    .limit(1)
    .executeTakeFirst();
  return row?.local_date;
}

export async function nextSequence(db: Executor, guildId: string, localDate: string): Promise<number> {
  const row = await db
    .selectFrom('deliveries')
    .select(sql<number>`coalesce(max(sequence) + 1, 0)::int`.as('next'))
    .where('guild_id', '=', guildId)
    .where('local_date', '=', localDate)
    .executeTakeFirstOrThrow();
  return row.next;
}

export async function lastSentDelivery(db: Executor, guildId: string): Promise<Delivery | undefined> {
  const row = await db
    .selectFrom('deliveries')
    .selectAll()
    .where('guild_id', '=', guildId)
    .where('status', '=', 'sent')
    .orderBy('sent_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && toDelivery(row);
}

function toDelivery(row: Selectable<DeliveriesTable>): Delivery {
  return {
    guildId: row.guild_id,
    localDate: row.local_date,
    sequence: row.sequence,
    lessonId: row.lesson_id,
    channelId: row.channel_id,
    status: row.status,
    nonce: row.nonce,
    claimedBy: row.claimed_by,
    claimedAt: row.claimed_at,
    attempts: row.attempts,
    messageId: row.message_id,
    threadId: row.thread_id,
    sentAt: row.sent_at,
    lastError: row.last_error,
    maybeSent: row.maybe_sent,
  };
}

/** The latest local day whose daily post went out (or is going out): what `nextPostTime` needs. */
export async function lastPostedLocalDate(db: Executor, guildId: string): Promise<string | null> {
  const row = await db
    .selectFrom('deliveries')
    .select('local_date')
    .where('guild_id', '=', guildId)
    .where('sequence', '=', 0)
    .where('status', 'in', ['claimed', 'sent'])
    .orderBy('local_date', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.local_date ?? null;
}

/** Whether any lesson was ever posted in the server (a daily post or a post-now that went out): what catch-up lists. */
export async function anyPostSent(db: Executor, guildId: string): Promise<boolean> {
  const row = await db.selectFrom('deliveries').select('guild_id').where('guild_id', '=', guildId).where('status', '=', 'sent').limit(1).executeTakeFirst();
  return row !== undefined;
}

/**
 * When the next open claim of another process runs out (claimed or last renewed, + `leaseMs`), among those still
 * running at `now`: the moment a claim left by a crashed process may be taken over. Claims already expired are
 * the due query's business (or belong to days no longer due), so they are not waited for.
 */
export async function nextForeignClaimExpiry(db: Executor, claimedBy: string, now: Date, leaseMs: number): Promise<Date | undefined> {
  const row = await db
    .selectFrom('deliveries')
    .select('claimed_at')
    .where('status', '=', 'claimed')
    .where('claimed_by', '<>', claimedBy)
    .where('claimed_at', '>', new Date(now.getTime() - leaseMs))
    .orderBy('claimed_at')
    .limit(1)
    .executeTakeFirst();
  return row && new Date(row.claimed_at.getTime() + leaseMs);
}
