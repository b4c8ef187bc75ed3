import {
  DiscordAPIError,
  RESTJSONErrorCodes,
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
} from 'discord.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { CommandDefinition } from './command-definition.js';
import { customIdPrefix } from './custom-ids.js';
import { EPHEMERAL, NO_MENTIONS, Reply } from './reply.js';
import { TemporarilyUnavailableError } from '../unavailable-error.js';
import { UserError } from '../user-error.js';

/** What the router dispatches a command to; `defineCommand` (command-module.ts) builds these from a module. */
export interface CommandHandler {
  readonly definition: CommandDefinition;
  /** Log its interactions without the member's id (see `describe`). */
  readonly logsWithoutMember?: boolean;
  execute(interaction: ChatInputCommandInteraction, reply: Reply): Promise<void>;
  autocomplete?(interaction: AutocompleteInteraction): Promise<void>;
}

export interface ButtonHandler {
  /** Handles buttons whose custom id's first `:`-separated part is this (see custom-ids.ts). */
  readonly prefix: string;
  /** Log its clicks without the member's id, the custom id cut to `prefix:action` (see `describe`). */
  readonly logsWithoutMember?: boolean;
  execute(interaction: ButtonInteraction, reply: Reply): Promise<void>;
}

export const APOLOGY = 'Sorry, something went wrong on our side. Please try again in a moment.';
/** Distinct button actions counted by name in the metrics; more than the bot has (about 15), fewer than a flood. */
const MAX_BUTTON_NAMES = 64;
const SHUTTING_DOWN = 'The bot is restarting. Please try again in a few seconds.';

export interface InteractionRouter {
  handle(interaction: Interaction): Promise<void>;
  /** Stops taking new interactions and waits (up to `timeoutMs`) for the ones in flight. */
  drain(timeoutMs: number): Promise<void>;
}

/** One entry point for every interaction, with one error boundary. */
export function createInteractionRouter(options: {
  commands: readonly CommandHandler[];
  buttons: readonly ButtonHandler[];
  logger: Logger;
  metrics?: Pick<Metrics, 'interactions' | 'interactionSeconds' | 'interactionsDeferred'>;
  /** How long the failures of an outage are counted before they are logged again (10 s; tests). */
  outageLogWindowMs?: number;
}): InteractionRouter {
  const logFailure = failureLog(options.logger, options.outageLogWindowMs ?? OUTAGE_LOG_WINDOW_MS);
  const commands = new Map(options.commands.map((command) => [command.definition.name, command]));
  const buttons = new Map(options.buttons.map((button) => [button.prefix, button]));
  if (commands.size !== options.commands.length) throw new Error('two command handlers share a name');
  if (buttons.size !== options.buttons.length) throw new Error('two button handlers share a custom id prefix');
  const inFlight = new Set<Promise<void>>();
  let draining = false;

  async function dispatch(interaction: Interaction, reply: Reply | undefined): Promise<void> {
    if (interaction.isAutocomplete()) {
      const handler = commands.get(interaction.commandName)?.autocomplete;
      // A command Discord still lists (from an older deploy), or one without suggestions: an empty list, in time.
      if (handler) await handler(interaction);
      else await interaction.respond([]);
    } else if (interaction.isChatInputCommand() && reply) {
      const command = commands.get(interaction.commandName);
      if (!command) throw new UserError('This command is not available any more. It may take a minute to disappear.');
      await command.execute(interaction, reply);
    } else if (interaction.isButton() && reply) {
      const button = buttons.get(customIdPrefix(interaction.customId));
      if (!button) throw new UserError('This button has expired.');
      await button.execute(interaction, reply);
    }
  }

  const buttonNames = new Set<string>();

  /** What identifies an interaction in the logs: never its token; for a module that asks, not its member either. */
  function describe(interaction: Interaction): Record<string, unknown> {
    const withoutMember =
      interaction.isChatInputCommand() || interaction.isAutocomplete()
        ? commands.get(interaction.commandName)?.logsWithoutMember === true
        : interaction.isMessageComponent() && buttons.get(customIdPrefix(interaction.customId))?.logsWithoutMember === true;
    const described = describeInteraction(interaction);
    if (!withoutMember) return described;
    const { userId: _userId, customId, ...rest } = described;
    return { ...rest, customId: typeof customId === 'string' ? customId.split(':', 2).join(':') : undefined };
  }

  /**
   * The metric's `name`: a command or `prefix:action` of a button. Only what the bot declares, and at most
   * MAX_BUTTON_NAMES actions: ids come from the bot's own components, but each new label value is a series
   * kept for the life of the process, so a stream of made-up ids must not grow them without end.
   */
  function metricName(interaction: Interaction): string {
    if (interaction.isChatInputCommand() || interaction.isAutocomplete()) return commands.has(interaction.commandName) ? interaction.commandName : 'unknown';
    if (!interaction.isButton()) return 'other';
    const [prefix = '', action = ''] = interaction.customId.split(':', 2);
    if (!buttons.has(prefix)) return 'unknown';
    const name = `${prefix}:${action}`;
    if (buttonNames.has(name)) return name;
    if (buttonNames.size >= MAX_BUTTON_NAMES || !/^[a-z]{1,16}$/u.test(action)) return `${prefix}:other`;
    buttonNames.add(name);
    return name;
  }

  async function guarded(interaction: Interaction): Promise<void> {
    const started = Date.now();
    const reply = interaction.isChatInputCommand() || interaction.isButton() ? new Reply(interaction) : undefined;
    reply?.deferSoon();
    let outcome: 'ok' | 'user_error' | 'error' = 'ok';
    try {
      await dispatch(interaction, reply);
    } catch (error) {
      outcome = error instanceof UserError ? 'user_error' : 'error';
      await answerFailure(interaction, reply, error, options.logger, logFailure, describe);
    } finally {
      reply?.dispose();
      const seconds = (Date.now() - started) / 1000;
      const kind = interactionKind(interaction);
      options.metrics?.interactions.inc({ kind, name: metricName(interaction), outcome });
      options.metrics?.interactionSeconds.observe({ kind }, seconds);
      if (interaction.isRepliable() && interaction.deferred) options.metrics?.interactionsDeferred.inc({ kind });
      // describe() reads the interaction's options: only for a logger that will write the line.
      if (options.logger.isLevelEnabled('debug')) {
        options.logger.debug({ ...describe(interaction), ms: Math.round(seconds * 1000), outcome }, 'interaction handled');
      }
    }
  }

  return {
    async handle(interaction) {
      if (draining) {
        if (interaction.isRepliable()) {
          await interaction
            .reply({ content: SHUTTING_DOWN, flags: EPHEMERAL, allowedMentions: NO_MENTIONS })
            .catch(() => undefined);
        } else if (interaction.isAutocomplete()) {
          // Unanswered, Discord would show "Loading options failed" after 3 s.
          await interaction.respond([]).catch(() => undefined);
        }
        return;
      }
      const work = guarded(interaction);
      inFlight.add(work);
      try {
        await work;
      } finally {
        inFlight.delete(work);
      }
    },
    async drain(timeoutMs) {
      draining = true;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      });
      await Promise.race([Promise.allSettled([...inFlight]), timeout]);
      clearTimeout(timer);
    },
  };
}

