import type { ChatInputCommandInteraction } from 'discord.js';
import { schedulePlan, schedulePreview, scheduleUnplan, scheduleUpcoming } from '../../../../commands/schedule.js';
import { findLesson, lessonTitles } from '../../../db/lessons.js';
import { planLesson, unplanLesson } from '../../../db/lesson-plans.js';
import { dailyDelivery, lastPostedLocalDate } from '../../../db/deliveries.js';
import { countReadersInGuild } from '../../../db/reading.js';
import { findSchedule } from '../../../db/schedules.js';
import { lessonForDay, upcomingLessons } from '../../../delivery/lesson-choice.js';
import { localDate, parseLocalDate } from '../../../domain/schedule/index.js';
import { createLessonsService } from '../../../lessons/service.js';
import { UserError } from '../../../user-error.js';
import { readOptions } from '../../../discord/command-options.js';
import type { Reply } from '../../../discord/reply.js';
import { renderLessonPost } from '../../../lessons/card-view.js';
import { nextPostFor } from '../../views/schedule-views.js';
import type { HandlerDeps } from '../deps.js';

/** The server's zone (UTC before a schedule exists): days are always the server's local days. */
async function serverZone(deps: HandlerDeps, guildId: string): Promise<string> {
  return (await findSchedule(deps.db, guildId))?.timeZone ?? 'UTC';
}

function parseDay(input: string, today: string): string {
  const text = input.trim();
  try {
    parseLocalDate(text);
  } catch {
    throw new UserError(`"${input}" is not a date: use YYYY-MM-DD, for example ${today}.`);
  }
  return text;
}

export async function planDay(deps: HandlerDeps, interaction: ChatInputCommandInteraction, guildId: string, reply: Reply): Promise<void> {
  const options = readOptions(interaction, schedulePlan);
  const zone = await serverZone(deps, guildId);
  const today = localDate(deps.now(), zone);
  const day = parseDay(options.date, today);
  if (day < today) throw new UserError(`${day} is in the past (today is ${today} in ${zone}).`);
  const posted = day === today ? await dailyDelivery(deps.db, guildId, today) : undefined;
  if (posted && posted.status !== 'failed') {
    throw new UserError(`Today’s lesson (${today}) has already been posted: pin this one to a later day.`);
  }
  const stored = await createLessonsService({ ...deps, importTimeZone: 'UTC' }).requested(guildId, options.lesson);
  await planLesson(deps.db, { guildId, localDate: day, lessonId: stored.lesson.id, plannedBy: interaction.user.id });
  await reply.send({ content: `📌 **${stored.lesson.title}** is pinned to ${day}.` });
}

export async function unplanDay(deps: HandlerDeps, interaction: ChatInputCommandInteraction, guildId: string, reply: Reply): Promise<void> {
  const options = readOptions(interaction, scheduleUnplan);
  const today = localDate(deps.now(), await serverZone(deps, guildId));
  const day = parseDay(options.date, today);
  const removed = await unplanLesson(deps.db, guildId, day);
  await reply.send({
    content: removed ? `🗑️ ${day} has no pinned lesson any more; it gets the next lesson in the queue.` : `Nothing was pinned to ${day}.`,
  });
}

const SOURCE_LABEL = { delivered: 'posted', planned: '📌 pinned', queue: 'queue' } as const;

export async function listUpcoming(deps: HandlerDeps, interaction: ChatInputCommandInteraction, guildId: string, reply: Reply): Promise<void> {
  const { days = 7 } = readOptions(interaction, scheduleUpcoming);
  const zone = await serverZone(deps, guildId);
  const today = localDate(deps.now(), zone);
  const plan = await upcomingLessons(deps.db, guildId, today, days);
  const titles = await lessonTitles(deps.db, plan.flatMap((day) => (day.lessonId ? [day.lessonId] : [])));
  const lines = plan.map((day) =>
    day.lessonId
      ? `\`${day.localDate}\` ${titles.get(day.lessonId) ?? '?'} _(${SOURCE_LABEL[day.source ?? 'queue']})_`
      : `\`${day.localDate}\` — no lesson left: import more with \`/lesson import\``,
  );
  await reply.send({
    embeds: [{ title: `Next ${days} day${days === 1 ? '' : 's'} (${zone})`, description: truncateLines(lines, 4000) }],
  });
}

export async function previewDay(deps: HandlerDeps, interaction: ChatInputCommandInteraction, guildId: string, reply: Reply): Promise<void> {
  const options = readOptions(interaction, schedulePreview);
  const schedule = await findSchedule(deps.db, guildId);
  const zone = schedule?.timeZone ?? 'UTC';
  const today = localDate(deps.now(), zone);
  const nextDay = schedule ? localDate(nextPostFor(schedule, deps.now(), await lastPostedLocalDate(deps.db, guildId)), zone) : today;
  const day = options.date ? parseDay(options.date, today) : nextDay;
  const plan = await upcomingLessons(deps.db, guildId, today, 1);
  const chosen = day === today ? plan[0] : await lessonForDayAfterQueue(deps, guildId, today, day);
  const stored = chosen?.lessonId ? await findLesson(deps.db, chosen.lessonId) : undefined;
  if (!stored) throw new UserError(`No lesson would be posted on ${day}: the queue is empty. Import lessons with \`/lesson import\`.`);
  const post = renderLessonPost(stored, await countReadersInGuild(deps.db, stored.lesson.id, guildId));
  const ping = schedule?.roleId ? `<@&${schedule.roleId}> ` : '';
  await reply.send({
    ...post,
    content: `**Preview for ${day}** (only you see this):\n${ping}${post.content ?? ''}`,
  });
}

/** A later day's lesson as the queue will play it: walk the upcoming days up to it. */
async function lessonForDayAfterQueue(deps: HandlerDeps, guildId: string, today: string, day: string) {
  if (day < today) return lessonForDay(deps.db, guildId, day);
  const span = Math.round((parseLocalDate(day).toMillis() - parseLocalDate(today).toMillis()) / 86_400_000) + 1;
  if (span > 366) throw new UserError('Preview looks at most a year ahead.');
  const plan = await upcomingLessons(deps.db, guildId, today, span);
  return plan[plan.length - 1];
}

function truncateLines(lines: string[], max: number): string {
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

