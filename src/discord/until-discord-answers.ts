import { setTimeout as sleep } from 'node:timers/promises';
import { Routes, type REST, type RESTGetAPIGatewayBotResult } from 'discord.js';
import { discordRetryWaitMs, isTransientDiscordFailure } from '../domain/discord-retries.js';
import type { Logger } from '../logger.js';

/** Discord refused the bot's token or the bot itself (a 4xx answer to GET /gateway/bot): waiting will not help. */
export class DiscordRefusedError extends Error {
  constructor(
    readonly status: number,
    cause: unknown,
  ) {
    super(
      status === 401
        ? 'Discord rejected DISCORD_TOKEN (401 Unauthorized): copy the bot token again from the Developer Portal'
        : `Discord refused the bot (HTTP ${status} on GET /gateway/bot)`,
      { cause },
    );
    this.name = 'DiscordRefusedError';
  }
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

/**
 * Asks Discord's API for the gateway (GET /gateway/bot, what discord.js's login asks first) until it answers:
 * while Discord cannot be reached or answers 5xx/429 the start waits 1 s, 2 s, 4 s, … up to a minute between tries
 * (src/domain/discord-retries.ts), one warning a try. A refusal (401, 403, …) throws DiscordRefusedError; `signal`
 * (the process stopping) ends the wait with its AbortError.
 */
export async function untilDiscordAnswers(
  rest: REST,
  logger: Logger,
  signal?: AbortSignal,
): Promise<RESTGetAPIGatewayBotResult> {
  for (let tries = 1; ; tries += 1) {
    signal?.throwIfAborted();
    try {
      const answer = (await rest.get(Routes.gatewayBot(), signal ? { signal } : {})) as RESTGetAPIGatewayBotResult;
      if (tries > 1) logger.info({ tries }, 'Discord reachable');
      return answer;
    } catch (error) {
      signal?.throwIfAborted();
      const status = statusOf(error);
      if (!isTransientDiscordFailure(status)) throw new DiscordRefusedError(status ?? 0, error);
      const retryInMs = discordRetryWaitMs(tries);
      logger.warn({ err: error, tries, retryInMs }, 'Discord not reachable; trying again');
      await sleep(retryInMs, undefined, signal ? { signal } : {});
    }
  }
}
