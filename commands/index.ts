import type { CommandDefinition } from '../src/discord/command-definition.js';
import type { CommandModule } from '../src/discord/command-module.js';
import { helpModule } from './help.js';
import { leaderboardModule } from './leaderboard.js';
import { lessonModule } from './lesson.js';
import { privacyModule } from './privacy.js';
import { progressModule } from './progress.js';
import { scheduleModule } from './schedule.js';
import { settingsModule } from './settings.js';

/** Every command module; main.ts binds them to the services and hands them to the router. */
export const commandModules: readonly CommandModule[] = [
  lessonModule,
  scheduleModule,
  progressModule,
  leaderboardModule,
  settingsModule,
  privacyModule,
  helpModule(() => commandModules),
];

/** Every command the bot registers; `npm run deploy-commands` overwrites Discord's list with exactly these. */
export const commandDefinitions: readonly CommandDefinition[] = commandModules.map((module) => module.definition);
