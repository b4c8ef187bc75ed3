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
import { findLessonWithGuildReaders } from '../db/lessons.js';
import { plansBetween } from '../db/lesson-plans.js';
import { dailyPing, neutralizeMentions, plainText, visibleOr } from '../domain/discord-format/index.js';
import { truncateAtWord } from '../domain/text.js';
import { recordPostFailure, type Schedule } from '../db/schedules.js';
import type { DB } from '../db/schema.js';
import { describePostFailure, describeThreadFailure, postUnanswered, threadAlreadyOpened, type Channels, type PostedMessage } from '../discord/channels.js';
import type { ReplyPayload } from '../discord/reply.js';
import type { MessageCreateOptions } from 'discord.js';
import { addDays, parsePostTime, postDayEnds, postInstantFor, retryAfterFailure } from '../domain/schedule/index.js';
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

/** How long a card made ready ahead of its minute may wait for it (a tick after a busy minute included). */
const PREPARED_MAX_AGE_MS = 120_000;

const DUE_INSTANTS_KEPT = 10_000;

/** A post's record is tried this many times, 1 s then 2 s apart, before it is left to the claim's takeover. */
const RECORD_ATTEMPTS = 3;
const RECORD_RETRY_MS = 1_000;

/** A post Discord holds whose record is still to be written. */
interface UnrecordedPost {
  readonly message: PostedMessage;
  readonly threadId: string | null;
  /** Discord kept the card's embed (it drops it, silently, where the bot lacks Embed Links). */
  readonly cardShown: boolean;
  /** What the moderators are to be told about the post once it is recorded (a thread refused, the card dropped). */
  readonly alerts: readonly PostAlert[];
  readonly at: Date;
  readonly payload: unknown;
}

/** A problem with a post that went out, for the alerts channel (`Alerts.tell`'s kind, key and message). */
interface PostAlert {
  readonly kind: string;
  readonly key: string;
  readonly payload: ReplyPayload;
}

/** How far a post got before it failed: the card built, the channel checked, the message sent. */
type PostStage = 'card' | 'channel' | 'send';

/** The chosen lesson was removed from the library between its choice and its card (a retry chooses again). */
class LessonLeftLibrary extends Error {
  override readonly name = 'LessonLeftLibrary';
}

/**
 * Why the card could not be built, in words for moderators: nothing reached Discord. Not theirs to fix; said as
 * what it is, where it was "Discord could not be reached" until 2026-12-07.
 */
function describeCardFailure(error: unknown): { reason: string; moderatorsCanFix: boolean } {
  if (error instanceof LessonLeftLibrary) return { reason: 'its lesson was removed from the library before it went out', moderatorsCanFix: false };
  return { reason: 'its lesson could not be read from the database', moderatorsCanFix: false };
}

/** A daily post's card, built before its minute: the lesson it shows, and the payload without its nonce and pings. */
interface PreparedCard {
  readonly localDate: string;
  readonly lessonId: string;
  readonly title: string;
  readonly rendered: ReplyPayload;
  readonly at: number;
}

export type PostResult =
  | {
      readonly status: 'sent';
      readonly delivery: Delivery;
      readonly messageId: string;
      readonly lessonId: string;
      /** Its card was built before the minute (`prepare`), so only the claim and the send were left at the minute. */
      readonly prepared: boolean;
    }
  /**
   * Discord has the post but its record could not be written (the database gone): the claim is left as it is, not
   * marked failed, so whoever takes it over after the lease records it (this process without sending again; another
   * with the same nonce, within Discord's few minutes of deduplication) instead of posting it again much later.
   */
  | { readonly status: 'unrecorded'; readonly messageId: string }
  | { readonly status: 'already-claimed' }
  | { readonly status: 'no-lesson' }
  /** `retryAt`: when the timer tries again; null for a moderator's post now, which is no daily post's try. */
  | { readonly status: 'failed'; readonly reason: string; readonly retryAt: Date | null };

/**
 * Posts a server's lesson card exactly once per claim: claim in the database first (one process wins),
 * send with Discord's nonce so a resend after a crash is recognised, record the message after.
 */
