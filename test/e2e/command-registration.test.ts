import { ApplicationCommandOptionType } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandDefinitions } from '../../commands/index.js';
import { toRequestBody } from '../../src/discord/command-definition.js';
import { createBotDatabase, startBotProcess, type BotDatabase } from '../support/bot-process.js';
import { startDiscordStandIn, type DiscordStandIn } from '../support/discord-stand-in/index.js';
import { runScript } from '../support/run-cli.js';

/*
 * Commands are registered by `npm run deploy-commands`, not by the bot. After an upgrade that adds or changes
 * one, members keep the old definitions until the operator runs it again: the bot says so at start.
 */
describe('at start the bot compares the global registration with its own commands', () => {
  let discord: DiscordStandIn;
  let database: BotDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    discord = await startDiscordStandIn();
    database = await createBotDatabase('pglite', { migrated: true });
    env = { ...database.env, DISCORD_API_URL: discord.apiUrl, DISCORD_TOKEN: 'test-token' };
  }, 120_000);
  afterAll(async () => {
    await discord?.close();
    await database?.dispose();
  });

  async function startLogging(message: string) {
    const bot = await startBotProcess(env);
    try {
      return await bot.waitForLog((line) => typeof line.msg === 'string' && line.msg.startsWith(message));
    } finally {
      expect(await bot.stop()).toBe(0);
    }
  }

  it('says nothing is registered globally, then names what an older registration lacks, changed or no longer has, then that it matches', async () => {
    expect(await startLogging('no global commands registered to compare')).toMatchObject({ level: 20 });

    // An older version's registration: no /help, /schedule set's time at most 5 characters, and a command since removed.
    const older = toRequestBody(commandDefinitions)
      .filter((command) => command.name !== 'help')
      .map((command) =>
        command.name !== 'schedule'
          ? command
          : {
              ...command,
              options: command.options?.map((sub) =>
                sub.type === ApplicationCommandOptionType.Subcommand && sub.name === 'set'
                  ? { ...sub, options: sub.options?.map((option) => (option.name === 'time' ? { ...option, max_length: 5 } : option)) }
                  : sub,
              ),
            },
      );
    const put = await fetch(`${discord.apiUrl}/v10/applications/${discord.applicationId}/commands`, {
      method: 'PUT',
      headers: { authorization: 'Bot test-token', 'content-type': 'application/json' },
      body: JSON.stringify([...older, { type: 1, name: 'oldcmd', description: 'A command an older version had' }]),
    });
    expect(put.status).toBe(200);
    const warning = await startLogging('the registered commands are not this version’s: run npm run deploy-commands');
    expect(warning).toMatchObject({ level: 40, missing: ['help'], changed: ['schedule'], extra: ['oldcmd'] });

    const deployed = await runScript('src/cli/deploy-commands.ts', [], env);
    expect(deployed.stderr).toBe('');
    expect(await startLogging('the registered commands are this version’s')).toMatchObject({ level: 30, commands: commandDefinitions.length });
  }, 180_000);
});
