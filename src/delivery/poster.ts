import type { Kysely } from 'kysely';
import {
  claimDelivery,
  markDeliveryFailed,
  recordPostSent,
  renewClaim,
  type ClearedAlertKinds,
  type Delivery,
  type DeliveryKey,
} from '../db/deliveries.js';
import { findLesson, type LibraryLesson } from '../db/lessons.js';
import { neutralizeMentions, plainText, visibleOr } from '../domain/discord-format/index.js';
import { truncateAtWord } from '../domain/text.js';
import { countReadersInGuild } from '../db/reading.js';
import { recordPostFailure, type Schedule } from '../db/schedules.js';
import type { DB } from '../db/schema.js';
import { describePostFailure, type Channels, type PostedMessage } from '../discord/channels.js';
import type { ReplyPayload } from '../discord/reply.js';
import type { MessageCreateOptions } from 'discord.js';
import { backoffDelay, parsePostTime, postInstantFor } from '../domain/schedule/index.js';
import { renderLessonPost } from '../lessons/card-view.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { Alerts } from './alerts.js';
import { lessonForDay } from './lesson-choice.js';

export interface PosterDeps {
  readonly db: Kysely<DB>;
  /** Where posts go: Discord's channels (src/discord/channels.ts), or a double in tests. */
  readonly channels: Channels;
  readonly logger: Logger;
  readonly alerts: Alerts;
  readonly now: () => Date;
  /** Identifies this process in claims (host/pid/random). */
  readonly processId: string;
  /** A claim not renewed for this long belongs to a dead process and may be taken over. */
  readonly leaseMs: number;
  readonly metrics?: Pick<Metrics, 'posts' | 'scheduleLagSeconds'>;
}

export type PostResult =
  | { readonly status: 'sent'; readonly delivery: Delivery; readonly messageId: string; readonly lessonId: string }
  | { readonly status: 'already-claimed' }
  | { readonly status: 'no-lesson' }
  | { readonly status: 'failed'; readonly reason: string; readonly retryAt: Date };

/**
 * Posts a server's lesson card exactly once per claim: claim in the database first (one process wins),
 * send with Discord's nonce so a resend after a crash is recognised, record the message after.
 */
export class LessonPoster {
  constructor(private readonly deps: PosterDeps) {}

  /** Whose claims are this process's own. */
  get processId(): string {
    return this.deps.processId;
  }

  async post(schedule: Schedule, localDate: string, sequence: number, lessonId?: string): Promise<PostResult> {
    const result = await this.claimAndSend(schedule, localDate, sequence, lessonId);
    this.deps.metrics?.posts.inc({ outcome: result.status.replace('-', '_') });
    return result;
  }

  private async claimAndSend(schedule: Schedule, localDate: string, sequence: number, lessonId?: string): Promise<PostResult> {
    const { db, logger } = this.deps;
    const chosen = lessonId ?? (await lessonForDay(db, schedule.guildId, localDate)).lessonId;
    if (!chosen) {
      await this.deps.alerts.tell(schedule.guildId, 'no-lesson', 'queue-empty', noLessonAlert());
      logger.info({ guildId: schedule.guildId, localDate }, 'no lesson left to post');
      return { status: 'no-lesson' };
    }
    const delivery = await claimDelivery(db, {
      guildId: schedule.guildId,
      localDate,
      sequence,
      lessonId: chosen,
      channelId: schedule.channelId,
      claimedBy: this.deps.processId,
      now: this.deps.now(),
      staleClaimMs: this.deps.leaseMs,
    });
    if (!delivery) return { status: 'already-claimed' };
    return this.send(schedule, delivery);
  }

  private async send(schedule: Schedule, delivery: Delivery): Promise<PostResult> {
    const { db, logger } = this.deps;
    const key: DeliveryKey = { guildId: delivery.guildId, localDate: delivery.localDate, sequence: delivery.sequence };
    const lease = this.keepLease(delivery);
    try {
      const stored = await findLesson(db, delivery.lessonId);
      if (!stored) throw new Error(`lesson ${delivery.lessonId} vanished from the library`);
      const channel = await this.deps.channels.postable(delivery.channelId, { thread: schedule.createThread });
      const readers = await countReadersInGuild(db, stored.lesson.id, schedule.guildId);
      const payload = this.message(schedule, stored, readers, delivery.nonce);
      const message = await channel.send(payload);
      // A success without a message (an empty answer from a proxy in between) is not a post: retry it later; the
      // nonce makes Discord return the first message if there was one.
      if (typeof message.id !== 'string' || message.id === '') throw new Error('Discord answered the post without a message');
      const threadId = schedule.createThread ? await this.openThread(schedule, message, stored) : null;
      const at = this.deps.now();
      const threadFine = !schedule.createThread || threadId !== null;
      // The post's record, the schedule's success and its cleared alerts: one statement, all or none of them.
      const cleared: ClearedAlertKinds = ['post-failed', 'no-lesson', ...(threadFine ? ['thread-failed'] : [])];
      await recordPostSent(db, key, { messageId: message.id, threadId, at, payload: { ...payload, nonce: delivery.nonce } }, cleared);
      const lagSeconds = delivery.sequence === 0 ? this.scheduleLag(schedule, delivery.localDate, at) : undefined;
      logger.info({ ...key, lessonId: stored.lesson.id, messageId: message.id, attempts: delivery.attempts, lagSeconds }, 'lesson posted');
      return { status: 'sent', delivery, messageId: message.id, lessonId: stored.lesson.id };
    } catch (error) {
      return await this.fail(schedule, delivery, error);
    } finally {
      clearInterval(lease);
    }
  }