export class LessonPoster {
  /** Cards built ahead of their minute, by server. */
  private readonly prepared = new Map<string, PreparedCard>();
  /** Counts forgets: a card whose building began before one is not kept (it may show what was just changed). */
  private generation = 0;
  /** Due instants by day, time and zone: servers due the same minute share a few (luxon's zone arithmetic, ~0.25 ms each). */
  private readonly dueInstants = new Map<string, number>();
  /** Posts under way (`post` calls not yet returned). */
  private posting = 0;
  /** Posts in announcement channels to publish once no post is under way (see `publish`). */
  private readonly unpublished: { readonly message: PostedMessage; readonly key: DeliveryKey }[] = [];
  /**
   * Servers that had no lesson left to post, with the local day: passed over by the timer that day
   * (`hasNoLessonLeft`) until the library or the server's plans or schedule change (`forgetPrepared`), not looked up
   * again every minute all day. A later day is looked up again (a lesson pinned to it is that day's).
   */
  private readonly noLessonLeft = new Map<string, string>();
  /** Posts Discord has whose record could not be written yet, by delivery key: recorded, not sent, when claimed again. */
  private readonly unrecorded = new Map<string, UnrecordedPost>();

  constructor(private readonly deps: PosterDeps) {}

  /** Tells a server's moderators about a problem with its daily post, once per kind and key (alerts.ts). */
  tellModerators(guildId: string, kind: string, key: string, payload: ReplyPayload): Promise<void> {
    return this.deps.alerts.tell(guildId, kind, key, payload);
  }

  /** Posts under way (`post` calls not yet returned): a fan-out, or a moderator's post now. */
  get postsUnderWay(): number {
    return this.posting;
  }

  /** Whose claims are this process's own. */
  get processId(): string {
    return this.deps.processId;
  }

  /**
   * `byModerator`: a moderator's `/schedule post-now`. Its failure is answered to them and is no try of the daily
   * post: it neither backs the daily post off nor alerts "I will try again" (a failed post now at 08:40 held a
   * 09:00 post until 09:05, four of them until 09:23, while /schedule show said 09:00).
   */
  async post(schedule: Schedule, localDate: string, sequence: number, lessonId?: string, options: { byModerator?: boolean } = {}): Promise<PostResult> {
    this.posting++;
    try {
      const ready = sequence === 0 && lessonId === undefined ? this.takePrepared(schedule.guildId, localDate) : undefined;
      const result = await this.claimAndSend(schedule, localDate, sequence, lessonId, ready, options.byModerator === true);
      this.deps.metrics?.posts.inc({ outcome: result.status.replace('-', '_') });
      return result;
    } catch (error) {
      // Not claimed or not sent at all (the database failed the lesson's lookup or the claim): a failed attempt too,
      // which the counter left out, so `outcome="failed"` stayed flat while posts failed.
      this.deps.metrics?.posts.inc({ outcome: 'failed' });
      throw error;
    } finally {
      if (--this.posting === 0) for (const { message, key } of this.unpublished.splice(0)) void this.publish(message, key);
    }
  }

  /**
   * Builds a server's daily card before its minute (the lesson read, its readers counted, the card rendered), so
   * that at the minute only the claim, the send and its record are left: the first of Discord's 50 writes a
   * second go out together, and every later one as soon as the global limit allows. Nothing is claimed here.
   * Whatever changes the day's choice or the card forgets it (`forgetPrepared`: the server's schedule, plans or
   * posts, by delivery's service; the library, by the lessons service and the change feed), and a claim that
   * keeps another lesson (taken over from a crashed process) builds its own. Returns whether a card is ready.
   */
  async prepare(schedule: Schedule, localDate: string): Promise<boolean> {
    const generation = this.generation;
    const { lessonId } = await lessonForDay(this.deps.db, schedule.guildId, localDate);
    if (!lessonId) return false;
    const card = await this.buildCard(lessonId, schedule.guildId);
    if (generation !== this.generation) return false;
    this.prepared.set(schedule.guildId, { localDate, lessonId, title: card.title, rendered: card.rendered, at: this.deps.now().getTime() });
    return true;
  }

