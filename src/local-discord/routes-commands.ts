import type { APIApplicationCommand } from 'discord.js';
import { apiErrors } from './errors.js';
import { isObject, type JsonObject } from './objects.js';
import { noContent, objectBody, ok, param, type RouteContext, type RouteDefinition } from './router.js';
import { snowflake } from './snowflake.js';
import { validateCommands } from './validation.js';

/** The command list a route addresses: global, or of one guild the bot is in. */
function commandList(ctx: RouteContext): { list: APIApplicationCommand[]; guildId?: string } {
  const { state } = ctx.deps;
  if (param(ctx, 'applicationId') !== state.applicationId) throw apiErrors.missingAccess();
  const guildId = ctx.params.guildId;
  if (guildId === undefined) return { list: state.globalCommands };
  if (!state.guilds.has(guildId)) throw apiErrors.missingAccess();
  let list = state.guildCommands.get(guildId);
  if (!list) {
    list = [];
    state.guildCommands.set(guildId, list);
  }
  return { list, guildId };
}

function toCommand(ctx: RouteContext, input: JsonObject, existing: APIApplicationCommand | undefined, guildId?: string): APIApplicationCommand {
  return {
    id: existing?.id ?? snowflake(),
    application_id: ctx.deps.state.applicationId,
    version: snowflake(),
    type: (input.type as APIApplicationCommand['type'] | undefined) ?? 1,
    name: String(input.name),
    name_localizations: (input.name_localizations as APIApplicationCommand['name_localizations']) ?? null,
    description: typeof input.description === 'string' ? input.description : '',
    description_localizations: (input.description_localizations as APIApplicationCommand['description_localizations']) ?? null,
    ...(Array.isArray(input.options) ? { options: input.options as APIApplicationCommand['options'] } : {}),
    default_member_permissions: (input.default_member_permissions as string | null | undefined) ?? null,
    nsfw: input.nsfw === true,
    integration_types: (input.integration_types as APIApplicationCommand['integration_types']) ?? [0],
    contexts: (input.contexts as APIApplicationCommand['contexts']) ?? null,
    ...(guildId ? { guild_id: guildId } : {}),
  };
}

const sameCommand = (input: JsonObject) => (c: APIApplicationCommand) => c.name === input.name && c.type === (input.type ?? 1);

/** Bulk overwrite: the list becomes exactly the body; commands keep their ids by name and type. */
function bulkOverwrite(ctx: RouteContext) {
  const { list, guildId } = commandList(ctx);
  const inputs = Array.isArray(ctx.body) ? ctx.body : [];
  validateCommands(inputs);
  const next = inputs.filter(isObject).map((input) => toCommand(ctx, input, list.find(sameCommand(input)), guildId));
  list.splice(0, list.length, ...next);
  return ok(next);
}

function createCommand(ctx: RouteContext) {
  const { list, guildId } = commandList(ctx);
  const input = objectBody(ctx);
  validateCommands([input]);
  const index = list.findIndex(sameCommand(input));
  const command = toCommand(ctx, input, list[index], guildId);
  if (index >= 0) {
    list[index] = command;
    return ok(command);
  }
  list.push(command);
  return { status: 201, body: command };
}

function findCommand(ctx: RouteContext): { list: APIApplicationCommand[]; index: number } {
  const { list } = commandList(ctx);
  const index = list.findIndex((c) => c.id === param(ctx, 'commandId'));
  if (index < 0) throw apiErrors.unknownCommand();
  return { list, index };
}

function editCommand(ctx: RouteContext) {
  const { list, index } = findCommand(ctx);
  const current = list[index] as APIApplicationCommand;
  const merged = { ...current, ...objectBody(ctx) } as unknown as JsonObject;
  validateCommands([merged]);
  const command = toCommand(ctx, merged, current, current.guild_id);
  list[index] = command;
  return ok(command);
}

function deleteCommand(ctx: RouteContext) {
  const { list, index } = findCommand(ctx);
  list.splice(index, 1);
  return noContent();
}

const bases = ['/applications/:applicationId/commands', '/applications/:applicationId/guilds/:guildId/commands'];

export const commandRoutes: RouteDefinition[] = bases.flatMap((base): RouteDefinition[] => [
  { method: 'GET', pattern: base, auth: true, handle: (ctx) => ok(commandList(ctx).list) },
  { method: 'PUT', pattern: base, auth: true, handle: bulkOverwrite },
  { method: 'POST', pattern: base, auth: true, handle: createCommand },
  {
    method: 'GET',
    pattern: `${base}/:commandId`,
    auth: true,
    handle: (ctx) => {
      const { list, index } = findCommand(ctx);
      return ok(list[index]);
    },
  },
  { method: 'PATCH', pattern: `${base}/:commandId`, auth: true, handle: editCommand },
  { method: 'DELETE', pattern: `${base}/:commandId`, auth: true, handle: deleteCommand },
]);
