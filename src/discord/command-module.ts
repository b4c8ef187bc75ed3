/**
 * The command-module contract: one module per slash command (commands/<name>.ts) holds its definition
 * and a table of handlers that the compiler checks against it. A subcommand without a handler, or a
 * handler without a subcommand, fails `npm run typecheck`; options arrive parsed and typed from the
 * subcommand's definition; moderator-only subcommands are declared here and enforced by the adapter;
 * buttons (by custom-id action) and autocomplete (by option name) live in the same module.
 *
 * @example
 * export const greet = {
 *   type: ApplicationCommandType.ChatInput, name: 'greet', description: 'Greetings', contexts: [InteractionContextType.Guild],
 *   integration_types: [ApplicationIntegrationType.GuildInstall], // used where the bot was added, not from a member's own apps
 *   options: [
 *     { type: ApplicationCommandOptionType.Subcommand, name: 'hello', description: 'Say hello',
 *       options: [{ type: ApplicationCommandOptionType.String, name: 'who', description: 'Whom', required: true }] },
 *     { type: ApplicationCommandOptionType.Subcommand, name: 'reset', description: 'Moderators: reset' },
 *   ],
 * } as const satisfies CommandDefinition;
 *
 * export default defineCommand(greet, {
 *   subcommands: {
 *     hello: async ({ options, reply }) => reply.send({ content: `Hello ${safeText(options.who)}` }), // options.who: string
 *     reset: { moderatorOnly: true, run: async ({ services, guildId, reply }) => { ... } },
 *   },
 * });
 *
 * A handler only parses (already done), calls a service, renders (a view from the feature), replies.
 * Answers are private unless the entry's `ephemeral` says otherwise; a `UserError` thrown anywhere becomes
 * a private message, anything else an apology (router.ts, the one error boundary).
 */
import type {
  ApplicationCommandOptionChoiceData,
  ApplicationCommandOptionType,
  AutocompleteInteraction,
  ButtonInteraction,
  ChatInputCommandInteraction,
} from 'discord.js';
import type { Services } from '../services.js';
import { UserError } from '../user-error.js';
import type { CommandDefinition } from './command-definition.js';
import { readOptions, type BasicOption, type OptionsOf } from './command-options.js';
import { customIdPrefix } from './custom-ids.js';
import { OUTSIDE_SERVER, requireGuild, requireModerator } from './permissions.js';
import type { Reply } from './reply.js';
import type { ButtonHandler, CommandHandler } from './router.js';

// ---- What handlers receive ----

export interface CommandContext<Options> {
  /** The subcommand's options, read once, typed from its definition (required ones are never undefined). */
  readonly options: Options;
  readonly reply: Reply;
  readonly interaction: ChatInputCommandInteraction;
  readonly services: Services;
  /** Commands run in servers only; a moderator-only entry has already been checked. */
  readonly guildId: string;
  readonly userId: string;
}

export type SubcommandHandler<Options> = (context: CommandContext<Options>) => Promise<void>;

export interface SubcommandEntryOptions<Options> {
  /** Only members with Manage Server or the server's moderator role; checked by the adapter on every use. */
  readonly moderatorOnly?: boolean;
  /** Whether the answer is private (default true); decided before any await, so an auto-defer matches it. */
  readonly ephemeral?: boolean | ((options: Options) => boolean);
  readonly run: SubcommandHandler<Options>;
}

/** A handler, or a handler with its declarations (`moderatorOnly`, `ephemeral`). */
export type SubcommandEntry<Options> = SubcommandHandler<Options> | SubcommandEntryOptions<Options>;

export interface ButtonContext<Button> {
  /** The decoded custom id. */
  readonly button: Button;
  readonly reply: Reply;
  readonly interaction: ButtonInteraction;
  readonly services: Services;
  readonly guildId: string;
  readonly userId: string;
}

export type ButtonClickHandler<Button> = (context: ButtonContext<Button>) => Promise<void>;

export interface ButtonEntryOptions<Button> {
  readonly moderatorOnly?: boolean;
  /** Edit the message the button sits on (paging) instead of answering with a new private message. */
  readonly update?: boolean | ((button: Button) => boolean);
  readonly run: ButtonClickHandler<Button>;
}

export type ButtonEntry<Button> = ButtonClickHandler<Button> | ButtonEntryOptions<Button>;

/** The union member(s) of `Button` whose action is `Action`, narrowed to it. */
type WithAction<Button, Action extends string> = Button extends { readonly action: infer A }
  ? Action extends A
    ? Button & { readonly action: Action }
    : never
  : never;

