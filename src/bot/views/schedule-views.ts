import type { APIEmbed } from 'discord.js';
import type { Delivery } from '../../db/deliveries.js';
import type { Schedule } from '../../db/schedules.js';
import { localDate, nextPostTime, parsePostTime, wallClock } from '../../domain/schedule/index.js';

/** A Discord timestamp: every member sees it in their own time zone. */
export function discordTime(at: Date, style: 'F' | 'f' | 'R' | 'D' | 't' = 'f'): string {
  return `<t:${Math.floor(at.getTime() / 1000)}:${style}>`;
}

/**
 * When the next daily post goes out. A schedule set or changed today starts at its next post time
 * (the database's rule too), so a time that already passed today means tomorrow.
 */
export function nextPostFor(schedule: Schedule, now: Date, lastPosted: string | null): Date {
  const time = parsePostTime(schedule.postTime);
  const next = nextPostTime(now, time, schedule.timeZone, lastPosted);
  const startsAt = Math.floor(schedule.effectiveFrom.getTime() / 60_000) * 60_000;
  if (next.getTime() >= startsAt) return next;
  return nextPostTime(now, time, schedule.timeZone, localDate(next, schedule.timeZone));
}

export function scheduleEmbed(schedule: Schedule, next: Date, lastSent: Delivery | undefined): APIEmbed {
  const health = schedule.failureCount > 0
    ? `⚠️ Failing since ${schedule.lastFailureAt ? discordTime(schedule.lastFailureAt, 'R') : 'recently'}: ${schedule.lastFailureReason ?? 'unknown'}. Next try ${schedule.retryAt ? discordTime(schedule.retryAt, 'R') : 'soon'}.`
    : schedule.lastFailureAt
      ? `✅ Healthy (last failure ${discordTime(schedule.lastFailureAt, 'R')}: ${schedule.lastFailureReason ?? 'unknown'})`
      : '✅ Healthy';
  return {
    title: schedule.paused ? '⏸️ Daily lesson (paused)' : '🗓️ Daily lesson',
    color: schedule.failureCount > 0 ? 0xe67e22 : schedule.paused ? 0x95a5a6 : 0x2ecc71,
    fields: [
      { name: 'Channel', value: `<#${schedule.channelId}>`, inline: true },
      { name: 'Time', value: `${schedule.postTime} ${schedule.timeZone}`, inline: true },
      { name: 'Status', value: schedule.paused ? 'Paused' : 'Active', inline: true },
      {
        name: 'Next post',
        value: schedule.paused
          ? 'None while paused (`/schedule resume`)'
          : `${wallClock(next, schedule.timeZone)} (${schedule.timeZone})\n${discordTime(next, 'F')}, ${discordTime(next, 'R')}`,
      },
      { name: 'Ping', value: schedule.roleId ? `<@&${schedule.roleId}>` : 'Nobody', inline: true },
      { name: 'Thread', value: schedule.createThread ? 'Yes' : 'No', inline: true },
      {
        name: 'Last post',
        value: lastSent?.sentAt
          ? `${discordTime(lastSent.sentAt, 'f')} in <#${lastSent.channelId}>${lastSent.messageId ? ` (message ${lastSent.messageId})` : ''}`
          : 'None yet',
      },
      { name: 'Health', value: health },
    ],
  };
}
