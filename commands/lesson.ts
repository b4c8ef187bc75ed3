import { ApplicationCommandOptionType, ApplicationCommandType, InteractionContextType } from 'discord.js';
import type { CommandDefinition, SubcommandDefinition } from '../src/bot/command-definition.js';

const lessonOption = {
  type: ApplicationCommandOptionType.String,
  name: 'lesson',
  description: 'Which lesson (type to search titles, or paste an ID); default: today’s',
  autocomplete: true,
  max_length: 100,
} as const;

const shareOption = {
  type: ApplicationCommandOptionType.Boolean,
  name: 'share',
  description: 'Post it in the channel for everyone (default: only you see it)',
} as const;

export const lessonToday = {
  type: ApplicationCommandOptionType.Subcommand,
  name: 'today',
  description: 'Today’s lesson card: summary, reading time and buttons',
  options: [shareOption],
} as const satisfies SubcommandDefinition;

export const lessonDialogue = {
  type: ApplicationCommandOptionType.Subcommand,
  name: 'dialogue',
  description: 'The full learner dialogue that retells the article',
  options: [lessonOption, shareOption],
} as const satisfies SubcommandDefinition;

export const lessonArticle = {
  type: ApplicationCommandOptionType.Subcommand,
  name: 'article',
  description: 'The full news article',
  options: [lessonOption, shareOption],
} as const satisfies SubcommandDefinition;

export const lessonRelated = {
  type: ApplicationCommandOptionType.Subcommand,
  name: 'related',
  description: 'Related readings for a lesson',
  options: [lessonOption, shareOption],
} as const satisfies SubcommandDefinition;

export const lessonShow = {
  type: ApplicationCommandOptionType.Subcommand,
  name: 'show',
  description: 'The card of any lesson in the library',
  options: [{ ...lessonOption, required: true, description: 'Which lesson (type to search titles, or paste an ID)' }, shareOption],
} as const satisfies SubcommandDefinition;

export const lessonImport = {
  type: ApplicationCommandOptionType.Subcommand,
  name: 'import',
  description: 'Moderators: add lessons from an export or JSON file',
  options: [{ type: ApplicationCommandOptionType.Attachment, name: 'file', description: 'A lesson export (.txt) or JSON file', required: true }],
} as const satisfies SubcommandDefinition;

/** `/lesson`: what members use to read (and moderators use to import). */
export const lessonCommand = {
  type: ApplicationCommandType.ChatInput,
  name: 'lesson',
  description: 'Read today’s news lesson: card, dialogue, article and related readings',
  contexts: [InteractionContextType.Guild],
  options: [lessonToday, lessonDialogue, lessonArticle, lessonRelated, lessonShow, lessonImport],
} as const satisfies CommandDefinition;
