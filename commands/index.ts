import type { CommandDefinition } from '../src/bot/command-definition.js';
import { lessonCommand } from './lesson.js';
import { scheduleCommand } from './schedule.js';

/** Every command the bot registers; `npm run deploy-commands` overwrites Discord's list with exactly these. */
export const commandDefinitions: readonly CommandDefinition[] = [lessonCommand, scheduleCommand];
