import cron, { type ScheduledTask } from 'node-cron';
import pMap from 'p-map';
import type { Kysely } from 'kysely';
import { dueSchedules, type DueSchedule } from '../db/schedules.js';
import type { DB } from '../db/schema.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { LessonPoster } from './poster.js';

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