/** A module's buttons: custom ids `<prefix>:…` (custom-ids.ts), decoded once, one handler per action. */
export interface ButtonTable<Button extends { readonly action: string }> {
  readonly prefix: string;
  /** The button a custom id stands for, or null for an id this module did not produce (then: "expired"). */
  readonly decode: (customId: string) => Button | null;
  readonly handlers: { readonly [Action in Button['action']]: ButtonEntry<WithAction<Button, Action>> };
}

export interface AutocompleteContext {
  /** What the member has typed so far in the focused option. */
  readonly value: string;
  readonly interaction: AutocompleteInteraction;
  readonly services: Services;
  readonly guildId: string | null;
}

export type Choice = ApplicationCommandOptionChoiceData<string | number>;
export type AutocompleteHandler = (context: AutocompleteContext) => Promise<readonly Choice[]>;

// ---- The table, computed from the definition ----

type TopOptions<D> = D extends { readonly options: readonly (infer O)[] } ? O : never;
type SubcommandsOf<D> = Extract<TopOptions<D>, { readonly type: ApplicationCommandOptionType.Subcommand }>;
type GroupsOf<D> = Extract<TopOptions<D>, { readonly type: ApplicationCommandOptionType.SubcommandGroup }>;
type NameOf<S> = S extends { readonly name: infer N extends string } ? N : never;
type OptionsOfEntry<S> = S extends { readonly options?: readonly BasicOption[] } ? OptionsOf<S> : never;

type SubcommandTable<Holder> = { readonly [S in SubcommandsOf<Holder> as NameOf<S>]: SubcommandEntry<OptionsOfEntry<S>> };
type GroupTable<D> = { readonly [G in GroupsOf<D> as NameOf<G>]: SubcommandTable<G> };

/**
 * One entry per subcommand (nested per subcommand group). A command without subcommands has one entry,
 * under its own name. Every key must be there, and no other: the compiler checks both.
 */
export type HandlerTable<D extends CommandDefinition> = [SubcommandsOf<D> | GroupsOf<D>] extends [never]
  ? { readonly [K in D['name']]: SubcommandEntry<OptionsOfEntry<D>> }
  : SubcommandTable<D> & GroupTable<D>;

type AllOptions<O> = O extends { readonly options: readonly (infer Inner)[] } ? O | AllOptions<Inner> : O;
/** Names of the options that declare `autocomplete: true`, in any subcommand. */
export type AutocompleteNames<D> = NameOf<Extract<AllOptions<TopOptions<D>>, { readonly autocomplete: true }>>;

export type AutocompleteTable<D> = [AutocompleteNames<D>] extends [never]
  ? { readonly autocomplete?: never }
  : { readonly autocomplete: { readonly [Name in AutocompleteNames<D>]: AutocompleteHandler } };

export type CommandHandlers<D extends CommandDefinition, Button extends { readonly action: string }> = {
  readonly subcommands: NoInfer<HandlerTable<D>>;
  readonly buttons?: ButtonTable<Button>;
  /** The message for a use outside a server (default: OUTSIDE_SERVER). */
  readonly outsideServer?: string;
  /** Every subcommand and button is moderator-only (an entry may still say `moderatorOnly: false`). */
  readonly moderatorOnly?: boolean;
  /** Its interactions are logged without the member's id, its buttons' ids cut to `prefix:action` (/privacy). */
  readonly logsWithoutMember?: boolean;
} & NoInfer<AutocompleteTable<D>>;

/** A command module as commands/index.ts lists it: its definition, and handlers bound to the services at start-up. */
export interface CommandModule {
  readonly definition: CommandDefinition;
  /** Whether a subcommand (`['import']`, `[group, name]`, or `[]` for a command without any) is for moderators only. */
  isModeratorOnly(path: readonly string[]): boolean;
  bind(services: Services): { readonly command: CommandHandler; readonly button?: ButtonHandler };
}

type AnyOption = { readonly type: number; readonly name: string; readonly options?: readonly AnyOption[] };
type AnyEntry = SubcommandEntry<unknown> | ButtonEntry<unknown>;

function entryParts<E extends AnyEntry>(entry: E): Exclude<E, (...args: never[]) => unknown> | { run: E } {
  return (typeof entry === 'function' ? { run: entry } : entry) as Exclude<E, (...args: never[]) => unknown> | { run: E };
}

