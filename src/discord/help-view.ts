import { ApplicationCommandOptionType, type APIEmbed, type APIEmbedField } from 'discord.js';
import { embedLength } from '../domain/discord-format/embed.js';
import { EMBED_FIELD_NAME_MAX, EMBED_FIELD_VALUE_MAX, EMBED_FIELDS_MAX, EMBEDS_TOTAL_MAX } from '../domain/discord-format/limits.js';
import type { DailyPost } from '../delivery/service.js';
import type { CommandDefinition } from './command-definition.js';
import type { ReplyPayload } from './reply.js';

/** Discord's ids of the registered commands, by command name; empty when they are not known. */
export type CommandIds = ReadonlyMap<string, string>;

interface HelpOption {
  readonly type: number;
  readonly name: string;
  readonly description: string;
  readonly required?: boolean;
  readonly options?: readonly HelpOption[];
}

const INTRO =
  'Every day at the time this server’s moderators chose, the day’s lesson is posted: the summary of a news article, ' +
  'with buttons for its **Dialogue** (the article retold as a casual conversation between A and B), the whole ' +
  '**Article**, **Related** readings, its **Vocabulary** and a **Quiz**. **Mark as read** counts it for your ' +
  'progress. Answers are private to you unless a command says `share`.';

/** The server's own schedule, or how to get one: what a newcomer asks first. */
function dailyLine(daily: DailyPost | null, moderator: boolean, scheduleId: string | undefined): string {
  if (daily === null) {
    const set = moderator && scheduleId ? `</schedule set:${scheduleId}>` : '`/schedule set`';
    return moderator ? `📅 No daily lesson is scheduled in this server yet: start with ${set}.` : `📅 No daily lesson is scheduled in this server yet: moderators set one with ${set}.`;
  }
  const where = `<#${daily.channelId}> at **${daily.postTime}** (${daily.timeZone})`;
  if (daily.paused) return `⏸️ This server’s daily lesson (${where}) is paused.`;
  if (daily.noLessonOn !== undefined) {
    // As `/schedule show`: nothing goes out at the next post's time, so it is not named.
    const advice = moderator ? ' Import more with `/lesson import`, or pin one with `/schedule plan`.' : '';
    return `📅 In this server the lesson is posted in ${where} every day, but no lesson is scheduled yet for the next one (${daily.noLessonOn}).${advice}`;
  }
  return `📅 In this server the lesson is posted in ${where} every day; the next one <t:${Math.floor(daily.next.getTime() / 1000)}:R>.`;
}

/** What the help needs of a command module: its definition, and which of its subcommands are for moderators. */
export interface HelpCommand {
  readonly definition: CommandDefinition;
  isModeratorOnly(path: readonly string[]): boolean;
}

/**
 * `/help`: every command the bot registers, from the definitions themselves (so it never goes stale), each
 * as a clickable command mention when Discord's id for it is known. What is for moderators only (`/schedule`,
 * `/lesson import`) is listed only to moderators, after everyone's commands (`/lesson import` under
 * "/lesson: for moderators", not among the members' `/lesson` subcommands).
 */
export function renderHelp(
  commands: readonly HelpCommand[],
  ids: CommandIds,
  viewer: { moderator: boolean },
  daily: DailyPost | null,
): ReplyPayload {
  // A command's subcommands for everyone, then (to moderators) those for moderators only: a command of both kinds
  // (`/lesson`, whose `import` is theirs) is listed in two parts, its moderators' part among theirs.
  const everyone: Section[] = [];
  const forModerators: Section[] = [];
  for (const command of commands) {
    const { definition } = command;
    if (definition.name === 'help') continue;
    const entries = commandEntries(definition);
    const open = entries.filter((entry) => !command.isModeratorOnly(entry.path));
    const theirs = viewer.moderator ? entries.filter((entry) => command.isModeratorOnly(entry.path)) : [];
    // A command without subcommands is one line that already says what it does.
    const name = entries[0]!.path.length === 0 ? `/${definition.name}` : `/${definition.name}: ${definition.description}`;
    if (open.length > 0) everyone.push({ command, entries: open, name });
    if (theirs.length > 0) forModerators.push({ command, entries: theirs, name: open.length > 0 ? `/${definition.name}: for moderators` : name });
  }
  const fields: APIEmbedField[] = [];
  for (const { command, entries, name } of [...everyone, ...forModerators]) {
    const { definition } = command;
    const id = ids.get(definition.name);
    const lines = entries.map((entry) => line([definition.name, ...entry.path].join(' '), id, entry.options, entry.description));
    fields.push(...asFields(name.slice(0, EMBED_FIELD_NAME_MAX - 7), lines));
  }
  const embed: APIEmbed = {
    title: '📰 How this bot works',
    description: `${INTRO}\n\n${dailyLine(daily, viewer.moderator, ids.get('schedule'))}`,
    fields: fields.slice(0, EMBED_FIELDS_MAX),
    footer: { text: 'Type / in the message box to see every command and its options.' },
  };
  return { embeds: [withinTotal(embed)] };
}

interface Section {
  readonly command: HelpCommand;
  readonly entries: readonly Entry[];
  /** The field's name. */
  readonly name: string;
}

interface Entry {
  /** Below the command: `['today']`, `[group, name]`, or `[]` for a command without subcommands. */
  readonly path: readonly string[];
  readonly options: readonly HelpOption[];
  readonly description: string;
}

/** Each subcommand of a command (or the command itself when it has none), in the definition's order. */
function commandEntries(definition: CommandDefinition): Entry[] {
  const options = (definition.options ?? []) as readonly HelpOption[];
  const entries = options.flatMap((option): Entry[] =>
    option.type === ApplicationCommandOptionType.Subcommand
      ? [{ path: [option.name], options: option.options ?? [], description: option.description }]
      : option.type === ApplicationCommandOptionType.SubcommandGroup
        ? (option.options ?? []).map((inner) => ({ path: [option.name, inner.name], options: inner.options ?? [], description: inner.description }))
        : [],
  );
  return entries.length > 0 ? entries : [{ path: [], options, description: definition.description }];
}

function line(path: string, id: string | undefined, options: readonly HelpOption[], description: string): string {
  // A mention (`</lesson today:id>`) is a link that fills in the command; without the id, the name as code.
  const mention = id ? `</${path}:${id}>` : `\`/${path}\``;
  const required = options.filter((option) => option.required === true).map((option) => ` \`${option.name}\``).join('');
  return `${mention}${required} · ${description}`;
}

/** Lines in as few fields as fit Discord's 1,024 characters a field value; later ones named "(more)". */
function asFields(name: string, lines: readonly string[]): APIEmbedField[] {
  const fields: APIEmbedField[] = [];
  let value = '';
  for (const text of lines) {
    if (value && value.length + 1 + text.length > EMBED_FIELD_VALUE_MAX) {
      fields.push({ name: fields.length === 0 ? name : `${name} (more)`, value });
      value = '';
    }
    value = value ? `${value}\n${text}` : text.slice(0, EMBED_FIELD_VALUE_MAX);
  }
  if (value) fields.push({ name: fields.length === 0 ? name : `${name} (more)`, value });
  return fields;
}

/** Drops trailing fields until the embed is within Discord's 6,000 characters in all. */
function withinTotal(embed: APIEmbed): APIEmbed {
  const fields = [...(embed.fields ?? [])];
  while (fields.length > 0 && embedLength({ ...embed, fields }) > EMBEDS_TOTAL_MAX) fields.pop();
  return { ...embed, fields };
}
