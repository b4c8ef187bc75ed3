import {
  ApplicationCommandOptionType,
  type APIApplicationCommand,
  type APIApplicationCommandOption,
  type APIApplicationCommandBasicOption,
} from 'discord.js';
import type { ChannelObject, CommandOptionInit } from '../local-discord/index.js';

/** A command as the page's message box sends it: names and the text typed for each option. */
export interface PageCommandInput {
  name: string;
  subcommandGroup?: string | undefined;
  subcommand?: string | undefined;
  /** `shown`: the name of the autocomplete choice the value was picked by (the "used" line shows it, as Discord's box did). */
  options: { name: string; value: string; shown?: string }[];
  /** For autocomplete: the option being typed. */
  focused?: string | undefined;
}

/** The names the page may use for users, channels and roles (e.g. `#lessons`, `@Ana`). */
export interface Directory {
  channels: readonly Pick<ChannelObject, 'id' | 'name' | 'type'>[];
  roles: readonly { id: string; name: string }[];
  users: readonly { id: string; username: string; global_name: string | null }[];
  /** Option names of the attachments the page uploaded with this command. */
  attachmentOptions?: readonly string[];
}

export type ResolvedCommand =
  | {
      ok: true;
      name: string;
      subcommandGroup?: string;
      subcommand?: string;
      options: CommandOptionInit[];
      /** The command as Discord's client shows it: `/lesson dialogue lesson:…`. */
      label: string;
    }
  | { ok: false; error: string };

const SUBCOMMAND_TYPES: readonly ApplicationCommandOptionType[] = [ApplicationCommandOptionType.Subcommand, ApplicationCommandOptionType.SubcommandGroup];

/**
 * Checks typed input against the registered command the way Discord's client does before it sends anything
 * (known subcommand, required options, choices, lengths, ranges, channel types), and gives every option its type.
 */
export function resolveCommandInput(commands: readonly APIApplicationCommand[], input: PageCommandInput, directory: Directory): ResolvedCommand {
  const command = commands.find((c) => c.name === input.name && (c.type ?? 1) === 1);
  if (!command) return { ok: false, error: `/${input.name} is not a command of this server.` };
  let level: readonly APIApplicationCommandOption[] = command.options ?? [];
  const path = [command.name];
  const result: { subcommandGroup?: string; subcommand?: string } = {};

  if (level.some((o) => o.type === ApplicationCommandOptionType.SubcommandGroup) && input.subcommandGroup) {
    const group = level.find((o) => o.type === ApplicationCommandOptionType.SubcommandGroup && o.name === input.subcommandGroup);
    if (!group || group.type !== ApplicationCommandOptionType.SubcommandGroup) return { ok: false, error: `/${path.join(' ')} has no group "${input.subcommandGroup}".` };
    level = group.options ?? [];
    path.push(group.name);
    result.subcommandGroup = group.name;
  }
  if (level.some((o) => SUBCOMMAND_TYPES.includes(o.type))) {
    const sub = level.find((o) => o.type === ApplicationCommandOptionType.Subcommand && o.name === input.subcommand);
    if (!sub || sub.type !== ApplicationCommandOptionType.Subcommand) {
      const names = level.filter((o) => SUBCOMMAND_TYPES.includes(o.type)).map((o) => o.name);
      return { ok: false, error: `Choose a subcommand of /${path.join(' ')}: ${names.join(', ')}.` };
    }
    level = sub.options ?? [];
    path.push(sub.name);
    result.subcommand = sub.name;
  }

  const definitions = level as readonly APIApplicationCommandBasicOption[];
  const options: CommandOptionInit[] = [];
  const labelParts: string[] = [];
  const seen = new Set<string>();
  for (const given of input.options) {
    const definition = definitions.find((d) => d.name === given.name);
    if (!definition) return { ok: false, error: `/${path.join(' ')} has no option "${given.name}".` };
    if (seen.has(given.name)) return { ok: false, error: `The option "${given.name}" is given twice.` };
    seen.add(given.name);
    const focused = input.focused === given.name;
    const value = focused ? given.value : convertValue(definition, given.value.trim(), directory);
    if (typeof value === 'object') return { ok: false, error: `${given.name}: ${value.error}` };
    options.push({ name: given.name, type: definition.type, value, ...(focused ? { focused: true } : {}) });
    if (definition.type !== ApplicationCommandOptionType.Attachment) {
      labelParts.push(`${given.name}:${given.shown?.trim().slice(0, 100) || shownValue(definition, value, given.value.trim())}`);
    }
  }
  if (input.focused === undefined) {
    const missing = definitions.filter((d) => d.required && !seen.has(d.name) && !directory.attachmentOptions?.includes(d.name));
    if (missing.length > 0) return { ok: false, error: `Fill in the required option${missing.length > 1 ? 's' : ''} ${missing.map((d) => `"${d.name}"`).join(', ')}.` };
  } else if (!seen.has(input.focused)) {
    return { ok: false, error: `The focused option "${input.focused}" is not among the options.` };
  }
  for (const name of directory.attachmentOptions ?? []) {
    const definition = definitions.find((d) => d.name === name);
    if (!definition || definition.type !== ApplicationCommandOptionType.Attachment) return { ok: false, error: `/${path.join(' ')} takes no file "${name}".` };
  }
  return { ok: true, name: command.name, ...result, options, label: ['/' + path.join(' '), ...labelParts].join(' ') };
}