async function answerFailure(
  interaction: Interaction,
  reply: Reply | undefined,
  error: unknown,
  logger: Logger,
  logFailure: (error: unknown, context: Record<string, unknown>) => void,
  describe: (interaction: Interaction) => Record<string, unknown>,
): Promise<void> {
  const userError = error instanceof UserError;
  if (isAnsweredElsewhere(error)) {
    // Another process answered it (two copies sharing one shard), or it expired: nobody is waiting for us.
    logger.warn({ code: (error as DiscordAPIError).code, ...describe(interaction) }, 'interaction already answered or expired');
    return;
  }
  if (!userError) logFailure(error, describe(interaction));
  if (interaction.isAutocomplete()) {
    // Autocomplete has no message to show; an empty list is the honest answer.
    if (!interaction.responded) await interaction.respond([]).catch(() => undefined);
    return;
  }
  try {
    await reply?.fail(userError ? error.message : APOLOGY);
  } catch (replyError) {
    logger.warn({ err: replyError, ...describe(interaction) }, 'could not tell the member about a failure');
  }
}

function isAnsweredElsewhere(error: unknown): boolean {
  return (
    error instanceof DiscordAPIError &&
    (error.code === RESTJSONErrorCodes.InteractionHasAlreadyBeenAcknowledged || error.code === RESTJSONErrorCodes.UnknownInteraction)
  );
}

function interactionKind(interaction: Interaction): string {
  if (interaction.isAutocomplete()) return 'autocomplete';
  if (interaction.isChatInputCommand()) return 'command';
  if (interaction.isButton()) return 'button';
  return 'other';
}

/** What identifies an interaction in the logs: never its token. */
function describeInteraction(interaction: Interaction): Record<string, unknown> {
  return {
    interactionId: interaction.id,
    type: interaction.type,
    command: interaction.isCommand() || interaction.isAutocomplete() ? interaction.commandName : undefined,
    subcommand:
      interaction.isChatInputCommand() || interaction.isAutocomplete()
        ? (interaction.options.getSubcommand(false) ?? undefined)
        : undefined,
    customId: interaction.isMessageComponent() ? interaction.customId : undefined,
    guildId: interaction.guildId,
    channelId: interaction.channelId,
    userId: interaction.user.id,
  };
}

/** How long the failures of an outage are counted before the next is logged in full. */
const OUTAGE_LOG_WINDOW_MS = 10_000;

/**
 * Logs a failed interaction with its context. A failure because something is temporarily unavailable (the database
 * not answering) comes once per interaction through an outage, thousands of the same error (4,375 lines in a 24 s
 * stop at 200/s): the first is logged in full, the rest of the next `windowMs` counted and logged as one line.
 */
function failureLog(logger: Logger, windowMs: number): (error: unknown, context: Record<string, unknown>) => void {
  let window: { readonly reason: string; suppressed: number } | undefined;
  return (error, context) => {
    if (!(error instanceof TemporarilyUnavailableError)) {
      logger.error({ err: error, ...context }, 'interaction failed');
      return;
    }
    if (window) {
      window.suppressed += 1;
      return;
    }
    logger.error({ err: error, ...context }, 'interaction failed');
    const current = { reason: error.message, suppressed: 0 };
    window = current;
    setTimeout(() => {
      window = undefined;
      if (current.suppressed > 0) {
        logger.error({ failed: current.suppressed, seconds: windowMs / 1000, reason: current.reason }, 'more interactions failed the same way (not logged one by one)');
      }
    }, windowMs).unref();
  };
}
