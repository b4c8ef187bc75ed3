import { ApplicationCommandOptionType } from 'discord.js';
import { DateTime } from 'luxon';
import { expect } from 'vitest';
import type { CommandOptionInit, MemberInit, StandInGuild, UserInit } from './discord-stand-in/index.js';

/** What end-to-end scheduling tests share: a fast tick, the people who click, and the zone they live in. */

export const EPHEMERAL = 1 << 6;
/** Tick every second and take over dead claims after 3 s, so scenarios take seconds, not minutes. */
export const TICK_ENV = { DELIVERY_CRON: '*/1 * * * * *', DELIVERY_LEASE_MS: '3000' };
export const POST_TIMEOUT_MS = 15_000;

export const MODERATOR: UserInit = { id: '200000000000000100', username: 'moderator' };
export const MODERATOR_MEMBER: MemberInit = { permissions: ['ManageGuild'] };
export const LEARNER: UserInit = { id: '200000000000000200', username: 'plain-learner' };

/**
 * A zone where it is now closest to midday, so no scenario straddles a local midnight; whole-hour
 * offsets only, so the local minute turns with the UTC minute.
 */
export const ZONE = (() => {
  const zones = [
    'Pacific/Pago_Pago', 'Pacific/Honolulu', 'America/Anchorage', 'America/Los_Angeles', 'America/Denver', 'America/Chicago',
    'America/New_York', 'America/Sao_Paulo', 'Atlantic/South_Georgia', 'Atlantic/Azores', 'UTC', 'Europe/Berlin',
    'Europe/Athens', 'Europe/Moscow', 'Asia/Dubai', 'Asia/Karachi', 'Asia/Dhaka', 'Asia/Bangkok', 'Asia/Shanghai',
    'Asia/Tokyo', 'Australia/Brisbane', 'Pacific/Noumea', 'Pacific/Tarawa', 'Pacific/Kiritimati',
  ];
  const distance = (zone: string) => Math.abs(DateTime.now().setZone(zone).hour + DateTime.now().setZone(zone).minute / 60 - 12);
  return zones.reduce((best, zone) => (distance(zone) < distance(best) ? zone : best));
})();

export const localNow = () => DateTime.now().setZone(ZONE);
export const localDay = (plusDays = 0) => localNow().plus({ days: plusDays }).toISODate()!;
/** How replies name a day: `2026-12-05 (Saturday)`. */
export const namedLocalDay = (plusDays = 0) => `${localDay(plusDays)} (${localNow().plus({ days: plusDays }).setLocale('en').toFormat('cccc')})`;
/** How `/schedule upcoming` begins a day's line: `` `2026-12-05` Sat · ``. */
export const upcomingDay = (plusDays = 0) => `\`${localDay(plusDays)}\` ${localNow().plus({ days: plusDays }).setLocale('en').toFormat('ccc')} · `;
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function channelOption(channelId: string, name = 'channel'): CommandOptionInit {
  return { name, type: ApplicationCommandOptionType.Channel, value: channelId };
}

export function roleOption(roleId: string): CommandOptionInit {
  return { name: 'role', type: ApplicationCommandOptionType.Role, value: roleId };
}

export interface ScheduleNowOptions {
  extra?: CommandOptionInit[];
  when?: 'due' | 'done today';
  /** How the moderator types the time, as a luxon format: `HH:mm` (07:30) or `h:mm a` (7:30 AM). */
  typed?: 'HH:mm' | 'h:mm a';
  /** Who runs it (default: the scene's moderator, Manage Server only). */
  sender?: { user?: UserInit; member?: MemberInit };
}

/**
 * `/schedule set` at the current local minute: due at once (or, `done today`, not again today). Kept
 * away from a minute's end, and set once more if the minute turned before the bot could save it.
 */
export async function setScheduleNow<T extends { content?: string }>(
  schedule: (guild: StandInGuild, subcommand: string, options?: CommandOptionInit[], sender?: ScheduleNowOptions['sender']) => Promise<T>,
  guild: StandInGuild,
  channelId: string,
  options: ScheduleNowOptions = {},
): Promise<T> {
  const { extra = [], when = 'due', typed = 'HH:mm', sender } = options;
  for (let attempt = 1; ; attempt++) {
    if (localNow().second >= 55) await sleep((61 - localNow().second) * 1000);
    const time = localNow().toFormat('HH:mm');
    const value = localNow().toFormat(typed);
    const reply = await schedule(guild, 'set', [channelOption(channelId), { name: 'time', value }, { name: 'timezone', value: ZONE }, ...extra], sender);
    expect(reply.content).toContain(`✅ Daily lesson: <#${channelId}> at **${time}** (${ZONE})`);
    // Saved within that minute (else it counts from tomorrow): try once more.
    if (localNow().toFormat('HH:mm') !== time && attempt === 1) continue;
    expect(localNow().toFormat('HH:mm')).toBe(time);
    // A paused schedule names no next post (nothing goes out until it is resumed).
    if (reply.content?.includes('\n⏸️ The schedule is paused, so nothing is posted')) return reply;
    // Nor one whose day has no lesson to post (an empty library): nothing goes out then.
    if (reply.content?.includes('\n📭 No lesson left to post on ')) return reply;
    const next = Number(/Next post: <t:(\d+):F>/u.exec(reply.content ?? '')?.[1]) * 1000;
    if (when === 'due') expect(next).toBeLessThanOrEqual(Date.now());
    else expect(next).toBeGreaterThan(Date.now() + 12 * 3600_000);
    return reply;
  }
}

/** `/schedule set` for a time three hours later today: not due yet. */
export async function setScheduleLater<T extends { content?: string }>(
  schedule: (guild: StandInGuild, subcommand: string, options?: CommandOptionInit[]) => Promise<T>,
  guild: StandInGuild,
  channelId: string,
): Promise<T> {
  const time = localNow().plus({ hours: 3 }).toFormat('HH:mm');
  const reply = await schedule(guild, 'set', [channelOption(channelId), { name: 'time', value: time }, { name: 'timezone', value: ZONE }]);
  expect(reply.content).toContain(`at **${time}**`);
  return reply;
}
