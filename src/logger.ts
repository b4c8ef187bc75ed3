import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs on stdout (pino). Anything that looks like a credential is redacted,
 * so a token or a database password never reaches the logs even if an object carrying it is logged.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { app: 'newsdesk' },
    serializers: { err: errorForLog },
    redact: {
      paths: ['token', '*.token', 'DISCORD_TOKEN', '*.DISCORD_TOKEN', 'DATABASE_URL', '*.DATABASE_URL', 'headers.authorization', '*.headers.authorization'],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * An interaction's or a webhook's token in a Discord API path (`/interactions/<id>/<token>/callback`,
 * `/webhooks/<application>/<token>/messages/@original`): whoever holds it can answer as the bot for 15 minutes.
 */
const PATH_TOKEN = /\/(interactions|webhooks)\/(\d+)\/[^/?#\s"']+/gu;

/** A Discord API path or URL with its interaction or webhook token replaced by `:token`, as discord.js names its routes. */
export function withoutDiscordTokens(text: string): string {
  return text.replace(PATH_TOKEN, '/$1/$2/:token');
}

/**
 * An error as pino writes it (its type, message, stack, causes and own fields), less what must not be in a log:
 * discord.js's API errors carry the request's `url`, with the interaction's token in it, and its `requestBody`,
 * whose files are the bytes sent (a member's data export); the body is left out and every token masked.
 */
export function errorForLog(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  return scrubbed(pino.stdSerializers.err(error), 0);
}

function scrubbed(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return withoutDiscordTokens(value);
  if (typeof value !== 'object' || value === null || depth > 8) return value;
  if (Array.isArray(value)) return value.map((item) => scrubbed(item, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (key !== 'requestBody') copy[key] = scrubbed(field, depth + 1);
  }
  return copy;
}