type Converted = string | number | boolean | { error: string };

function convertValue(definition: APIApplicationCommandBasicOption, text: string, directory: Directory): Converted {
  switch (definition.type) {
    case ApplicationCommandOptionType.String: {
      // Discord's client sends a choice's value; the page may send the name shown (typed rather than picked).
      if (definition.choices) {
        const choice = choiceFor(definition.choices, text);
        if (!choice) return { error: `choose one of ${definition.choices.map((c) => c.name).join(', ')}` };
        return choice.value;
      }
      const min = definition.min_length ?? 0;
      const max = definition.max_length ?? 6000;
      // Characters as Discord counts them, code points (as the bot does: custom-ids.ts): an emoji is one, where its two
      // UTF-16 units refused a search of more than 35 emoji, which Discord’s client sends.
      const length = [...text].length;
      if (length < Math.max(1, min) || length > max) return { error: `must be ${Math.max(1, min)}–${max} characters` };
      return text;
    }
    case ApplicationCommandOptionType.Integer:
    case ApplicationCommandOptionType.Number: {
      const isInteger = definition.type === ApplicationCommandOptionType.Integer;
      if (!definition.choices && !(isInteger ? /^-?\d+$/u : /^-?\d+(\.\d+)?$/u).test(text)) return { error: `must be ${isInteger ? 'a whole number' : 'a number'}` };
      if (definition.choices) {
        const choice = choiceFor(definition.choices, text);
        if (!choice) return { error: `choose one of ${definition.choices.map((c) => c.name).join(', ')}` };
        return choice.value;
      }
      const value = Number(text);
      if (definition.min_value !== undefined && value < definition.min_value) return { error: `must be at least ${definition.min_value}` };
      if (definition.max_value !== undefined && value > definition.max_value) return { error: `must be at most ${definition.max_value}` };
      return value;
    }
    case ApplicationCommandOptionType.Boolean:
      if (text === 'true' || text === 'false') return text === 'true';
      return { error: 'must be true or false' };
    case ApplicationCommandOptionType.User:
      return findUser(text, directory) ?? { error: `no member "${text}"` };
    case ApplicationCommandOptionType.Role:
      return findRole(text, directory) ?? { error: `no role "${text}"` };
    case ApplicationCommandOptionType.Mentionable:
      return findUser(text, directory) ?? findRole(text, directory) ?? { error: `no member or role "${text}"` };
    case ApplicationCommandOptionType.Channel: {
      const name = text.replace(/^<#(\d+)>$/u, '$1').replace(/^#/u, '');
      const channel = directory.channels.find((c) => c.id === name || c.name === name);
      if (!channel) return { error: `no channel "${text}"` };
      if (definition.channel_types && !(definition.channel_types as readonly number[]).includes(channel.type)) {
        return { error: `#${channel.name} is not a kind of channel this option takes` };
      }
      return channel.id;
    }
    case ApplicationCommandOptionType.Attachment:
      return { error: 'choose a file from disk' };
  }
}

function findUser(text: string, directory: Directory): string | undefined {
  const name = text.replace(/^<@!?(\d+)>$/u, '$1').replace(/^@/u, '').toLowerCase();
  return directory.users.find((u) => u.id === name || u.username.toLowerCase() === name || u.global_name?.toLowerCase() === name)?.id;
}

function findRole(text: string, directory: Directory): string | undefined {
  const name = text.replace(/^<@&(\d+)>$/u, '$1').replace(/^@/u, '').toLowerCase();
  // `@everyone` is the server's @everyone role, whose name holds the `@` (Discord's client offers it in role options).
  return directory.roles.find((r) => r.id === name || r.name.toLowerCase().replace(/^@/u, '') === name)?.id;
}

/** A choice by its value, or by the name the page shows for it (any case). */
function choiceFor<T extends string | number>(choices: readonly { name: string; value: T }[], text: string): { name: string; value: T } | undefined {
  return choices.find((c) => String(c.value) === text) ?? choices.find((c) => c.name.toLowerCase() === text.toLowerCase());
}

/** How the label shows a value: a choice by its name (as Discord's client shows it), anything else as typed. */
function shownValue(definition: APIApplicationCommandBasicOption, value: string | number | boolean, typed: string): string {
  const choices = (definition as { choices?: readonly { name: string; value: string | number }[] }).choices;
  return choices?.find((c) => c.value === value)?.name ?? typed;
}