  /** Seconds between the daily post's due minute and its send (what an operator watches after a crash or an outage). */
  private scheduleLag(schedule: Schedule, localDate: string, sentAt: Date): number | undefined {
    try {
      const due = postInstantFor(localDate, parsePostTime(schedule.postTime), schedule.timeZone);
      const seconds = Math.max(0, (sentAt.getTime() - due.getTime()) / 1000);
      this.deps.metrics?.scheduleLagSeconds.observe(seconds);
      return seconds;
    } catch {
      return undefined;
    }
  }

  private message(schedule: Schedule, stored: LibraryLesson, readers: number, nonce: string): MessageCreateOptions {
    const rendered = renderLessonPost(stored, readers);
    const rolePing = schedule.roleId ? `<@&${schedule.roleId}> ` : '';
    return {
      ...(rendered as MessageCreateOptions),
      content: `${rolePing}${rendered.content ?? '📰 Today’s lesson is here!'}`,
      nonce,
      enforceNonce: true,
      // Only the role the moderators chose is pinged; nothing in the lesson can ping anyone.
      allowedMentions: schedule.roleId ? { parse: [], roles: [schedule.roleId] } : { parse: [] },
    };
  }

  private async openThread(schedule: Schedule, message: PostedMessage, stored: LibraryLesson): Promise<string | null> {
    try {
      const thread = await message.startThread({ name: threadName(stored.lesson.title), autoArchiveDuration: 1440 });
      return thread.id;
    } catch (error) {
      this.deps.logger.warn({ err: error, guildId: schedule.guildId }, 'could not open a discussion thread');
      await this.deps.alerts.tell(schedule.guildId, 'thread-failed', 'thread', {
        content: `⚠️ I posted today’s lesson in <#${schedule.channelId}> but could not open a discussion thread on it. Check that I may **Create Public Threads** there.`,
      });
      return null;
    }
  }

  private async fail(schedule: Schedule, delivery: Delivery, error: unknown): Promise<PostResult> {
    const { db, logger } = this.deps;
    const key: DeliveryKey = { guildId: delivery.guildId, localDate: delivery.localDate, sequence: delivery.sequence };
    const { reason, moderatorsCanFix } = describePostFailure(error);
    const failures = schedule.failureCount + 1;
    const at = this.deps.now();
    const retryAt = new Date(at.getTime() + backoffDelay(failures));
    logger.warn({ err: error, ...key, channelId: delivery.channelId, reason, retryAt }, 'lesson post failed');
    await markDeliveryFailed(db, key, reason);
    await recordPostFailure(db, schedule.guildId, { at, reason, retryAt });
    // Discord being down is not the moderators' to fix: it shows in /schedule show and the logs, not as an alert.
    if (moderatorsCanFix) {
      await this.deps.alerts.tell(schedule.guildId, 'post-failed', reason, {
        content:
          `⚠️ I could not post today’s lesson in <#${delivery.channelId}>: ${reason}. ` +
          `I will try again <t:${Math.floor(retryAt.getTime() / 1000)}:R>. ` +
          'Fix it, or move the schedule with `/schedule set`.',
      });
    }
    return { status: 'failed', reason, retryAt };
  }

  /** Renews the claim while a send is in flight (Discord's queue may hold it), so no other process takes it over. */
  private keepLease(delivery: Delivery): NodeJS.Timeout {
    const key: DeliveryKey = { guildId: delivery.guildId, localDate: delivery.localDate, sequence: delivery.sequence };
    const timer = setInterval(() => {
      void renewClaim(this.deps.db, key, this.deps.processId, this.deps.now()).catch((error: unknown) =>
        this.deps.logger.warn({ err: error }, 'could not renew a delivery claim'),
      );
    }, Math.max(250, Math.floor(this.deps.leaseMs / 3)));
    timer.unref();
    return timer;
  }
}

function noLessonAlert(): ReplyPayload {
  return {
    content:
      '📭 There is no lesson left to post: every lesson in the library has been posted in this server. ' +
      'Import new ones with `/lesson import`, or pin one to a day with `/schedule plan`.',
  };
}


/**
 * A discussion thread's name: the title without control or bidirectional characters, on one line, within
 * Discord's 100 characters (never half a surrogate pair); "Lesson" for a title that would show nothing.
 */
export function threadName(title: string): string {
  const name = neutralizeMentions(plainText(title)).replace(/\s+/gu, ' ').trim();
  return truncateAtWord(visibleOr(name, ''), 100) || 'Lesson';
}
