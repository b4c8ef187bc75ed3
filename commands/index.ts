import type { CommandDefinition } from '../src/discord/command-definition.js';
import type { CommandModule } from '../src/discord/command-module.js';
import { lessonModule } from './lesson.js';
import { scheduleModule } from './schedule.js';

/** Every command module; main.ts binds them to the services and hands them to the router. */
export const commandModules: readonly CommandModule[] = [lessonModule, scheduleModule];

/** Every command the bot registers; `npm run deploy-commands` overwrites Discord's list with exactly these. */
export const commandDefinitions: readonly CommandDefinition[] = commandModules.map((module) => module.definition);
