import type { APIEmbed } from 'discord.js';
import type { Delivery } from '../db/deliveries.js';
import type { Schedule } from '../db/schedules.js';
import { clip, dailyPing, roleMention, safeText, visibleOr } from '../domain/discord-format/index.js';
import { wallClock, weekdayOf } from '../domain/schedule/index.js';
import type { PlanChanges } from '../db/lesson-plans.js';
import type { LibraryLessonHead } from '../db/lessons.js';
import type { ReplyPayload } from '../discord/reply.js';
import { renderLessonPost } from '../lessons/card-view.js';
import { messageLink, noPostReason, type AlertsChannel, type DayPost, type ScheduleState, type UpcomingDay } from './service.js';

/** A Discord timestamp: every member sees it in their own time zone. */
export function discordTime(at: Date, style: 'F' | 'f' | 'R' | 'D' | 't' = 'f'): string {
  return `<t:${Math.floor(at.getTime() / 1000)}:${style}>`;
}

/** A next post's day with no lesson to post, as `show` (its health), `set` and `resume` say it. */
function noLessonLeft(day: string): string {
  return `📭 No lesson left to post on ${day}: import more with \`/lesson import\`, or pin one with \`/schedule plan\`.`;
}

/**
 * The next post, as `set` and `resume` reply: when it goes out, or (`noLessonOn`, the service's rule, as `show`'s) that
 * its day has no lesson to post, so nothing goes out then (until 2026-12-08 they named the post).
 */
export function nextPostLine(next: Date, noLessonOn: string | undefined): string {
  return noLessonOn === undefined ? `Next post: ${discordTime(next, 'F')} (${discordTime(next, 'R')}).` : noLessonLeft(noLessonOn);
}

/** `/schedule set` to another channel while the day's post is being retried: the retry goes to its first channel. */
export function retriedElsewhere(retried: { readonly day: string; readonly channelId: string }, channelId: string): string {
  return (
    `⚠️ The post of ${dayName(retried.day)} is being retried in <#${retried.channelId}> with the lesson it had (its first try may have reached ` +
    `that channel), so it goes there: <#${channelId}> gets the posts from the next day on.`
  );
}

/**
 * `/schedule show`. `noLessonOn`: the next post's day has no lesson to post, so nothing goes out (until 2026-12-08 it
 * read "✅ Healthy", next post "now", every minute). `alerts`: where problems are told, and whether that channel was
 * found deleted (then nothing is told until another is chosen).
 */
export function scheduleEmbed(schedule: Schedule, next: Date, lastSent: Delivery | undefined, noLessonOn?: string, alerts?: AlertsChannel): APIEmbed {
  const noLesson = noLessonOn !== undefined && !schedule.paused;
  const health = noLesson
    ? noLessonLeft(noLessonOn)
    : schedule.failureCount > 0
    ? `⚠️ Failing since ${schedule.lastFailureAt ? discordTime(schedule.lastFailureAt, 'R') : 'recently'}: ${schedule.lastFailureReason ?? 'unknown'}. Next try ${schedule.paused ? 'once resumed' : discordTime(next, 'R')}.`
    : schedule.lastFailureAt
      ? `✅ Healthy (last failure ${discordTime(schedule.lastFailureAt, 'R')}: ${schedule.lastFailureReason ?? 'unknown'})`
      : '✅ Healthy';
  return {
    title: schedule.paused ? '⏸️ Daily lesson (paused)' : '🗓️ Daily lesson',
    color: noLesson || schedule.failureCount > 0 ? 0xe67e22 : schedule.paused ? 0x95a5a6 : 0x2ecc71,
    fields: [
      { name: 'Channel', value: `<#${schedule.channelId}>`, inline: true },
      { name: 'Time', value: `${schedule.postTime} ${schedule.timeZone}`, inline: true },
      { name: 'Status', value: schedule.paused ? 'Paused' : 'Active', inline: true },
      {
        name: 'Next post',
        value: schedule.paused
          ? 'None while paused (`/schedule resume`)'
          : noLesson
            ? 'None: there is no lesson left to post (see Health)'
            : `${wallClock(next, schedule.timeZone)} (${schedule.timeZone})\n${discordTime(next, 'F')}, ${discordTime(next, 'R')}`,
      },
      { name: 'Ping', value: schedule.roleId ? roleMention(schedule.roleId, schedule.guildId) : 'Nobody', inline: true },
      { name: 'Thread', value: schedule.createThread ? 'Yes' : 'No', inline: true },
      {
        name: 'Last post',
        value: lastSent?.sentAt
          ? // The post as a message link (Discord draws it `#lessons › 💬` and jumps to it), as /schedule post-now answers; until
            // 2026-12-07 the channel and the message's raw id, "(message 1579548894466015319)", which nobody can open.
            `${discordTime(lastSent.sentAt, 'f')} in ${lastSent.messageId ? messageLink(schedule.guildId, lastSent.channelId, lastSent.messageId) : `<#${lastSent.channelId}>`}`
          : 'None yet',
      },
      { name: 'Health', value: health },
      ...(alerts ? [{ name: 'Alerts', value: alertsField(alerts) }] : []),
    ],
  };
}

