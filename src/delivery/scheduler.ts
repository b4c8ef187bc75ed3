import cron, { type ScheduledTask } from 'node-cron';
import pMap from 'p-map';
import type { Kysely } from 'kysely';
import { nextForeignClaimExpiry } from '../db/deliveries.js';
import { dueSchedules, type DueSchedule } from '../db/schedules.js';
import type { DB } from '../db/schema.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { LessonPoster } from './poster.js';
import { runInSlots } from './post-slots.js';

const TAKEOVER_MARGIN_MS = 1_000;
/** A preparation closer than this to its moment waits for the next minute's. */
const PREPARE_MIN_DELAY_MS = 100;
const PREPARE_CONCURRENCY = 2;
/** Looked ahead beyond the lead: a timer that fires a little early still reaches its minute. */
const PREPARE_SLACK_MS = 1_000;
/** Due servers read per query unless `batchSize` says otherwise. */
const DUE_PAGE = 1_000;
/**
 * Schedules written after the minute's cards were built (schedulesChanged): their cards are built in one more pass,
 * this long after the first change (a thousand writes are a thousand notices), unless the minute is closer than
 * LATE_PREPARE_UNTIL_MS: then they are built at it, as before.
 */
const LATE_PREPARE_DELAY_MS = 250;
const LATE_PREPARE_UNTIL_MS = 1_000;
/**
 * A post of a tick that takes longer than this lets the next one start beside it: posts take well under a second
 * (a fan-out's 8 at once go out at Discord's 50/s), one waiting out a channel's rate limit up to 5 s.
 */
const SLOW_POST_MS = 5_000;

export interface DeliverySchedulerOptions {
  readonly db: Kysely<DB>;
  readonly poster: LessonPoster;
  readonly logger: Logger;
  readonly now: () => Date;
  /** node-cron expression of the tick; every minute by default. */
  readonly cronExpression: string;
  readonly leaseMs: number;
  /** Servers this process may post for (its shards' guilds); others are left to their own process. */
  readonly servesGuild: (guildId: string) => boolean;
  /** Posts in flight at once per tick; discord.js queues them further under Discord’s rate limits. */
  readonly concurrency?: number;
  /** A post slower than this stops holding its place among `concurrency` (runInSlots): SLOW_POST_MS by default. */
  readonly slowPostMs?: number;
  /**
   * Due servers read per query: a tick reads every page (by server id), and the cards built ahead are those of the
   * first `batchSize` servers this process serves.
   */
  readonly batchSize?: number;
  /**
   * How long before each minute the posts due at it are made ready (their cards built, nothing claimed): see
   * `LessonPoster.prepare`. 0: none; each post is built at its minute.
   */
  readonly prepareAheadMs?: number;
  readonly metrics?: Pick<Metrics, 'deliveryTickSeconds'>;
}

/**
 * One timer for every server: each tick asks the database which servers are due (one query a page of
 * 1,000), then claims and posts for those. Exactly-once comes from the claims, not from the timer, so any
 * number of processes may tick against one database.
 */
export class DeliveryScheduler {
  private task: ScheduledTask | undefined;
  private running: Promise<void> | undefined;
  /** Servers whose post this process has queued or is sending: later ticks leave them alone. */
  private readonly posting = new Set<string>();
  private readonly batches = new Set<Promise<unknown>>();
  /** An extra tick when another process's claim runs out, so a crash delays its posts by one lease, not by a tick more. */
  private takeover: { at: number; timer: NodeJS.Timeout } | undefined;
  private prepareTimer: NodeJS.Timeout | undefined;
  private latePrepareTimer: NodeJS.Timeout | undefined;
  private preparing: Promise<number> | undefined;
  private stopped = false;
  private leaveUnstarted = false;

  constructor(private readonly options: DeliverySchedulerOptions) {}

  start(): void {
    this.task = cron.schedule(this.options.cronExpression, () => this.tick(), {
      name: 'lesson-delivery',
      noOverlap: true,
    });
    // Catch up at once on posts missed while the bot was down.
    void this.tick();
    this.armPrepare();
  }

