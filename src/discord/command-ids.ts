import type { ChatInputCommandInteraction } from 'discord.js';
import type { CommandIds } from './help-view.js';

/** Registered commands change only with a deploy: looked up again after this. */
const KNOWN_MS = 10 * 60_000;
/** After a failed or slow lookup, names are shown without links for this long instead of asking again at once. */
const RETRY_MS = 60_000;
/** The answer must not wait on it: Discord's 3 s include the database and the reply. */
const LOOKUP_TIMEOUT_MS = 1_000;
/** Global commands are one scope; servers with their own registration (`deploy-commands --guild`) one each. */
const MAX_SCOPES = 1_000;

/**
 * Discord's ids of the bot's commands where an interaction was used: the global ones, or the server's own
 * when the command came from a per-server registration (the interaction says which). One REST read per scope
 * every ten minutes, kept out of discord.js's cache; without them the help shows names instead of links.
 */
export function commandIdDirectory(now: () => number = Date.now) {
  const known = new Map<string, { ids: CommandIds; until: number }>();

  async function lookUp(interaction: ChatInputCommandInteraction, guildId: string | null): Promise<CommandIds | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), LOOKUP_TIMEOUT_MS);
    });
    const fetched = interaction.client.application.commands
      .fetch(guildId ? { guildId, cache: false } : { cache: false })
      .then((commands) => new Map(commands.map((command) => [command.name, command.id])) as CommandIds)
      .catch(() => null);
    try {
      return await Promise.race([fetched, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Lookups under way, by scope: members asking at once share one read. */
  const pending = new Map<string, Promise<CommandIds | null>>();

  return {
    async idsFor(interaction: ChatInputCommandInteraction): Promise<CommandIds> {
      const guildId = interaction.commandGuildId;
      const scope = guildId ?? 'global';
      const cached = known.get(scope);
      if (cached && cached.until > now()) return cached.ids;
      let lookup = pending.get(scope);
      if (!lookup) {
        lookup = lookUp(interaction, guildId).finally(() => pending.delete(scope));
        pending.set(scope, lookup);
      }
      const ids = await lookup;
      known.delete(scope);
      if (known.size >= MAX_SCOPES) known.delete(known.keys().next().value!);
      // The command just used is known from the interaction, whatever the lookup gave.
      const withOwn = new Map(ids ?? []).set(interaction.commandName, interaction.commandId);
      known.set(scope, { ids: withOwn, until: now() + (ids ? KNOWN_MS : RETRY_MS) });
      return withOwn;
    },
  };
}