  /** Forgets the cards built ahead (one server's, or all: the library changed, so a card may show an old text). */
  forgetPrepared(guildId?: string): void {
    this.generation++;
    if (guildId === undefined) {
      this.prepared.clear();
      this.noLessonLeft.clear();
    } else {
      this.prepared.delete(guildId);
      this.noLessonLeft.delete(guildId);
    }
  }

  /** The server had no lesson left for that local day, and nothing that could give it one has changed since. */
  hasNoLessonLeft(guildId: string, localDate: string): boolean {
    return this.noLessonLeft.get(guildId) === localDate;
  }

  /** Forgets cards older than they may be used (a schedule that stopped being due, a server this process left). */
  forgetStalePrepared(): void {
    for (const [guildId, card] of this.prepared) if (this.expired(card)) this.prepared.delete(guildId);
  }

  /** Whether the server's card for that day is built ahead and may still be used. */
  isPrepared(guildId: string, localDate: string): boolean {
    return this.usable(this.prepared.get(guildId), localDate) !== undefined;
  }

  /** Cards built ahead and not yet used. */
  get preparedCount(): number {
    return this.prepared.size;
  }

  private takePrepared(guildId: string, localDate: string): PreparedCard | undefined {
    const card = this.prepared.get(guildId);
    this.prepared.delete(guildId);
    return this.usable(card, localDate);
  }

  /** The card, if it is for that day and not too old to be used. */
  private usable(card: PreparedCard | undefined, localDate: string): PreparedCard | undefined {
    return card !== undefined && card.localDate === localDate && !this.expired(card) ? card : undefined;
  }

  private expired(card: PreparedCard): boolean {
    return this.deps.now().getTime() - card.at > PREPARED_MAX_AGE_MS;
  }

