import { sql, type Selectable } from 'kysely';
import type { Executor, SchedulesTable } from './schema.js';

export interface Schedule {
  readonly guildId: string;
  readonly channelId: string;
  /** Local post time, 'HH:MM'. */
  readonly postTime: string;
  readonly timeZone: string;
  readonly roleId: string | null;
  readonly createThread: boolean;
  readonly paused: boolean;
  readonly effectiveFrom: Date;
  readonly failureCount: number;
  readonly retryAt: Date | null;
  readonly lastFailureAt: Date | null;
  readonly lastFailureReason: string | null;
  readonly lastPostedAt: Date | null;
}

export type ScheduleInput = Pick<Schedule, 'guildId' | 'channelId' | 'postTime' | 'timeZone' | 'roleId' | 'createThread'>;

/**
 * Creates or replaces a server's schedule. A new place or time clears past failures; a changed time or
 * zone takes effect from `now`, so it never fires for a time earlier today.
 */
export async function saveSchedule(db: Executor, input: ScheduleInput, now: Date): Promise<Schedule> {
  const row = await db
    .insertInto('schedules')
    .values({
      guild_id: input.guildId,
      channel_id: input.channelId,
      post_time: input.postTime,
      timezone: input.timeZone,
      role_id: input.roleId,
      create_thread: input.createThread,
      effective_from: now,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc.column('guild_id').doUpdateSet((eb) => ({
        channel_id: eb.ref('excluded.channel_id'),
        post_time: eb.ref('excluded.post_time'),
        timezone: eb.ref('excluded.timezone'),
        role_id: eb.ref('excluded.role_id'),
        create_thread: eb.ref('excluded.create_thread'),
        effective_from: sql<Date>`case when schedules.post_time is distinct from excluded.post_time
          or schedules.timezone is distinct from excluded.timezone then excluded.effective_from
          else schedules.effective_from end`,
        failure_count: 0,
        retry_at: null,
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
  return toSchedule(row);
}

/**
 * A role Discord deleted is no longer pinged by the server's daily post (a mention of it shows "@deleted-role" and
 * notifies nobody): true when it was the one pinged. By primary key.
 */
export async function clearPingRole(db: Executor, guildId: string, roleId: string, now: Date): Promise<boolean> {
  const row = await db
    .updateTable('schedules')
    .set({ role_id: null, updated_at: now })
    .where('guild_id', '=', guildId)
    .where('role_id', '=', roleId)
    .returning('guild_id')
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * The server's roles as Discord listed them (GUILD_CREATE, at each connection): a ping role not among them was
 * deleted while no process of the bot held the server. It is cleared; its id is returned. By primary key.
 */
export async function clearPingRoleNotAmong(db: Executor, guildId: string, roleIds: readonly string[], now: Date): Promise<string | undefined> {
  const result = await sql<{ role_id: string }>`
    with gone as (
      select guild_id, role_id from schedules
      where guild_id = ${guildId} and role_id is not null and not (role_id = any(${[...roleIds]}::text[]))
      for update
    )
    update schedules set role_id = null, updated_at = ${now}
    from gone where schedules.guild_id = gone.guild_id and schedules.role_id = gone.role_id
    returning gone.role_id`.execute(db);
  return result.rows[0]?.role_id;
}

export async function findSchedule(db: Executor, guildId: string): Promise<Schedule | undefined> {
  const row = await db.selectFrom('schedules').selectAll().where('guild_id', '=', guildId).executeTakeFirst();
  return row && toSchedule(row);
}

export async function setPaused(db: Executor, guildId: string, paused: boolean, now: Date): Promise<Schedule | undefined> {
  const row = await db
    .updateTable('schedules')
    .set({ paused, updated_at: now, ...(paused ? {} : { retry_at: null, failure_count: 0 }) })
    .where('guild_id', '=', guildId)
    .returningAll()
    .executeTakeFirst();
  return row && toSchedule(row);
}

export interface DueSchedule {
  readonly schedule: Schedule;
  /** The day the post is for: the server's local date at `now`, or the day before for a post a gap pushed past midnight. */
  readonly localDate: string;
}

/**
 * Which servers are due, decided in one query from the stored schedules: not paused, not backing off,
 * local time past the post time today, and no daily post sent (or claimed by a live process) for today or
 * a later local day (mirrors `isDue` in src/domain/schedule).
 * Only today's post is considered, or yesterday's until today's post time when yesterday's clock never showed it
 * (a gap ran into today: postDayAt), so posts missed while down are caught up that day and never for days long
 * past. A time that does not exist on a spring-forward day (02:30) is reached at the first valid minute after it,
 * because local time then jumps past it.
 */
export async function dueSchedules(
  db: Executor,
  now: Date,
  options: { staleClaimMs: number; limit: number; /** Only servers after this id: the next page. */ after?: string | undefined },
): Promise<DueSchedule[]> {
  const localNow = sql<string>`(${now}::timestamptz at time zone schedules.timezone)`;
  // The last wall-clock reading of yesterday: the instant today began (PostgreSQL's today 00:00, exact when that time
  // exists or a gap starts at it, as in every zone's rules of 2026–2027), less a microsecond.
  const yesterdayEnded = sql<string>`((((${localNow})::date)::timestamp at time zone schedules.timezone) - interval '1 microsecond') at time zone schedules.timezone`;
  const postDay = sql<string>`(case
    when (${localNow})::time >= schedules.post_time then (${localNow})::date
    when ${yesterdayEnded} < ((${localNow})::date - 1) + schedules.post_time then (${localNow})::date - 1
  end)`;
  const { after } = options;
  const rows = await db
    .selectFrom('schedules')
    .selectAll('schedules')
    .select(sql<string>`${postDay}::text`.as('local_date'))
    .$if(after !== undefined, (qb) => qb.where('schedules.guild_id', '>', after!))
    .where('paused', '=', false)
    .where((eb) => eb.or([eb('retry_at', 'is', null), eb('retry_at', '<=', now)]))
    .where(sql<boolean>`${postDay} is not null`)
    // Set or changed today: from its next post time on, compared on the wall clock (firstPostingDay in the domain).
    .where(
      sql<boolean>`${postDay} + schedules.post_time
        >= date_trunc('minute', schedules.effective_from at time zone schedules.timezone)`,
    )
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('deliveries')
            .select(sql`1`.as('one'))
            .whereRef('deliveries.guild_id', '=', 'schedules.guild_id')
            // On or after today: a server that moved its zone westward must not post its day twice.
            .where(sql<boolean>`deliveries.local_date >= ${postDay}`)
            .where('deliveries.sequence', '=', 0)
            .where((d) =>
              d.or([
                d('deliveries.status', '=', 'sent'),
                d.and([
                  d('deliveries.status', '=', 'claimed'),
                  d('deliveries.claimed_at', '>', new Date(now.getTime() - options.staleClaimMs)),
                ]),
              ]),
            ),
        ),
      ),
    )
    .orderBy('schedules.guild_id')
    .limit(options.limit)
    .execute();
  return rows.map((row) => ({ schedule: toSchedule(row), localDate: row.local_date }));
}

/** Marks the schedule failing, with the day's failure count and when to try again; returns the count stored. */
export async function recordPostFailure(
  db: Executor,
  guildId: string,
  failure: { at: Date; reason: string; retryAt: Date; /** The failures counted for the day so far, this one included. */ failures: number },
): Promise<number> {
  const row = await db
    .updateTable('schedules')
    .set(() => ({
      failure_count: failure.failures,
      retry_at: failure.retryAt,
      last_failure_at: failure.at,
      last_failure_reason: failure.reason,
    }))
    .where('guild_id', '=', guildId)
    .returning('failure_count')
    .executeTakeFirst();
  return row?.failure_count ?? 0;
}

/** The local 'HH:MM' of a stored `time` ('HH:MM:SS'). */
function hhmm(time: string): string {
  return time.slice(0, 5);
}

function toSchedule(row: Selectable<SchedulesTable>): Schedule {
  return {
    guildId: row.guild_id,
    channelId: row.channel_id,
    postTime: hhmm(row.post_time),
    timeZone: row.timezone,
    roleId: row.role_id,
    createThread: row.create_thread,
    paused: row.paused,
    effectiveFrom: row.effective_from,
    failureCount: row.failure_count,
    retryAt: row.retry_at,
    lastFailureAt: row.last_failure_at,
    lastFailureReason: row.last_failure_reason,
    lastPostedAt: row.last_posted_at,
  };
}

/** Every channel a server's lesson or its moderators' alerts go to (start-up, once: the channels the bot keeps). */
export async function postingChannelIds(db: Executor): Promise<{ guildId: string; channelId: string }[]> {
  const rows = await db
    .selectFrom('schedules')
    .select(['guild_id', 'channel_id as id'])
    .union(
      db
        .selectFrom('guild_settings')
        .select(['guild_id', 'alerts_channel_id as id'])
        .where('alerts_channel_id', 'is not', null)
        // A deleted alerts channel is not read ahead (a 404 at every start).
        .where('alerts_channel_gone_at', 'is', null)
        .$narrowType<{ id: string }>(),
    )
    .execute();
  return rows.map((row) => ({ guildId: row.guild_id, channelId: row.id }));
}
