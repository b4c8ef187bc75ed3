import type { ChatInputCommandInteraction } from 'discord.js';
import { schedulePostNow } from '../../../../commands/schedule.js';
import { dailyDelivery, nextSequence } from '../../../db/deliveries.js';
import { localDate } from '../../../domain/schedule/index.js';
import { UserError } from '../../../user-error.js';
import { readOptions } from '../../../discord/command-options.js';
import type { Reply } from '../../../discord/reply.js';
import type { HandlerDeps } from '../deps.js';
import { requireSchedule } from './status.js';

/**
 * Posts today's lesson now, through the same claim as the daily post: it counts as today's post, so the
 * timer will not post again. A second post the same day needs force:true and repeats today's lesson.
 */
export async function postNow(deps: HandlerDeps, interaction: ChatInputCommandInteraction, guildId: string, reply: Reply): Promise<void> {
  const { force = false } = readOptions(interaction, schedulePostNow);
  const schedule = await requireSchedule(deps, guildId);
  await reply.defer();
  const today = localDate(deps.now(), schedule.timeZone);
  const daily = await dailyDelivery(deps.db, guildId, today);
  const alreadyPosted = daily !== undefined && daily.status !== 'failed';
  if (alreadyPosted && !force) {
    const where = daily.messageId ? messageLink(guildId, daily.channelId, daily.messageId) : `<#${daily.channelId}>`;
    throw new UserError(`Today’s lesson (${today}) was already posted: ${where}. Use \`force:true\` to post it again.`);
  }
  const sequence = alreadyPosted ? await nextSequence(deps.db, guildId, today) : 0;
  const result = await deps.poster.post(schedule, today, sequence, alreadyPosted ? daily.lessonId : undefined);
  switch (result.status) {
    case 'sent':
      await reply.send({ content: `✅ Posted: ${messageLink(guildId, schedule.channelId, result.messageId)}` });
      return;
    case 'already-claimed':
      throw new UserError('Today’s lesson is being posted right now. Check the channel in a moment.');
    case 'no-lesson':
      throw new UserError('There is no lesson left to post. Import lessons with `/lesson import`, or pin one with `/schedule plan`.');
    case 'failed':
      throw new UserError(`I could not post: ${result.reason}.`);
  }
}

function messageLink(guildId: string, channelId: string, messageId: string): string {
  return `https://discord.com/channels/${guildId}/${channelId}/${messageId}`;
}
