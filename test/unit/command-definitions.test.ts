import { ApplicationIntegrationType, InteractionContextType } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { commandDefinitions } from '../../commands/index.js';

type Option = { name: string; description: string; options?: readonly Option[]; choices?: readonly { name: string }[] };

const NAME = /^[-_\p{Ll}\p{N}]{1,32}$/u;

function allOptions(options: readonly Option[] = []): Option[] {
  return options.flatMap((option) => [option, ...allOptions(option.options)]);
}

/** Discord counts names, descriptions and choice names of a command and all its options toward 8000. */
function commandLength(command: Option): number {
  return allOptions([command]).reduce(
    (sum, option) => sum + option.name.length + option.description.length + (option.choices ?? []).reduce((n, c) => n + c.name.length, 0),
    0,
  );
}

describe('command definitions', () => {
  it.each(commandDefinitions.map((command) => [command.name, command as unknown as Option]))('/%s fits Discord’s limits', (_name, command) => {
    for (const option of allOptions([command])) {
      expect(option.name, option.name).toMatch(NAME);
      expect(option.description.length, option.name).toBeGreaterThan(0);
      expect(option.description.length, option.name).toBeLessThanOrEqual(100);
      expect((option.options ?? []).length, option.name).toBeLessThanOrEqual(25);
      // Discord refuses a required option after an optional one.
      const required = (option.options ?? []).map((o) => (o as { required?: boolean }).required === true);
      expect(required.indexOf(false) === -1 || required.lastIndexOf(true) < required.indexOf(false), option.name).toBe(true);
      const names = (option.options ?? []).map((o) => o.name);
      expect(new Set(names).size, option.name).toBe(names.length);
    }
    expect(commandLength(command)).toBeLessThanOrEqual(8000);
  });

  it('every command is used only in servers that added the bot, never from a member’s own installed apps', () => {
    // Left out, integration_types is the application's install contexts, and a new application has both: any
    // member who added the app to their account could run /lesson, /schedule or /help in a server without the bot.
    for (const command of commandDefinitions) {
      expect(command.integration_types, command.name).toEqual([ApplicationIntegrationType.GuildInstall]);
      expect(command.contexts, command.name).toEqual([InteractionContextType.Guild]);
    }
  });

  it('names are unique', () => {
    const names = commandDefinitions.map((command) => command.name);
    expect(new Set(names).size).toBe(names.length);
  });
});