  /**
   * Builds the cards of the posts due within `prepareAheadMs` from now (those this process serves and is not already
   * posting), two at a time; resolves with how many are ready. A failure ends the pass, logged once: what is not
   * ready is built at its minute.
   */
  prepareAhead(): Promise<number> {
    this.preparing ??= this.runPrepare().finally(() => {
      this.preparing = undefined;
    });
    return this.preparing;
  }

  /**
   * Schedules were written (a change notice: this process's commands, SQL, another process). Between the minute's
   * preparation and the minute, the cards of posts due at it that are not ready yet are built in one more pass,
   * so that the posts of schedules written then do not build theirs at the minute (a thousand of them, written 5 s
   * before: the last post 19.96 s after the minute without this pass, 19.69 s with it; BENCHMARKS.md, "Schedules
   * written after the minute's cards"). Before the preparation, nothing: it sees them.
   */
  schedulesChanged(): void {
    const ahead = this.options.prepareAheadMs ?? 0;
    if (ahead <= 0 || this.stopped || this.latePrepareTimer !== undefined) return;
    const now = this.options.now().getTime();
    const untilMinute = Math.ceil((now + 1) / 60_000) * 60_000 - now;
    if (untilMinute > ahead || untilMinute < LATE_PREPARE_UNTIL_MS + LATE_PREPARE_DELAY_MS) return;
    this.latePrepareTimer = setTimeout(() => {
      this.latePrepareTimer = undefined;
      // After a pass in progress (it may have read the due servers before these were written).
      void (this.preparing ?? Promise.resolve()).then(() => (this.stopped ? 0 : this.prepareAhead()));
    }, LATE_PREPARE_DELAY_MS);
    this.latePrepareTimer.unref();
  }

