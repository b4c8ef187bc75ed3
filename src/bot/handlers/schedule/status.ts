import { lastPostedLocalDate, lastSentDelivery } from '../../../db/deliveries.js';
import { findSchedule, setPaused, type Schedule } from '../../../db/schedules.js';
import { UserError } from '../../../user-error.js';
import type { Reply } from '../../../discord/reply.js';
import { discordTime, nextPostFor, scheduleEmbed } from '../../views/schedule-views.js';
import type { HandlerDeps } from '../deps.js';

export const NO_SCHEDULE = 'This server has no daily lesson yet. Set one with `/schedule set channel time timezone`.';

export async function requireSchedule(deps: HandlerDeps, guildId: string): Promise<Schedule> {
  const schedule = await findSchedule(deps.db, guildId);
  if (!schedule) throw new UserError(NO_SCHEDULE);
  return schedule;
}

export async function showSchedule(deps: HandlerDeps, guildId: string, reply: Reply): Promise<void> {
  const schedule = await requireSchedule(deps, guildId);
  const [lastPosted, lastSent] = await Promise.all([lastPostedLocalDate(deps.db, guildId), lastSentDelivery(deps.db, guildId)]);
  const next = nextPostFor(schedule, deps.now(), lastPosted);
  await reply.send({ embeds: [scheduleEmbed(schedule, next, lastSent)] });
}

export async function pauseSchedule(deps: HandlerDeps, guildId: string, paused: boolean, reply: Reply): Promise<void> {
  const schedule = await setPaused(deps.db, guildId, paused, deps.now());
  if (!schedule) throw new UserError(NO_SCHEDULE);
  if (paused) {
    await reply.send({ content: '⏸️ Daily lessons are paused. `/schedule resume` starts them again.' });
    return;
  }
  const next = nextPostFor(schedule, deps.now(), await lastPostedLocalDate(deps.db, guildId));
  await reply.send({ content: `▶️ Daily lessons resumed. Next post: ${discordTime(next, 'F')} (${discordTime(next, 'R')}).` });
}