function alertsField({ channelId, gone }: AlertsChannel): string {
  if (channelId === null) return 'Nowhere: choose a channel with `/schedule alerts` to hear of problems';
  return gone
    ? `⚠️ <#${channelId}> was deleted: I can’t tell moderators about problems until you choose another channel with \`/schedule alerts\`.`
    : `<#${channelId}>`;
}

// Only a sent post reads "posted": one being retried may or may not be in the channel, a claimed one is not sent yet.
const SOURCE_LABEL = {
  delivered: 'posted',
  retried: '⚠️ being retried: may already be in the channel',
  posting: '⏳ posting now',
  planned: '📌 pinned',
  queue: 'queue',
  'no-post': 'no post',
} as const;

/** Above the days of a schedule that will not post them as shown (until 2026-12-07 they read as if it would). */
const NOT_POSTING: Record<Exclude<ScheduleState, 'set'>, string> = {
  paused: '⏸️ Paused: nothing is posted until `/schedule resume`; the lessons then go out in this order, from that day on.',
  none: 'No daily post is set yet (`/schedule set`): this is the order the lessons would go out in.',
};

/** The most of a title `/schedule upcoming` shows; less when the days asked for would not all fit its embed otherwise. */
const UPCOMING_TITLE_MAX = 200;
const UPCOMING_TITLE_MIN = 40;
/** Within Discord's 4,096 characters of an embed's description. */
const UPCOMING_MAX = 4000;

/**
 * `/schedule upcoming`: one line per day, the lesson and where it comes from (and whether the schedule posts them).
 * Every day asked for is shown: titles are clipped shorter as far as needed (until 2026-12-07 each kept 200 characters,
 * and 25 days of news headlines of ~150 characters ended with "…" after the 21st day, under "Next 25 days").
 */
export function renderUpcoming(zone: string, days: readonly UpcomingDay[], state: ScheduleState = 'set'): ReplyPayload {
  const count = days.length;
  const note = state === 'set' ? [] : [NOT_POSTING[state], ''];
  let lines = [...note, ...upcomingLines(days, UPCOMING_TITLE_MAX)];
  for (let max = UPCOMING_TITLE_MAX - 20; max >= UPCOMING_TITLE_MIN && lines.join('\n').length > UPCOMING_MAX; max -= 20) {
    lines = [...note, ...upcomingLines(days, max)];
  }
  return { embeds: [{ title: `Next ${count} day${count === 1 ? '' : 's'} (${zone})`, description: truncateLines(lines, UPCOMING_MAX) }] };
}

function upcomingLines(days: readonly UpcomingDay[], titleMax: number): string[] {
  return days.map((day, i) => {
    const date = `\`${day.localDate}\` ${weekdayOf(day.localDate, 'short')}`;
    if (day.source === 'no-post') {
      // A later day already posted: the schedule moved west after its post (upcomingLessons), whatever its time.
      return days.slice(i + 1).some((later) => later.source === 'delivered' || later.source === 'retried' || later.source === 'posting')
        ? `${date} · no post today (the next day's lesson went out before the schedule's time zone changed)`
        : `${date} · no post today (its time had passed when the schedule was set or changed)`;
    }
    return day.title !== null
      ? `${date} · ${clip(safeText(visibleOr(day.title, '(untitled)')), titleMax)} _(${SOURCE_LABEL[day.source ?? 'queue']})_`
      : `${date} · no lesson left: import more with \`/lesson import\``;
  });
}

/** Why a day before the next post gets no daily post, and when the next is, as `plan` and `unplan` say it. */
function noDailyPost(day: string, nextPostDay: string): string {
  return `No daily post goes out that day (${noPostReason(day, nextPostDay).replace('its post time', 'its time')}; the next is on ${dayName(nextPostDay)})`;
}

/** A day as replies name it: `2026-12-05 (Saturday)`, so a moderator sees which day `tomorrow` or a pick was. */
function dayName(day: string): string {
  return `${day} (${weekdayOf(day)})`;
}

