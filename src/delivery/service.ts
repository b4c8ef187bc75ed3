import type { Kysely } from 'kysely';
import { dailyDelivery, lastPostedLocalDate, lastSentDelivery, lessonRetriedOn, nextSequence, type Delivery } from '../db/deliveries.js';
import { forgetAlerts, guildSettings, markAlertsChannelGone, moderatorRoleIds, updateGuildSettings } from '../db/guild-settings.js';
import { findLessonHead, lessonTitles, type LibraryLessonHead } from '../db/lessons.js';
import { planLesson, unplanLesson, type PlanChanges } from '../db/lesson-plans.js';
import { countReadersInGuild } from '../db/reading.js';
import { clearPingRole, clearPingRoleNotAmong, findSchedule, postingChannelIds, saveSchedule, setPaused, type Schedule } from '../db/schedules.js';
import type { DB } from '../db/schema.js';
import {
  abbreviationAdvice,
  canonicalTimeZone,
  addDays,
  dayChoices,
  formatPostTime,
  InvalidPostTimeError,
  localDate,
  namedDay,
  parseLocalDate,
  readTypedPostTime,
  type DayChoice,
} from '../domain/schedule/index.js';
import { dateProblem } from '../domain/dates.js';
import { clip, isEveryoneRole, safeText, visibleOr } from '../domain/discord-format/index.js';
import type { LessonsService } from '../lessons/service.js';
import { UserError } from '../user-error.js';
import { keepsItsLesson, lessonForDay, upcomingLessons, type DayLesson, type DayLessonSource } from './lesson-choice.js';
import { nextPostOf } from './next-post.js';
import type { LessonPoster } from './poster.js';

export const NO_SCHEDULE = 'This server has no daily lesson yet. Set one with `/schedule set channel time timezone`.';

export interface DeliveryDeps {
  readonly db: Kysely<DB>;
  readonly now: () => Date;
  readonly lessons: LessonsService;
  readonly poster: LessonPoster;
  /** True while queries queue for a database connection: date suggestions then skip the database (main.ts). */
  readonly databaseBusy?: (() => boolean) | undefined;
}

/** Where and when, as a moderator typed it, checked: the time as HH:MM, the zone as its canonical name. */
export interface PostingTime {
  readonly postTime: string;
  readonly timeZone: string;
}

export interface UpcomingDay {
  readonly localDate: string;
  readonly title: string | null;
  readonly source: DayLessonSource | null;
}

export type PostNowResult = { readonly channelId: string; readonly messageId: string };

/** Where the server's alerts go, for `/schedule show`: no channel, or one, found deleted or not. */
export interface AlertsChannel {
  readonly channelId: string | null;
  readonly gone: boolean;
}

/** A day's daily post that went out (or is going out): where, and its message once recorded. */
export type DayPost = { readonly channelId: string; readonly messageId: string | null };

export type DeliveryService = ReturnType<typeof createDeliveryService>;

/**
 * Whether the days `upcoming` and `preview` show will post: a schedule set, paused (nothing posts until resumed; the
 * lessons then follow in the same order from that day), or none yet (the order lessons would go out in).
 */
export type ScheduleState = 'set' | 'paused' | 'none';

function scheduleState(schedule: Schedule | undefined): ScheduleState {
  return schedule === undefined ? 'none' : schedule.paused ? 'paused' : 'set';
}

/**
 * Why a day before the next post's has none: a schedule set or changed after that day's time (the next post is the
 * day after), or one moved west after a later day's post (the next post is after that day's; until 2026-12-07 preview
 * and plan gave the first reason for it too, when its time had not passed).
 */
export function noPostReason(day: string, nextPostDay: string): string {
  return nextPostDay > addDays(day, 1)
    ? "a later day's lesson went out before the schedule's time zone changed"
    : 'its post time had passed when the schedule was set or changed';
}

/**
 * The daily post's rules: the schedule (where, when, paused), which lesson each day gets (plans and the
 * queue), posting now, and the server's settings (alerts channel, moderator role).
 */