export function defineCommand<const D extends CommandDefinition, Button extends { readonly action: string } = never>(
  definition: D,
  handlers: CommandHandlers<D, Button>,
): CommandModule {
  const outsideServer = handlers.outsideServer ?? OUTSIDE_SERVER;
  const moderatorsOnly = handlers.moderatorOnly ?? false;
  const table = handlers.subcommands as unknown as Record<string, unknown>;
  const autocomplete = (handlers as { autocomplete?: Record<string, AutocompleteHandler> }).autocomplete ?? {};

  /** The entry and the option list it reads, for the subcommand (group) the member used. */
  function resolve(interaction: ChatInputCommandInteraction): { entry: SubcommandEntry<unknown>; holder: AnyOption } | undefined {
    const group = interaction.options.getSubcommandGroup(false);
    const subcommand = interaction.options.getSubcommand(false);
    const top = (definition.options ?? []) as readonly AnyOption[];
    if (subcommand === null) {
      const entry = Object.hasOwn(table, definition.name) ? (table[definition.name] as SubcommandEntry<unknown>) : undefined;
      return entry ? { entry, holder: definition as AnyOption } : undefined;
    }
    const parent = group === null ? top : (top.find((option) => option.name === group)?.options ?? []);
    const holder = parent.find((option) => option.name === subcommand);
    const entries = (group === null ? table : table[group]) as Record<string, SubcommandEntry<unknown>> | undefined;
    const entry = entries && Object.hasOwn(entries, subcommand) ? entries[subcommand] : undefined;
    return entry && holder ? { entry, holder } : undefined;
  }

  return {
    definition,
    isModeratorOnly(path) {
      const [first = definition.name, second] = path;
      const level = Object.hasOwn(table, first) ? table[first] : undefined;
      const entry = second === undefined ? level : level && Object.hasOwn(level, second) ? (level as Record<string, unknown>)[second] : undefined;
      if (entry === undefined) return moderatorsOnly;
      return (entryParts(entry as SubcommandEntry<unknown>) as SubcommandEntryOptions<unknown>).moderatorOnly ?? moderatorsOnly;
    },
    bind(services) {
      const logsWithoutMember = handlers.logsWithoutMember ?? false;
      const command: CommandHandler = {
        definition,
        logsWithoutMember,
        async execute(interaction, reply) {
          const found = resolve(interaction);
          // Only a definition Discord still has from an older deploy gets here.
          if (!found) throw new UserError('This command is not available any more. It may take a minute to disappear.');
          const { run, moderatorOnly = moderatorsOnly, ephemeral = true } = entryParts(found.entry) as SubcommandEntryOptions<unknown>;
          const options = readOptions(interaction, found.holder as { options?: readonly BasicOption[] });
          reply.ephemeral = typeof ephemeral === 'function' ? ephemeral(options) : ephemeral;
          const guildId = requireGuild(interaction, outsideServer);
          if (moderatorOnly) await requireModerator(interaction, (id) => services.delivery.moderatorRoleId(id));
          await run({ options, reply, interaction, services, guildId, userId: interaction.user.id });
        },
        async autocomplete(interaction) {
          const focused = interaction.options.getFocused(true);
          const handler = Object.hasOwn(autocomplete, focused.name) ? autocomplete[focused.name] : undefined;
          const choices = handler
            ? await handler({ value: String(focused.value), interaction, services, guildId: interaction.guildId })
            : [];
          // Discord shows at most 25 suggestions.
          await interaction.respond(choices.slice(0, 25));
        },
      };
      const buttons = handlers.buttons;
      if (!buttons) return { command };
      const buttonEntries = buttons.handlers as Record<string, ButtonEntry<unknown>>;
      const button: ButtonHandler = {
        prefix: buttons.prefix,
        logsWithoutMember,
        async execute(interaction, reply) {
          const decoded = customIdPrefix(interaction.customId) === buttons.prefix ? buttons.decode(interaction.customId) : null;
          const entry = decoded && Object.hasOwn(buttonEntries, decoded.action) ? buttonEntries[decoded.action] : undefined;
          if (!decoded || !entry) throw new UserError('This button has expired.');
          const { run, moderatorOnly = moderatorsOnly, update = false } = entryParts(entry) as ButtonEntryOptions<unknown>;
          reply.ephemeral = true;
          reply.mode = (typeof update === 'function' ? update(decoded) : update) ? 'update' : 'reply';
          const guildId = requireGuild(interaction, outsideServer);
          if (moderatorOnly) await requireModerator(interaction, (id) => services.delivery.moderatorRoleId(id));
          await run({ button: decoded, reply, interaction, services, guildId, userId: interaction.user.id });
        },
      };
      return { command, button };
    },
  };
}

/** Every module bound to the services, as the router takes them (main.ts). */
export function bindCommandModules(
  modules: readonly CommandModule[],
  services: Services,
): { commands: CommandHandler[]; buttons: ButtonHandler[] } {
  const bound = modules.map((module) => module.bind(services));
  return { commands: bound.map((entry) => entry.command), buttons: bound.flatMap((entry) => (entry.button ? [entry.button] : [])) };
}
