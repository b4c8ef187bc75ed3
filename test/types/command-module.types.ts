/**
 * Compile-time checks of the command-module contract: `npm run typecheck` covers this file (vitest does
 * not run it). Each `@ts-expect-error` marks code that must NOT compile; if it ever compiles, the unused
 * directive itself fails typecheck.
 */
import { ApplicationCommandOptionType, ApplicationCommandType, InteractionContextType } from 'discord.js';
import type { CommandDefinition } from '../../src/discord/command-definition.js';
import { defineCommand } from '../../src/discord/command-module.js';

const sample = {
  type: ApplicationCommandType.ChatInput,
  name: 'sample',
  description: 'A sample',
  contexts: [InteractionContextType.Guild],
  options: [
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'one',
      description: 'One',
      options: [
        { type: ApplicationCommandOptionType.String, name: 'text', description: 'Text', required: true, autocomplete: true },
        { type: ApplicationCommandOptionType.Integer, name: 'count', description: 'Count' },
      ],
    },
    { type: ApplicationCommandOptionType.Subcommand, name: 'two', description: 'Two' },
  ],
} as const satisfies CommandDefinition;

const noop = async () => undefined;
const suggest = async () => [];

// Every subcommand has a handler, options are typed from the definition.
defineCommand(sample, {
  subcommands: {
    one: async ({ options }) => {
      const text: string = options.text;
      const count: number | undefined = options.count;
      // @ts-expect-error an optional option may be missing
      const sure: number = options.count;
      // @ts-expect-error no such option in this subcommand
      void options.other;
      void [text, count, sure];
    },
    two: { moderatorOnly: true, run: noop },
  },
  autocomplete: { text: suggest },
});

defineCommand(sample, {
  // @ts-expect-error a subcommand without a handler ('two')
  subcommands: { one: noop },
  autocomplete: { text: suggest },
});

defineCommand(sample, {
  subcommands: {
    one: noop,
    two: noop,
    // @ts-expect-error a handler without a subcommand
    three: noop,
  },
  autocomplete: { text: suggest },
});

// @ts-expect-error an option declared `autocomplete: true` without an autocomplete handler
defineCommand(sample, { subcommands: { one: noop, two: noop } });

// Subcommand groups nest their subcommands.
const grouped = {
  type: ApplicationCommandType.ChatInput,
  name: 'grouped',
  description: 'Grouped',
  options: [
    {
      type: ApplicationCommandOptionType.SubcommandGroup,
      name: 'words',
      description: 'Words',
      options: [
        {
          type: ApplicationCommandOptionType.Subcommand,
          name: 'add',
          description: 'Add',
          options: [{ type: ApplicationCommandOptionType.String, name: 'word', description: 'Word', required: true }],
        },
      ],
    },
    { type: ApplicationCommandOptionType.Subcommand, name: 'list', description: 'List' },
  ],
} as const satisfies CommandDefinition;

defineCommand(grouped, {
  subcommands: {
    words: { add: async ({ options }) => void (options.word satisfies string) },
    list: noop,
  },
});

defineCommand(grouped, {
  // @ts-expect-error a group's subcommand without a handler
  subcommands: { words: {}, list: noop },
});

// A command without subcommands has one handler, under its own name.
const flat = {
  type: ApplicationCommandType.ChatInput,
  name: 'flat',
  description: 'Flat',
  options: [{ type: ApplicationCommandOptionType.Boolean, name: 'loud', description: 'Loud' }],
} as const satisfies CommandDefinition;

defineCommand(flat, { subcommands: { flat: async ({ options }) => void (options.loud satisfies boolean | undefined) } });

// Buttons: one handler per custom-id action, each given its own decoded button.
type SampleButton = { readonly action: 'open'; readonly id: string } | { readonly action: 'page'; readonly id: string; readonly page: number };
const decode = (_customId: string): SampleButton | null => null;

defineCommand(flat, {
  subcommands: { flat: noop },
  buttons: {
    prefix: 's',
    decode,
    handlers: {
      open: noop,
      page: { update: (button) => button.page > 1, run: async ({ button }) => void (button.page satisfies number) },
    },
  },
});

defineCommand(flat, {
  subcommands: { flat: noop },
  buttons: {
    prefix: 's',
    decode,
    // @ts-expect-error a button action without a handler ('page')
    handlers: { open: noop },
  },
});