  /** Runs one tick unless one is already running (then waits for it); resolves once its posts are started. */
  tick(): Promise<void> {
    this.running ??= this.runTick().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /**
   * Stops ticking and waits for the work under way. `leaveUnstarted` (the process shutting down): a tick's posts not
   * begun yet are left unclaimed, for the next tick of this process or of any other, so a batch of thousands behind
   * Discord's 50/s does not hold the stop (and SIGTERM) for minutes, past a container's grace period; the posts in
   * flight finish. Without it (tests) the batch is finished first.
   */
  async stop(options: { leaveUnstarted?: boolean } = {}): Promise<void> {
    this.leaveUnstarted = options.leaveUnstarted === true;
    this.stopped = true;
    clearTimeout(this.takeover?.timer);
    this.takeover = undefined;
    clearTimeout(this.prepareTimer);
    this.prepareTimer = undefined;
    clearTimeout(this.latePrepareTimer);
    this.latePrepareTimer = undefined;
    await this.task?.destroy();
    this.task = undefined;
    await this.running;
    await this.preparing;
    await Promise.all(this.batches);
  }

  private async runTick(): Promise<void> {
    const { logger } = this.options;
    const endTimer = this.options.metrics?.deliveryTickSeconds.startTimer();
    try {
      const noLessonLeft: string[] = [];
      const due = await this.dueHere(this.options.now(), Number.POSITIVE_INFINITY, noLessonLeft);
      if (noLessonLeft.length > 0) {
        logger.debug({ servers: noLessonLeft.length, guildIds: noLessonLeft.slice(0, 20) }, 'servers with no lesson left passed over');
      }
      await this.planTakeover();
      if (due.length === 0) return;
      logger.debug({ due: due.length }, 'delivery tick');
      for (const item of due) this.posting.add(item.schedule.guildId);
      // Not awaited: one slow post (a hung request, Discord's rate-limit queue) must not hold up the next
      // ticks, and with them every other server's post; nor, in the batch, the posts after it (runInSlots).
      const batch: Promise<unknown> = runInSlots(due, (item) => this.deliver(item), {
        concurrency: this.options.concurrency ?? 8,
        slowAfterMs: this.options.slowPostMs ?? SLOW_POST_MS,
      }).finally(() => this.batches.delete(batch));
      this.batches.add(batch);
    } catch (error) {
      logger.error({ err: error }, 'delivery tick failed');
    } finally {
      endTimer?.();
    }
  }

  /** Sets the next preparation for `prepareAheadMs` before the coming minute (the one after, if that moment is past). */
  private armPrepare(): void {
    const ahead = this.options.prepareAheadMs ?? 0;
    if (ahead <= 0 || this.stopped) return;
    const now = this.options.now().getTime();
    let at = Math.ceil((now + 1) / 60_000) * 60_000 - ahead;
    while (at <= now + PREPARE_MIN_DELAY_MS) at += 60_000;
    this.prepareTimer = setTimeout(() => {
      void this.prepareAhead().finally(() => this.armPrepare());
    }, at - now);
    this.prepareTimer.unref();
  }

  private async runPrepare(): Promise<number> {
    const { poster, logger } = this.options;
    poster.forgetStalePrepared();
    try {
      const ahead = new Date(this.options.now().getTime() + (this.options.prepareAheadMs ?? 0) + PREPARE_SLACK_MS);
      // Cards still ready are not built again (a pass for schedules written after the minute's: schedulesChanged).
      const due = (await this.dueHere(ahead, this.options.batchSize ?? DUE_PAGE)).filter(({ schedule, localDate }) => !poster.isPrepared(schedule.guildId, localDate));
      // Half the pool's connections (4: twice the cores) at most: members' commands share the pool meanwhile, and
      // nothing is late yet. The first failure ends the pass (a database that is down fails every server alike,
      // each after its timeout); what is not ready is built at its minute.
      // A server the minute's tick took meanwhile builds its own card: one built now would come too late.
      const ready = await pMap(due, ({ schedule, localDate }) => (this.posting.has(schedule.guildId) ? false : poster.prepare(schedule, localDate)), {
        concurrency: PREPARE_CONCURRENCY,
      });
      const count = ready.filter(Boolean).length;
      if (count > 0) logger.debug({ prepared: count }, 'posts prepared ahead of their minute');
      return count;
    } catch (error) {
      logger.warn({ err: error, prepared: poster.preparedCount }, 'preparing posts ahead stopped; the rest are built at their minute');
      return 0;
    }
  }

  /**
   * The servers due at `at` that this process serves and is not already posting, at most `max`, read a page at a
   * time in server id order. One page was read before: servers that no process serves any more (the bot was
   * removed; their schedules stay due all day) could fill it, and then a server after them was never posted; and
   * a tick posted at most one page, so the servers beyond it waited for the next minute's.
   */
  private async dueHere(at: Date, max: number, noLessonLeft?: string[]): Promise<DueSchedule[]> {
    const limit = this.options.batchSize ?? DUE_PAGE;
    const mine: DueSchedule[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await dueSchedules(this.options.db, at, { staleClaimMs: this.options.leaseMs, limit, after });
      for (const item of page) {
        const guildId = item.schedule.guildId;
        if (!this.options.servesGuild(guildId) || this.posting.has(guildId)) continue;
        // A server with no lesson left stays due all day: it is passed over until something could give it one.
        if (this.options.poster.hasNoLessonLeft(guildId, item.localDate)) {
          noLessonLeft?.push(guildId);
          continue;
        }
        mine.push(item);
        if (mine.length >= max) return mine;
      }
      const last = page.at(-1);
      if (page.length < limit || !last) return mine;
      after = last.schedule.guildId;
    }
  }

  /**
   * Claims left by a process that died are taken over once their lease runs out. Waiting for the next cron tick
   * after that could add up to a whole interval (a minute by default), so a tick is also set for the moment the
   * next claim of another process expires (plus a second for clocks that differ between hosts).
   */
  private async planTakeover(): Promise<void> {
    const now = this.options.now();
    const expiry = await nextForeignClaimExpiry(this.options.db, this.options.poster.processId, now, this.options.leaseMs);
    if (!expiry || this.stopped) return;
    const at = expiry.getTime() + TAKEOVER_MARGIN_MS;
    if (this.takeover && this.takeover.at <= at) return;
    clearTimeout(this.takeover?.timer);
    const timer = setTimeout(() => {
      this.takeover = undefined;
      void this.tick();
    }, at - now.getTime());
    this.takeover = { at, timer };
  }

  private async deliver({ schedule, localDate }: DueSchedule): Promise<void> {
    try {
      if (this.stopped && this.leaveUnstarted) return;
      await this.options.poster.post(schedule, localDate, 0);
    } catch (error) {
      // One server's trouble never stops the others.
      this.options.logger.error({ err: error, guildId: schedule.guildId, localDate }, 'delivery failed');
    } finally {
      this.posting.delete(schedule.guildId);
    }
  }
}
