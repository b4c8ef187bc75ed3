import type { ButtonHandler, CommandHandler } from '../router.js';
import type { HandlerDeps } from './deps.js';
import { lessonButtonHandler } from './lesson/buttons.js';
import { lessonHandler } from './lesson/index.js';
import { scheduleHandler } from './schedule/index.js';

export type { HandlerDeps };

export function commandHandlers(deps: HandlerDeps): CommandHandler[] {
  return [lessonHandler(deps), scheduleHandler(deps)];
}

export function buttonHandlers(deps: HandlerDeps): ButtonHandler[] {
  return [lessonButtonHandler(deps)];
}
