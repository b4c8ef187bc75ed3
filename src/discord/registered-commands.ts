import type { ApplicationCommand, Client } from 'discord.js';
import type { Logger } from 'pino';
import { toRequestBody, type CommandDefinition } from './command-definition.js';

/** How Discord's global registration differs from this version's definitions, by command name. */
export interface RegistrationDrift {
  readonly missing: string[];
  readonly changed: string[];
  readonly extra: string[];
}

/**
 * Compares the global registration with `definitions` by discord.js's `ApplicationCommand#equals`, which knows
 * the defaults Discord fills in. Null when nothing is registered globally (a per-server registration, or none
 * yet): there is nothing to compare then.
 */
export async function registrationDrift(client: Client<true>, definitions: readonly CommandDefinition[]): Promise<RegistrationDrift | null> {
  const registered = await client.application.commands.fetch({ cache: false });
  if (registered.size === 0) return null;
  const byName = new Map<string, ApplicationCommand>(registered.map((command) => [command.name, command]));
  const wanted = toRequestBody(definitions);
  const missing: string[] = [];
  const changed: string[] = [];
  for (const definition of wanted) {
    const current = byName.get(definition.name);
    if (!current) missing.push(definition.name);
    else if (!current.equals(comparable(definition, current))) changed.push(definition.name);
  }
  const names = new Set(wanted.map((definition) => definition.name));
  const extra = [...byName.keys()].filter((name) => !names.has(name));
  return { missing, changed, extra };
}

// `equals` reads Discord's JSON (snake_case) as well as discord.js's own shape; its types name only the latter.
function comparable(definition: ReturnType<typeof toRequestBody>[number], current: ApplicationCommand): Parameters<ApplicationCommand['equals']>[0] {
  // Where the definitions leave the install contexts to Discord, whatever Discord chose is not a change.
  return { ...definition, integration_types: definition.integration_types ?? current.integrationTypes ?? [] } as unknown as Parameters<ApplicationCommand['equals']>[0];
}

/**
 * At start: an upgrade that adds or changes commands needs `npm run deploy-commands` again, or members keep the
 * old ones (an option's old length, a command that is not there). Says so in the log; never stops the bot.
 */
export async function logRegistrationDrift(client: Client, definitions: readonly CommandDefinition[], logger: Logger): Promise<void> {
  try {
    if (!client.isReady()) return;
    const drift = await registrationDrift(client, definitions);
    if (drift === null) {
      // Per-server registrations (a development server, the playground) are not compared: one read per server.
      logger.debug('no global commands registered to compare (per-server registration?): after an upgrade, run npm run deploy-commands again');
    } else if (drift.missing.length + drift.changed.length + drift.extra.length > 0) {
      logger.warn(drift, 'the registered commands are not this version’s: run npm run deploy-commands');
    } else {
      logger.info({ commands: definitions.length }, 'the registered commands are this version’s');
    }
  } catch (error) {
    logger.warn({ err: error }, 'could not compare the registered commands with this version’s');
  }
}