export function createDeliveryService(deps: DeliveryDeps) {
  const { db } = deps;

  /** After a server's schedule, plans or posts changed: cached days' lessons and a card built ahead are stale. */
  function scheduleChanged(guildId: string): void {
    deps.lessons.scheduleChanged();
    deps.poster.forgetPrepared(guildId);
  }

  async function requireSchedule(guildId: string): Promise<Schedule> {
    const schedule = await findSchedule(db, guildId);
    if (!schedule) throw new UserError(NO_SCHEDULE);
    return schedule;
  }

  /** The server's zone (UTC before a schedule exists): days are always the server's local days. */
  async function serverZone(guildId: string): Promise<string> {
    return (await findSchedule(db, guildId))?.timeZone ?? 'UTC';
  }

  /** The next post: when, and the day it is the post of (not its date when a DST gap pushed it past midnight). */
  async function nextPost(schedule: Schedule): Promise<{ at: Date; day: string }> {
    return nextPostOf(schedule, deps.now(), await lastPostedLocalDate(db, schedule.guildId));
  }

  /**
   * The next post's day when it has no lesson to post (the queue empty, no pin that day): nothing goes out then, and
   * `show`, `set` and `resume` say so rather than name the post. The poster remembers a day it found no lesson for.
   */
  async function noLessonOn(schedule: Schedule, day: string): Promise<string | undefined> {
    if (schedule.paused) return undefined;
    const noLesson = deps.poster.hasNoLessonLeft(schedule.guildId, day) || (await lessonForDay(db, schedule.guildId, day)).lessonId === null;
    return noLesson ? day : undefined;
  }

  /**
   * The local day of the server's next post; today without a schedule (days are counted from today then). Later
   * than today when none went out today and a schedule set after today's time starts tomorrow: today posts nothing.
   */
  async function nextPostDay(schedule: Schedule | undefined, today: string): Promise<string> {
    // The post's own day, not the date it goes out on (a DST gap can push a day's post past midnight).
    return schedule ? (await nextPost(schedule)).day : today;
  }

  /** A day's lesson as the queue will play it: walk the upcoming days up to it. */
  async function lessonForDayAfterQueue(guildId: string, today: string, day: string, firstPostDay: string): Promise<DayLesson | undefined> {
    if (day < today) return lessonForDay(db, guildId, day);
    const span = daySpan(today, day);
    if (span > MAX_WALK_DAYS) throw new UserError('Preview looks at most a year ahead.');
    const plan = await upcomingLessons(db, guildId, today, span, firstPostDay);
    return plan[plan.length - 1];
  }

  /**
   * Every channel a lesson or an alert is posted in, with its server, of the servers `serves` names: read at start,
   * and again when schedules change elsewhere, so their channels are read ahead of their posts (posting-channels-ahead.ts).
   */
  async function postingChannels(serves: (guildId: string) => boolean): Promise<{ guildId: string; channelId: string }[]> {
    return (await postingChannelIds(db)).filter((row) => serves(row.guildId));
  }

  async function pingRoleCleared(guildId: string, roleId: string): Promise<void> {
    scheduleChanged(guildId);
    await deps.poster.tellModerators(guildId, 'ping-role-deleted', roleId, {
      content: '⚠️ The role I pinged with each daily lesson was deleted, so daily lessons now ping nobody. To ping another role, run `/schedule set` again with `role`.',
    });
  }

  return {
    requireSchedule,

    /**
     * What the Discord client keeps of the servers `serves` names, read at start: every channel a lesson or an
     * alert is posted in, and every moderator role (to check members against).
     */
    async keptDiscordIds(serves: (guildId: string) => boolean): Promise<{ channelIds: string[]; moderatorRoleIds: string[] }> {
      const [channels, roles] = await Promise.all([postingChannels(serves), moderatorRoleIds(db)]);
      return {
        channelIds: channels.map((row) => row.channelId),
        moderatorRoleIds: roles.filter((row) => serves(row.guildId)).map((row) => row.roleId),
      };
    },

    postingChannels,

    /**
     * Discord deleted a role (GUILD_ROLE_DELETE): when it was the one the daily post pinged, the post pings nobody
     * from now on (a mention of it showed "@deleted-role" each day and notified nobody), and the moderators are told
     * once, to choose another.
     */
    async pingRoleDeleted(guildId: string, roleId: string): Promise<boolean> {
      if (!(await clearPingRole(db, guildId, roleId, deps.now()))) return false;
      await pingRoleCleared(guildId, roleId);
      return true;
    },

    /**
     * The server's roles as Discord lists them when a process connects (GUILD_CREATE): a ping role deleted while no
     * process held the server (the bot stopped, or between a moderator's choice and its save) is not among them, and
     * goes as a deleted one does. Until 2026-12-07 it stayed, and each day's post showed "@deleted-role".
     */
    async pingRolesListed(guildId: string, roleIds: readonly string[]): Promise<boolean> {
      const roleId = await clearPingRoleNotAmong(db, guildId, roleIds, deps.now());
      if (roleId === undefined) return false;
      await pingRoleCleared(guildId, roleId);
      return true;
    },

    /** Checks what a moderator typed for `/schedule set`, before anything is saved. */
    postingTime(time: string, timeZone: string): PostingTime {
      let postTime: string;
      try {
        postTime = formatPostTime(readTypedPostTime(time));
      } catch (error) {
        if (error instanceof InvalidPostTimeError) throw new UserError(safeText(error.message));
        throw error;
      }
      const zone = canonicalTimeZone(timeZone);
      if (!zone) {
        throw new UserError(
          abbreviationAdvice(timeZone) ?? `"${clip(safeText(timeZone), 80)}" is not a time zone I know. Pick one from the list, e.g. Europe/Berlin or Asia/Tokyo.`,
        );
      }
      return { postTime, timeZone: zone };
    },

    /** Saves where and when the daily lesson goes; a schedule set today starts at its next post time. */
    async setSchedule(input: {
      guildId: string;
      channelId: string;
      when: PostingTime;
      roleId: string | null;
      createThread: boolean;
    }): Promise<{ schedule: Schedule; next: Date; noLessonOn?: string; retried?: { day: string; channelId: string }; dropped: { roleId: string | null; thread: boolean } }> {
      const { guildId, channelId, when, roleId, createThread } = input;
      // `set` replaces the whole schedule: a ping or a thread the moderator left out goes, and the reply says so.
      const previous = await findSchedule(db, guildId);
      const schedule = await saveSchedule(db, { guildId, channelId, ...when, roleId, createThread }, deps.now());
      scheduleChanged(guildId);
      const dropped = { roleId: roleId === null ? (previous?.roleId ?? null) : null, thread: !createThread && previous?.createThread === true };
      const { at: next, day } = await nextPost(schedule);
      const empty = await noLessonOn(schedule, day);
      // The next post's day being retried after a send that may have reached its channel: the retry goes there, not to
      // the channel just set.
      const daily = schedule.paused ? undefined : await dailyDelivery(db, guildId, day);
      const retried = daily?.status === 'failed' && daily.maybeSent && daily.channelId !== channelId ? { day, channelId: daily.channelId } : undefined;
      return { schedule, next, ...(empty === undefined ? {} : { noLessonOn: empty }), ...(retried ? { retried } : {}), dropped };
    },

    /**
     * `noLessonOn`: the next post's day, when it has no lesson to post (noLessonOn). Until 2026-12-08 `/schedule show`
     * of such a server read "✅ Healthy", its next post "now", every minute (told nowhere without an alerts channel).
     */
    async status(guildId: string): Promise<{ schedule: Schedule; next: Date; lastSent: Delivery | undefined; alerts: AlertsChannel; noLessonOn?: string }> {
      const schedule = await requireSchedule(guildId);
      const [lastPosted, lastSent, settings] = await Promise.all([lastPostedLocalDate(db, guildId), lastSentDelivery(db, guildId), guildSettings(db, guildId)]);
      const alerts = { channelId: settings.alertsChannelId, gone: settings.alertsChannelGoneAt !== null };
      const { at: next, day } = nextPostOf(schedule, deps.now(), lastPosted);
      const empty = await noLessonOn(schedule, day);
      return empty === undefined ? { schedule, next, lastSent, alerts } : { schedule, next, lastSent, alerts, noLessonOn: empty };
    },

    /** For `/help`: where and when this server's lesson is posted (as `show`, no next post when its day has no lesson), or null before a schedule exists. */
    async dailyPost(guildId: string): Promise<DailyPost | null> {
      const schedule = await findSchedule(db, guildId);
      if (!schedule) return null;
      const { channelId, postTime, timeZone, paused } = schedule;
      const { at: next, day } = await nextPost(schedule);
      const empty = await noLessonOn(schedule, day);
      return { channelId, postTime, timeZone, paused, next, ...(empty === undefined ? {} : { noLessonOn: empty }) };
    },

    async pause(guildId: string): Promise<void> {
      const paused = await setPaused(db, guildId, true, deps.now());
      scheduleChanged(guildId);
      if (!paused) throw new UserError(NO_SCHEDULE);
    },

    /** Resumes posting; returns when the next post goes out, and its day when it has no lesson to post (as `status`). */
    async resume(guildId: string): Promise<{ next: Date; noLessonOn?: string }> {
      const schedule = await setPaused(db, guildId, false, deps.now());
      scheduleChanged(guildId);
      if (!schedule) throw new UserError(NO_SCHEDULE);
      const { at: next, day } = await nextPost(schedule);
      const empty = await noLessonOn(schedule, day);
      return empty === undefined ? { next } : { next, noLessonOn: empty };
    },

    /**
     * Pins a lesson to a day of the server's calendar: not a past day, and not a day whose lesson went out (today's,
     * or a later day's posted before the schedule moved its zone west: until 2026-12-07 that pin was taken and never
     * posted). A failed post may still be replaced, unless its send may have reached the channel: its retry resends
     * its lesson (until 2026-12-08 the pin was accepted, and not posted). The lesson's pin on another day not posted yet moves here (until
     * 2026-12-07 it stayed, and the lesson was posted on both days); another lesson's pin on this day is replaced. A
     * lesson whose post of a day from today on is being retried so is refused: the retry posts it that day.
     */
    async plan(
      guildId: string,
      input: { date: string; lesson: string; plannedBy: string },
    ): Promise<PlanChanges & { day: string; stored: LibraryLessonHead; nextPostDay?: string }> {
      const schedule = await findSchedule(db, guildId);
      const zone = schedule?.timeZone ?? 'UTC';
      const today = localDate(deps.now(), zone);
      const day = parseDay(input.date, today);
      if (day < today) throw new UserError(`${day} is in the past (today is ${today} in ${zone}).`);
      const posted = await dailyDelivery(db, guildId, day);
      if (posted && posted.status !== 'failed') {
        throw new UserError(
          day === today
            ? `Today’s lesson (${today}) has already been posted: pin this one to a later day.`
            : `The lesson of ${day} has already been posted (before the schedule’s time zone changed): pin this one to a later day.`,
        );
      }
      if (posted && keepsItsLesson(posted)) {
        // Its send may have reached the channel: the retry resends the same lesson (with its nonce), whatever is pinned.
        const title = (await lessonTitles(db, [posted.lessonId])).get(posted.lessonId) ?? '?';
        const shown = clip(safeText(visibleOr(title, '(untitled)')), 200);
        // The very lesson it resends: the pin would change nothing, and "pin this one to a later day" would post it twice.
        if ((await deps.lessons.requested(guildId, input.lesson)).lesson.id === posted.lessonId) {
          throw new UserError(
            `**${shown}** is already ${day === today ? `today’s post (${today})` : `the post of ${day}`}, being retried: ` +
              'its first try may have reached the channel, so it is sent again as it was. Nothing changed.',
          );
        }
        throw new UserError(
          `${day === today ? `Today’s post (${today})` : `The post of ${day}`} is being retried with **${shown}**: ` +
            'its first try may have reached the channel, so that lesson is sent again as it was. Pin this one to a later day.',
        );
      }
      const stored = await deps.lessons.requested(guildId, input.lesson);
      // This lesson's post of another day is being retried (its send may have reached the channel): the retry posts it
      // that day, pinned or not, so a pin here too would post it twice (until 2026-12-08 its pin there moved here).
      const retriedOn = await lessonRetriedOn(db, guildId, stored.lesson.id, today);
      if (retriedOn !== undefined) {
        throw new UserError(
          `${retriedOn === today ? `Today’s post (${today})` : `The post of ${retriedOn}`} is being retried with **${clip(safeText(visibleOr(stored.lesson.title, '(untitled)')), 200)}**: ` +
            `its first try may have reached the channel, so that lesson goes out that day. Pinned to ${day} as well, it would go out twice: ` +
            'pin another lesson, or pin this one again once that post has gone out (as a repeat).',
        );
      }
      // A lesson pinned to another day not posted yet moves (the reply says from which day), and one pinned over
      // another lesson's pin names it; a lesson already posted here may be pinned again, a repeat the reply names.
      const changes = await db
        .transaction()
        .execute((trx) => planLesson(trx, { guildId, localDate: day, lessonId: stored.lesson.id, plannedBy: input.plannedBy, fromDate: today }));
      scheduleChanged(guildId);
      // Today, when a schedule set after today's time first posts tomorrow: the daily post will not take the pin (said
      // since 2026-12-07; a moderator was told it was pinned and saw nothing go out), `post-now` will.
      const next = await nextPostDay(schedule, today);
      return day < next ? { ...changes, day, stored, nextPostDay: next } : { ...changes, day, stored };
    },

    /** Autocomplete of a date option: the days from today on in the server's calendar that match what was typed. */
    async dayChoices(guildId: string | null, typed: string): Promise<DayChoice[]> {
      // The server's zone is a query: under a backlog, none are suggested (Discord shows none and the moderator types
      // the date) rather than miss Discord's 3 seconds for an autocomplete answer, as lesson suggestions do.
      if (guildId && deps.databaseBusy?.()) return [];
      const zone = guildId ? await serverZone(guildId) : 'UTC';
      return dayChoices(typed, localDate(deps.now(), zone));
    },

    /**
     * Removes a day's pin. `posted`: the day's daily post, when it went out (or is going out): the pin no longer
     * mattered to it, and the reply says so (until 2026-12-07 it said the day gets the queue's next lesson); `retried`:
     * its post failed after a send that may have reached the channel, and its retry resends the lesson it had (until
     * 2026-12-08 the reply said the day gets the queue's next lesson). Otherwise
     * `passed`: a day gone by, nothing posted on it; `nextPostDay`: a day from today on that gets no daily post (as
     * `plan` says); `noLessonLeft`: a day the queue has no lesson left for. Until 2026-12-07 the reply said such a day
     * gets the queue's next lesson.
     */
    async unplan(
      guildId: string,
      date: string,
    ): Promise<{ day: string; removed: boolean; posted?: DayPost; retried?: true; passed?: true; nextPostDay?: string; noLessonLeft?: true }> {
      const schedule = await findSchedule(db, guildId);
      const today = localDate(deps.now(), schedule?.timeZone ?? 'UTC');
      const day = parseDay(date, today);
      const removed = await unplanLesson(db, guildId, day);
      scheduleChanged(guildId);
      const daily = await dailyDelivery(db, guildId, day);
      if (daily && daily.status !== 'failed') return { day, removed, posted: { channelId: daily.channelId, messageId: daily.messageId } };
      // Failed after a send that may have reached the channel: its retry resends its lesson, pinned or not.
      if (daily && keepsItsLesson(daily)) return { day, removed, retried: true };
      if (day < today) return { day, removed, passed: true };
      const next = await nextPostDay(schedule, today);
      if (day < next) return { day, removed, nextPostDay: next };
      // The queue, walked up to the day, may have nothing left for it (until 2026-12-08 the reply said it gets the
      // queue's next lesson). A day more than a year ahead is not walked.
      if (removed && daySpan(today, day) <= MAX_WALK_DAYS && !(await lessonForDayAfterQueue(guildId, today, day, next))?.lessonId) {
        return { day, removed, noLessonLeft: true };
      }
      return { day, removed };
    },

    /** The next `days` days and the lesson each will get, with titles, in the server's zone. */
    async upcoming(guildId: string, days: number): Promise<{ zone: string; days: UpcomingDay[]; state: ScheduleState }> {
      // Discord keeps the option within 1–25; anything else (a forged interaction) must not walk a million days.
      if (!Number.isInteger(days) || days < 1 || days > MAX_UPCOMING_DAYS) throw new UserError(`Ask for 1 to ${MAX_UPCOMING_DAYS} days.`);
      const schedule = await findSchedule(db, guildId);
      const zone = schedule?.timeZone ?? 'UTC';
      const today = localDate(deps.now(), zone);
      const plan = await upcomingLessons(db, guildId, today, days, await nextPostDay(schedule, today));
      const titles = await lessonTitles(db, plan.flatMap((day) => (day.lessonId ? [day.lessonId] : [])));
      return {
        zone,
        state: scheduleState(schedule),
        days: plan.map((day) => ({
          localDate: day.localDate,
          title: day.lessonId ? (titles.get(day.lessonId) ?? '?') : null,
          source: day.source,
        })),
      };
    },

    /** Exactly what would be posted on a day (default: the next post). */
    async preview(
      guildId: string,
      date: string | undefined,
    ): Promise<{ day: string; stored: LibraryLessonHead; readers: number; roleId: string | null; state: ScheduleState }> {
      const schedule = await findSchedule(db, guildId);
      const zone = schedule?.timeZone ?? 'UTC';
      const today = localDate(deps.now(), zone);
      const nextDay = await nextPostDay(schedule, today);
      const day = date ? parseDay(date, today) : nextDay;
      const chosen = await lessonForDayAfterQueue(guildId, today, day, nextDay);
      // A day gone by shows what its post took, if one went out; until 2026-12-07 one without a post showed the queue's
      // head (today's lesson) as if it would be posted on it.
      if (day < today && chosen?.source !== 'delivered') throw new UserError(`${day} is in the past (today is ${today} in ${zone}), and nothing was posted that day.`);
      if (chosen?.source === 'no-post') throw new UserError(`Nothing is posted on ${day} (${noPostReason(day, nextDay)}): the next post is on ${nextDay}.`);
      const stored = chosen?.lessonId ? await findLessonHead(db, chosen.lessonId) : undefined;
      if (!stored) throw new UserError(`No lesson would be posted on ${day}: the queue is empty. Import lessons with \`/lesson import\`.`);
      return { day, stored, readers: await countReadersInGuild(db, stored.lesson.id, guildId), roleId: schedule?.roleId ?? null, state: scheduleState(schedule) };
    },

    /**
     * Posts today's lesson now, through the same claim as the daily post: it counts as today's post, so the
     * timer will not post again. A second post the same day needs `force` and repeats today's lesson.
     */
    async postNow(schedule: Schedule, force: boolean): Promise<PostNowResult> {
      const { guildId } = schedule;
      const today = localDate(deps.now(), schedule.timeZone);
      const daily = await dailyDelivery(db, guildId, today);
      const alreadyPosted = daily !== undefined && daily.status !== 'failed';
      if (alreadyPosted && !force) {
        const where = daily.messageId ? messageLink(guildId, daily.channelId, daily.messageId) : `<#${daily.channelId}>`;
        throw new UserError(`Today’s lesson (${today}) was already posted: ${where}. Use \`force:true\` to post it again.`);
      }
      const sequence = alreadyPosted ? await nextSequence(db, guildId, today) : 0;
      const result = await deps.poster
        .post(schedule, today, sequence, alreadyPosted ? daily.lessonId : undefined, { byModerator: true })
        .finally(() => scheduleChanged(guildId));
      switch (result.status) {
        // 'unrecorded': posted, its record owed to the claim's takeover (the database gone); the message is there.
        case 'sent':
        case 'unrecorded':
          return { channelId: schedule.channelId, messageId: result.messageId };
        case 'already-claimed':
          throw new UserError('Today’s lesson is being posted right now. Check the channel in a moment.');
        case 'no-lesson':
          throw new UserError('There is no lesson left to post. Import lessons with `/lesson import`, or pin one with `/schedule plan`.');
        case 'failed':
          throw new UserError(`I could not post: ${result.reason}.`);
      }
    },

    /**
     * Discord deleted a channel (CHANNEL_DELETE): the server's alerts channel, if it was, is tried no more, and
     * `/schedule show` says so (a deleted posting channel fails its post, told and backed off as any refusal).
     */
    async channelDeleted(guildId: string, channelId: string): Promise<boolean> {
      return markAlertsChannelGone(db, guildId, channelId, deps.now());
    },

    /** A new alerts channel is told what is still wrong: the problems its predecessor was told are forgotten. */
    async setAlertsChannel(guildId: string, channelId: string): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await updateGuildSettings(trx, guildId, { alertsChannelId: channelId });
        await forgetAlerts(trx, guildId);
      });
    },

    async setModeratorRole(guildId: string, roleId: string | null): Promise<void> {
      // Every member holds @everyone: as the moderator role it would hand moderation to the whole server.
      if (roleId !== null && isEveryoneRole(roleId, guildId)) {
        throw new UserError('@everyone is every member of the server, so it cannot be the moderator role. Pick a role only moderators have.');
      }
      await updateGuildSettings(db, guildId, { moderatorRoleId: roleId });
    },

    /** The role whose members may use moderator commands besides those with Manage Server. */
    async moderatorRoleId(guildId: string): Promise<string | null> {
      return (await guildSettings(db, guildId)).moderatorRoleId;
    },
  };
}