  private async claimAndSend(
    schedule: Schedule,
    localDate: string,
    sequence: number,
    lessonId: string | undefined,
    ready: PreparedCard | undefined,
    byModerator: boolean,
  ): Promise<PostResult> {
    const { db, logger } = this.deps;
    // Read before the day's lesson is: a change to the library or the plans after it must not be missed.
    const generation = this.generation;
    const chosen = lessonId ?? ready?.lessonId ?? (await lessonForDay(db, schedule.guildId, localDate)).lessonId;
    if (!chosen) {
      // The lessons not posted yet may all be pinned to later days: then they are not "all posted".
      const [pinnedLater] = await plansBetween(db, schedule.guildId, addDays(localDate, 1), '9999-12-31');
      await this.deps.alerts.tell(schedule.guildId, 'no-lesson', 'queue-empty', noLessonAlert(pinnedLater?.localDate));
      if (generation === this.generation) this.noLessonLeft.set(schedule.guildId, localDate);
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
      // The timer's post goes out only while the schedule is as it was found due: one paused or moved meanwhile (a
      // fan-out's post waits its turn for seconds) is not posted; until 2026-12-07 it was, after "paused" was said.
      ...(byModerator || sequence !== 0 ? {} : { whileScheduled: { postTime: schedule.postTime, timeZone: schedule.timeZone } }),
    });
    if (!delivery) return { status: 'already-claimed' };
    // A claim taken over from a crashed process keeps that claim's lesson, which the card may not show.
    return this.send(schedule, delivery, ready?.lessonId === delivery.lessonId ? ready : undefined, byModerator);
  }

  /** The lesson's card with its readers in the server so far (one statement); throws if the lesson left the library. */
  private async buildCard(lessonId: string, guildId: string): Promise<{ title: string; rendered: ReplyPayload }> {
    const found = await findLessonWithGuildReaders(this.deps.db, lessonId, guildId);
    if (!found) throw new LessonLeftLibrary(`lesson ${lessonId} vanished from the library`);
    return { title: found.stored.lesson.title, rendered: renderLessonPost(found.stored, found.readers) };
  }

  private async send(schedule: Schedule, delivery: Delivery, ready: PreparedCard | undefined, byModerator = false): Promise<PostResult> {
    const { logger } = this.deps;
    const key: DeliveryKey = { guildId: delivery.guildId, localDate: delivery.localDate, sequence: delivery.sequence };
    const lease = this.keepLease(delivery);
    const unrecordedKey = `${key.guildId}/${key.localDate}/${key.sequence}`;
    let posted: UnrecordedPost | undefined = this.unrecorded.get(unrecordedKey);
    // How far the post got: only a failure of the send itself may have reached Discord (quick retries, backoff.ts).
    let stage: PostStage = 'card';
    try {
      if (posted === undefined) {
        const card = ready ?? (await this.buildCard(delivery.lessonId, schedule.guildId));
        stage = 'channel';
        // The card's own permissions only: a thread refused (Create Public Threads) costs the thread, not the lesson.
        const channel = await this.deps.channels.postable(delivery.channelId, { guildId: schedule.guildId });
        const payload = this.message(schedule, card.rendered, delivery.nonce);
        stage = 'send';
        const message = await channel.send(payload);
        // A success without a message (an empty answer from a proxy in between) is not a post: retry it later; the
        // nonce makes Discord return the first message if there was one.
        if (typeof message.id !== 'string' || message.id === '') throw new Error('Discord answered the post without a message');
        const alerts: PostAlert[] = [];
        const threadId = schedule.createThread ? await this.openThread(schedule, delivery.channelId, message, card.title, alerts) : null;
        const cardShown = this.checkCardShown(schedule, delivery.channelId, payload, message, alerts);
        posted = { message, threadId, cardShown, alerts, at: this.deps.now(), payload: { ...payload, nonce: delivery.nonce } };
      }
      const { message, threadId, at } = posted;
      const threadFine = !schedule.createThread || threadId !== null;
      // The post's record, the schedule's success and its cleared alerts: one statement, all or none of them.
      const cleared: ClearedAlertKinds = ['post-failed', 'no-lesson', ...(threadFine ? ['thread-failed'] : []), ...(posted.cardShown ? ['card-dropped'] : [])];
      try {
        await this.recordSent(key, { messageId: message.id, threadId, at, payload: posted.payload }, cleared);
      } catch (error) {
        // Discord has it: never a failure to send again in 5 minutes (past its deduplication), but a record owed.
        this.unrecorded.set(unrecordedKey, posted);
        logger.error({ err: error, ...key, messageId: message.id }, 'lesson posted but not recorded; its claim is left to record it after the lease');
        return { status: 'unrecorded', messageId: message.id };
      }
      this.unrecorded.delete(unrecordedKey);
      // Told after the record: the post went out whatever becomes of its alerts (until 2026-12-08 a database failing
      // in an alert failed the post, which was then retried as unsent).
      await this.tellAfterPost(key, posted.alerts);
      if (message.crosspostable === true) this.unpublished.push({ message, key });
      const lagSeconds = delivery.sequence === 0 ? this.scheduleLag(schedule, delivery.localDate, at) : undefined;
      const prepared = ready !== undefined;
      logger.info({ ...key, lessonId: delivery.lessonId, messageId: message.id, attempts: delivery.attempts, lagSeconds, prepared }, 'lesson posted');
      return { status: 'sent', delivery, messageId: message.id, lessonId: delivery.lessonId, prepared };
    } catch (error) {
      return await this.fail(schedule, delivery, error, byModerator, stage);
    } finally {
      clearInterval(lease);
    }
  }

  /** The post's record, tried again briefly: a lost connection or a statement timed out mid-failover. */
  private async recordSent(key: DeliveryKey, sent: Parameters<typeof recordPostSent>[2], cleared: ClearedAlertKinds): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await recordPostSent(this.deps.db, key, sent, cleared);
        return;
      } catch (error) {
        if (attempt >= RECORD_ATTEMPTS) throw error;
        this.deps.logger.warn({ err: error, ...key, attempt }, 'could not record a post; trying again');
        await new Promise((resolve) => setTimeout(resolve, RECORD_RETRY_MS * attempt));
      }
    }
  }

  /** Seconds between the daily post's due minute and its send (what an operator watches after a crash or an outage). */
  private scheduleLag(schedule: Schedule, localDate: string, sentAt: Date): number | undefined {
    try {
      const key = `${localDate} ${schedule.postTime} ${schedule.timeZone}`;
      let due = this.dueInstants.get(key);
      if (due === undefined) {
        due = postInstantFor(localDate, parsePostTime(schedule.postTime), schedule.timeZone).getTime();
        if (this.dueInstants.size >= DUE_INSTANTS_KEPT) this.dueInstants.clear();
        this.dueInstants.set(key, due);
      }
      const seconds = Math.max(0, (sentAt.getTime() - due) / 1000);
      this.deps.metrics?.scheduleLagSeconds.observe(seconds);
      return seconds;
    } catch {
      return undefined;
    }
  }

  private message(schedule: Schedule, rendered: ReplyPayload, nonce: string): MessageCreateOptions {
    const ping = dailyPing(schedule.roleId, schedule.guildId);
    return {
      ...(rendered as MessageCreateOptions),
      content: `${ping.prefix}${rendered.content ?? '📰 Today’s lesson is here!'}`,
      nonce,
      enforceNonce: true,
      // Only the role the moderators chose is pinged; nothing in the lesson can ping anyone.
      allowedMentions: ping.allowedMentions,
    };
  }

  /**
   * In an announcement channel the post is published, as a moderator would press Publish: the servers that
   * follow the channel get the lesson too (Discord: `POST …/messages/{id}/crosspost`). A refusal is logged;
   * the post stands. Publishing waits until no post is under way: a publication is one more request under the
   * global limit (50/s), and at a fan-out's minute every server's post comes first.
   */
  private async publish(message: PostedMessage, key: DeliveryKey): Promise<void> {
    try {
      await message.crosspost?.();
    } catch (error) {
      this.deps.logger.warn({ err: error, ...key, messageId: message.id }, 'lesson posted but not published to the servers that follow the channel');
    }
  }

  /**
   * Tells the moderators what went wrong with a post that went out. A failure (the database, the alerts channel) is
   * logged and fails nothing: the alert is not counted as told, so the problem's next occurrence tells it.
   */
  private async tellAfterPost(key: DeliveryKey, alerts: readonly PostAlert[]): Promise<void> {
    for (const { kind, key: alertKey, payload } of alerts) {
      try {
        await this.deps.alerts.tell(key.guildId, kind, alertKey, payload);
      } catch (error) {
        this.deps.logger.warn({ err: error, ...key, kind }, 'lesson posted, but its alert could not be told; it is told the next time');
      }
    }
  }

  /**
   * Whether Discord kept the card. Where the bot lacks Embed Links, Discord posts the message without its embeds and
   * says nothing else: in a channel the bot did not read first (channelNotRead: nothing was checked before the post), or
   * whose permissions changed after they were checked. The post stands (its greeting and buttons are out, and sending
   * it again would post it twice); the moderators are told once, as for a thread.
   */
  private checkCardShown(schedule: Schedule, channelId: string, payload: MessageCreateOptions, message: PostedMessage, alerts: PostAlert[]): boolean {
    if ((payload.embeds?.length ?? 0) === 0 || message.embeds === undefined || message.embeds.length > 0) return true;
    this.deps.logger.warn({ guildId: schedule.guildId, messageId: message.id }, 'lesson posted without its card: Discord dropped the embed (no Embed Links)');
    alerts.push({
      kind: 'card-dropped',
      key: 'embed-links',
      payload: {
        content:
          `⚠️ I posted today’s lesson in <#${channelId}>, but Discord left out its card (the summary and details): ` +
          'I am missing **Embed Links** there. Give it to me, or move the schedule with `/schedule set`.',
      },
    });
    return false;
  }

  /** The post's discussion thread, or null with the moderators' alert added to `alerts`. */
  private async openThread(schedule: Schedule, channelId: string, message: PostedMessage, title: string, alerts: PostAlert[]): Promise<string | null> {
    try {
      const thread = await message.startThread({ name: threadName(title), autoArchiveDuration: 1440 });
      return thread.id;
    } catch (error) {
      if (threadAlreadyOpened(error)) {
        this.deps.logger.info({ guildId: schedule.guildId, messageId: message.id }, 'the discussion thread was open already (an earlier try of the request)');
        return message.id;
      }
      this.deps.logger.warn({ err: error, guildId: schedule.guildId }, 'could not open a discussion thread');
      const { key, advice } = describeThreadFailure(error);
      alerts.push({
        kind: 'thread-failed',
        key,
        payload: { content: `⚠️ I posted today’s lesson in <#${channelId}> but could not open a discussion thread on it. ${advice}` },
      });
      return null;
    }
  }

  private async fail(schedule: Schedule, delivery: Delivery, error: unknown, byModerator: boolean, stage: PostStage): Promise<PostResult> {
    const { db, logger } = this.deps;
    const key: DeliveryKey = { guildId: delivery.guildId, localDate: delivery.localDate, sequence: delivery.sequence };
    const { reason, moderatorsCanFix } = stage === 'card' ? describeCardFailure(error) : describePostFailure(error);
    const at = this.deps.now();
    // A moderator's post now is told to them; the day's post stays as it was (due at its time, or backing off as before).
    const before = { failures: schedule.failureCount, lastFailureAt: schedule.lastFailureAt };
    // A post that may have reached Discord is retried while its nonce still holds (backoff.ts).
    const unanswered = stage === 'send' && postUnanswered(error);
    const time = parsePostTime(schedule.postTime);
    const retry = byModerator ? undefined : retryAfterFailure(at, before, delivery.localDate, time, schedule.timeZone, { unanswered });
    logger.warn({ err: error, ...key, channelId: delivery.channelId, reason, retryAt: retry?.retryAt }, byModerator ? 'post now failed' : 'lesson post failed');
    await markDeliveryFailed(db, key, reason, maybeSentAfter(error, stage, unanswered));
    if (!retry) return { status: 'failed', reason, retryAt: null };
    const { failures, retryAt } = retry;
    await recordPostFailure(db, schedule.guildId, { at, reason, retryAt, failures });
    // Discord being down is not the moderators' to fix: it shows in /schedule show and the logs, not as an alert.
    if (moderatorsCanFix) {
      // A retry reaching the day's end is none: past days are never posted (until 2026-12-07 "I will try again" at midnight).
      const again = retryAt >= postDayEnds(delivery.localDate, time, schedule.timeZone)
        ? 'I will not try again today: tomorrow’s lesson goes out at its time. '
        : `I will try again <t:${Math.floor(retryAt.getTime() / 1000)}:R>. `;
      await this.deps.alerts.tell(schedule.guildId, 'post-failed', reason, {
        content: `⚠️ I could not post today’s lesson in <#${delivery.channelId}>: ${reason}. ${again}Fix it, or move the schedule with \`/schedule set\`.`,
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

/**
 * Whether a failed post may be in its channel, for its retry (`markDeliveryFailed`): an unanswered send may have
 * reached Discord, so its retry resends the same lesson to the same channel with the same nonce. A refusal there
 * (the channel gone, a permission lost), or its lesson gone from the library, means it cannot be resent as it was:
 * the retry goes where and with what the schedule says then. A failure that learnt nothing (the database or the
 * channel's read failing) leaves it as it was.
 */
function maybeSentAfter(error: unknown, stage: PostStage, unanswered: boolean): boolean | undefined {
  if (unanswered) return true;
  if (stage === 'card') return error instanceof LessonLeftLibrary ? false : undefined;
  return postUnanswered(error) ? undefined : false;
}

function noLessonAlert(nextPinnedDay: string | undefined): ReplyPayload {
  return {
    content: nextPinnedDay
      ? `📭 There is no lesson to post today: every lesson in the library has been posted in this server or is pinned to a later day (the next, ${nextPinnedDay}). ` +
        'Import new ones with `/lesson import`, or pin one to today with `/schedule plan`.'
      : '📭 There is no lesson left to post: every lesson in the library has been posted in this server. ' +
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
