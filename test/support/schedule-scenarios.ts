import { ApplicationCommandOptionType } from 'discord.js';
import { DateTime } from 'luxon';
import type { CommandOptionInit, MemberInit, UserInit } from './discord-stand-in/index.js';

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
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function channelOption(channelId: string, name = 'channel'): CommandOptionInit {
  return { name, type: ApplicationCommandOptionType.Channel, value: channelId };
}

export function roleOption(roleId: string): CommandOptionInit {
  return { name: 'role', type: ApplicationCommandOptionType.Role, value: roleId };
}