/**
 * `/schedule plan`: which lesson is pinned to which day, and what that changed: the days it moved from, the lesson
 * whose pin it replaced (until 2026-12-07 neither was said), and that it is a repeat of a day already posted.
 */
export function renderPlanned(day: string, stored: LibraryLessonHead, nextPostDay?: string, changes: Partial<PlanChanges> = {}): ReplyPayload {
  const title = (text: string) => `**${clip(safeText(visibleOr(text, '(untitled)')), 200)}**`;
  const moved = changes.movedFrom?.length ? `, moved from ${changes.movedFrom.map(dayName).join(', ')}` : '';
  const replaced = changes.replaced ? `, in place of ${title(changes.replaced.title)} (back in the queue)` : '';
  const pinned = `📌 ${title(stored.lesson.title)} is pinned to ${dayName(day)}${moved}${replaced}.`;
  // A day before the next post (today, when the schedule was set or changed after today's post time) gets no daily post.
  const unposted = nextPostDay
    ? `\n⚠️ ${noDailyPost(day, nextPostDay)}: \`/schedule post-now\` posts it now.`
    : '';
  const repeat = changes.postedOn ? `\n🔁 It was already posted here on ${dayName(changes.postedOn)}: that day it is posted again.` : '';
  return { content: pinned + unposted + repeat };
}

/**
 * `/schedule unplan`: the day given back to the queue, or nothing to do; on a day whose post went out, or is being
 * retried with the lesson it had (`retried`), that the unpin changes nothing for it; on a day gone by with nothing posted (`passed`) or a day without a daily post (before
 * `nextPostDay`), that no lesson goes out that day (until 2026-12-07 all three said the day gets the next lesson in
 * the queue); on a day the queue has no lesson left for (`noLessonLeft`), that it gets none.
 */
export function renderUnplanned(
  day: string,
  removed: boolean,
  posted?: DayPost,
  guildId?: string,
  unposted: { readonly retried?: boolean; readonly passed?: boolean; readonly nextPostDay?: string; readonly noLessonLeft?: boolean } = {},
): ReplyPayload {
  if (posted) {
    const where = posted.messageId && guildId ? messageLink(guildId, posted.channelId, posted.messageId) : `<#${posted.channelId}>`;
    return {
      content: removed
        ? `🗑️ ${dayName(day)} has no pinned lesson any more, but its post already went out (${where}): that changes nothing.`
        : `Nothing was pinned to ${dayName(day)}, and its post already went out (${where}).`,
    };
  }
  if (unposted.retried) {
    const retried = 'its post is being retried with the lesson it had (its first try may have reached the channel)';
    return { content: removed ? `🗑️ ${dayName(day)} has no pinned lesson any more, but ${retried}: that changes nothing.` : `Nothing was pinned to ${dayName(day)}, and ${retried}.` };
  }
  if (!removed) return { content: `Nothing was pinned to ${dayName(day)}.` };
  if (unposted.passed) return { content: `🗑️ ${dayName(day)} has no pinned lesson any more. That day has passed, and nothing was posted on it.` };
  if (unposted.nextPostDay) {
    return { content: `🗑️ ${dayName(day)} has no pinned lesson any more. ${noDailyPost(day, unposted.nextPostDay)}.` };
  }
  if (unposted.noLessonLeft) {
    return { content: `🗑️ ${dayName(day)} has no pinned lesson any more, and the queue has no lesson left for it: import more with \`/lesson import\`, or pin one with \`/schedule plan\`.` };
  }
  return { content: `🗑️ ${dayName(day)} has no pinned lesson any more; it gets the next lesson in the queue.` };
}

/** `/schedule preview`: the daily post exactly as it will go out, with the role it pings. */
export function renderPreview(
  day: string,
  stored: LibraryLessonHead,
  readers: number,
  ping: { roleId: string | null; guildId: string },
  state: ScheduleState = 'set',
): ReplyPayload {
  const post = renderLessonPost(stored, readers);
  const { prefix } = dailyPing(ping.roleId, ping.guildId);
  const note = state === 'set' ? '' : `${NOT_POSTING[state]}\n`;
  return { ...post, content: `**Preview for ${dayName(day)}** (only you see this):\n${note}${prefix}${post.content ?? ''}` };
}

/** Whole lines up to `max` characters, then an ellipsis line. */
function truncateLines(lines: readonly string[], max: number): string {
  const kept: string[] = [];
  let length = 0;
  for (const line of lines) {
    if (length + line.length + 1 > max) {
      kept.push('…');
      break;
    }
    kept.push(line);
    length += line.length + 1;
  }
  return kept.join('\n');
}
