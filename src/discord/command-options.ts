import {
  ApplicationCommandOptionType,
  type APIApplicationCommandBasicOption,
  type Attachment,
  type ChatInputCommandInteraction,
  type GuildBasedChannel,
  type Role,
  type User,
} from 'discord.js';

/**
 * Handler options inferred from a command's JSON definition (the approach Yuudachi takes):
 * a definition declared `as const satisfies` Discord's types gives its handler typed, named options.
 */
type OptionValue<T extends ApplicationCommandOptionType> = T extends ApplicationCommandOptionType.String
  ? string
  : T extends ApplicationCommandOptionType.Integer | ApplicationCommandOptionType.Number
    ? number
    : T extends ApplicationCommandOptionType.Boolean
      ? boolean
      : T extends ApplicationCommandOptionType.User
        ? User
        : T extends ApplicationCommandOptionType.Channel
          ? GuildBasedChannel
          : T extends ApplicationCommandOptionType.Role
            ? Role
            : T extends ApplicationCommandOptionType.Attachment
              ? Attachment
              : never;

export type BasicOption = Pick<APIApplicationCommandBasicOption, 'name' | 'type'> & { readonly required?: boolean };

export type OptionsOf<Definition extends { readonly options?: readonly BasicOption[] }> = Definition['options'] extends readonly BasicOption[]
  ? {
      [O in Definition['options'][number] as O['required'] extends true ? O['name'] : never]: OptionValue<O['type']>;
    } & {
      [O in Definition['options'][number] as O['required'] extends true ? never : O['name']]?: OptionValue<O['type']>;
    }
  : Record<string, never>;

/** Reads a (sub)command's options as declared in its definition, with the types `OptionsOf` promises. */
export function readOptions<Definition extends { readonly options?: readonly BasicOption[] }>(
  interaction: ChatInputCommandInteraction,
  definition: Definition,
): OptionsOf<Definition> {
  const values: Record<string, unknown> = {};
  for (const option of definition.options ?? []) {
    const value = readOption(interaction, option);
    if (value !== null && value !== undefined) values[option.name] = value;
  }
  return values as OptionsOf<Definition>;
}

function readOption(interaction: ChatInputCommandInteraction, option: BasicOption): unknown {
  const { options } = interaction;
  switch (option.type) {
    case ApplicationCommandOptionType.String:
      return options.getString(option.name);
    case ApplicationCommandOptionType.Integer:
      return options.getInteger(option.name);
    case ApplicationCommandOptionType.Number:
      return options.getNumber(option.name);
    case ApplicationCommandOptionType.Boolean:
      return options.getBoolean(option.name);
    case ApplicationCommandOptionType.User:
      return options.getUser(option.name);
    case ApplicationCommandOptionType.Channel:
      return options.getChannel(option.name);
    case ApplicationCommandOptionType.Role:
      return options.getRole(option.name);
    case ApplicationCommandOptionType.Attachment:
      return options.getAttachment(option.name);
    default:
      return undefined;
  }
}