/** Where and when a server's daily lesson goes, as `/help` tells members. */
export interface DailyPost {
  readonly channelId: string;
  /** 'HH:MM', local. */
  readonly postTime: string;
  readonly timeZone: string;
  readonly paused: boolean;
  readonly next: Date;
  /** The next post's day, when it has no lesson to post (noLessonOn): nothing goes out then. */
  readonly noLessonOn?: string;
}

/**
 * A day a moderator typed (or picked: the choices send `YYYY-MM-DD`), checked by the one date rule (real,
 * and in the years PostgreSQL and lessons use). `today` and `tomorrow` are the server's.
 */
function parseDay(input: string, today: string): string {
  const named = namedDay(input, today);
  if (named) return named;
  const text = input.trim();
  const problem = dateProblem(text);
  if (problem) throw new UserError(`"${clip(safeText(text), 40)}" ${problem}, for example ${today}.`);
  return text;
}

/** The furthest a day's lesson is worked out by walking the days up to it (`preview`, `unplan`): a year. */
const MAX_WALK_DAYS = 366;

/** How many days from `today` to `day`, both counted. */
function daySpan(today: string, day: string): number {
  return Math.round((parseLocalDate(day).toMillis() - parseLocalDate(today).toMillis()) / 86_400_000) + 1;
}

/** `/schedule upcoming` shows at most this many days (its option's range). */
export const MAX_UPCOMING_DAYS = 25;

export function messageLink(guildId: string, channelId: string, messageId: string): string {
  return `https://discord.com/channels/${guildId}/${channelId}/${messageId}`;
}
