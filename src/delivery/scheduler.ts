import cron, { type ScheduledTask } from 'node-cron';
import pMap from 'p-map';
import type { Kysely } from 'kysely';
import { nextForeignClaimExpiry } from '../db/deliveries.js';
import { dueSchedules, type DueSchedule } from '../db/schedules.js';
import type { DB } from '../db/schema.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { LessonPoster } from './poster.js';

const TAKEOVER_MARGIN_MS = 1_000;

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
  /** Due servers handled per tick; the rest are picked up by the next tick. */
  readonly batchSize?: number;
  readonly metrics?: Pick<Metrics, 'deliveryTickSeconds'>;
}

/**
 * One timer for every server: each tick asks the database which servers are due (one query),
 * then claims and posts for those. Exactly-once comes from the claims, not from the timer, so any
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
  private stopped = false;

  constructor(private readonly options: DeliverySchedulerOptions) {}

  start(): void {
    this.task = cron.schedule(this.options.cronExpression, () => this.tick(), {
      name: 'lesson-delivery',
      noOverlap: true,
    });
    // Catch up at once on posts missed while the bot was down.
    void this.tick();
  }

  /** Runs one tick unless one is already running (then waits for it); resolves once its posts are started. */
  tick(): Promise<void> {
    this.running ??= this.runTick().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.takeover?.timer);
    this.takeover = undefined;
    await this.task?.destroy();
    this.task = undefined;
    await this.running;
    await Promise.all(this.batches);
  }

  private async runTick(): Promise<void> {
    const { db, logger } = this.options;
    const endTimer = this.options.metrics?.deliveryTickSeconds.startTimer();
    try {
      const due = (
        await dueSchedules(db, this.options.now(), { staleClaimMs: this.options.leaseMs, limit: this.options.batchSize ?? 1000 })
      ).filter((item) => this.options.servesGuild(item.schedule.guildId) && !this.posting.has(item.schedule.guildId));
      await this.planTakeover();
      if (due.length === 0) return;
      logger.debug({ due: due.length }, 'delivery tick');
      for (const item of due) this.posting.add(item.schedule.guildId);
      // Not awaited: one slow post (a hung request, Discord's rate-limit queue) must not hold up the next
      // ticks, and with them every other server's post.
      const batch: Promise<unknown> = pMap(due, (item) => this.deliver(item), { concurrency: this.options.concurrency ?? 8 }).finally(
        () => this.batches.delete(batch),
      );
      this.batches.add(batch);
    } catch (error) {
      logger.error({ err: error }, 'delivery tick failed');
    } finally {
      endTimer?.();
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
      await this.options.poster.post(schedule, localDate, 0);
    } catch (error) {
      // One server's trouble never stops the others.
      this.options.logger.error({ err: error, guildId: schedule.guildId, localDate }, 'delivery failed');
    } finally {
      this.posting.delete(schedule.guildId);
    }
  }
}
