import { parseArgs } from 'node:util';
import { REST, Routes, type APIApplication } from 'discord.js';
import { commandDefinitions } from '../../commands/index.js';
import { toRequestBody } from '../discord/command-definition.js';
import { ConfigError, loadConfig, loadDotEnv } from '../config.js';
import { withoutDiscordTokens } from '../logger.js';

const USAGE = `Usage: npm run deploy-commands -- [--guild <server id>]

Overwrites the bot's slash commands with the definitions in commands/:
globally (may take up to an hour to show everywhere), or in one server with --guild (instant, for development).
Needs DISCORD_TOKEN; DISCORD_APPLICATION_ID is read from the API when not set.`;

async function deployCommands(argv: string[]): Promise<number> {
  let values: { guild?: string | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({ args: argv, options: { guild: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (error) {
    console.error(`error: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.guild !== undefined && !/^\d{1,20}$/u.test(values.guild)) {
    console.error('error: --guild must be a server ID (its digits)');
    return 2;
  }
  loadDotEnv();
  const config = loadConfig();
  if (!config.DISCORD_TOKEN) {
    console.error('DISCORD_TOKEN is not set: it is needed to register commands. See .env.example.');
    return 1;
  }
  const rest = new REST(config.DISCORD_API_URL ? { api: config.DISCORD_API_URL.replace(/\/+$/u, '') } : {}).setToken(
    config.DISCORD_TOKEN,
  );
  const applicationId =
    config.DISCORD_APPLICATION_ID ?? ((await rest.get(Routes.currentApplication())) as APIApplication).id;
  const route = values.guild
    ? Routes.applicationGuildCommands(applicationId, values.guild)
    : Routes.applicationCommands(applicationId);
  const saved = (await rest.put(route, { body: toRequestBody(commandDefinitions) })) as { name: string }[];
  console.log(
    `Registered ${saved.length} command${saved.length === 1 ? '' : 's'} (${saved.map((c) => `/${c.name}`).join(', ')}) ` +
      (values.guild ? `in server ${values.guild}` : 'globally'),
  );
  return 0;
}

try {
  process.exitCode = await deployCommands(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `Could not register commands: ${describeFailure(error)}`);
  process.exitCode = 1;
}

/**
 * What failed, for an operator to act on: Discord's answer with its HTTP status and the request (method and URL:
 * a mistyped DISCORD_API_URL shows there; discord.js's errors carry no token), not its bare status text
 * ("No Description", "Bad Gateway").
 */
function describeFailure(error: unknown): string {
  const failed = error as { message?: unknown; status?: unknown; method?: unknown; url?: unknown };
  const message = String(failed.message ?? error);
  if (typeof failed.status !== 'number') return message;
  const request = typeof failed.method === 'string' && typeof failed.url === 'string' ? ` to ${failed.method.toUpperCase()} ${withoutDiscordTokens(failed.url)}` : '';
  return `Discord answered HTTP ${failed.status}${request}: ${message}`;
}
