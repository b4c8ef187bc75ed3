import type { APIApplicationCommandSubcommandOption, RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';

/** Discord's JSON types use mutable arrays; `as const` definitions are readonly, so check against a readonly view. */
export type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

export type CommandDefinition = DeepReadonly<RESTPostAPIChatInputApplicationCommandsJSONBody>;
export type SubcommandDefinition = DeepReadonly<APIApplicationCommandSubcommandOption>;

/** The JSON body Discord's bulk-overwrite route takes; the definitions are never mutated. */
export function toRequestBody(definitions: readonly CommandDefinition[]): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  return definitions as RESTPostAPIChatInputApplicationCommandsJSONBody[];
}
