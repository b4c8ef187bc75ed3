import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs on stdout (pino). Anything that looks like a credential is redacted,
 * so a token or a database password never reaches the logs even if an object carrying it is logged.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { app: 'newsdesk' },
    redact: {
      paths: ['token', '*.token', 'DISCORD_TOKEN', '*.DISCORD_TOKEN', 'DATABASE_URL', '*.DATABASE_URL', 'headers.authorization', '*.headers.authorization'],
      censor: '[redacted]',
    },
  });
}
