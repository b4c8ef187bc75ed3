import { statSync } from 'node:fs';
import cron from 'node-cron';
import { z } from 'zod';
import { isValidTimeZone } from './domain/schedule/time-zones.js';

const optionalString = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

// Any 64-bit id in decimal: Discord's own are 17–20 digits today, a stand-in's or a test server's may be shorter.
const snowflake = z.string().regex(/^\d{1,20}$/u, 'must be a Discord ID (up to 20 digits)');

/** A variable left empty or blank (`.env.example`'s "leave empty") is unset; others are read without their spaces. */
const blankAsUnset = (value: unknown): unknown => {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  return text === '' ? undefined : text;
};

/** `schema` for a variable's value, blank being unset, then `fallback`. */
function withDefault<T>(schema: z.ZodType<T>, fallback: T) {
  return z.preprocess(blankAsUnset, schema.optional()).transform((value) => value ?? fallback);
}

/**
 * A whole number written in decimal digits, within bounds ("0x1F90", "1e3" and "8080.0" are refused); blank is unset,
 * then `fallback` when given. `z.coerce.number()` read an empty value as 0: `METRICS_PORT=` stopped the start where
 * `.env.example` says empty turns it off, and `DATABASE_STATEMENT_TIMEOUT_MS=` made statements unbounded.
 */
function wholeNumber(min: number, max: number): z.ZodType<number | undefined>;
function wholeNumber(min: number, max: number, fallback: number): z.ZodType<number>;
function wholeNumber(min: number, max: number, fallback?: number): z.ZodType<number | undefined> {
  const digits = z.union([z.number(), z.string().regex(/^\d+$/u).transform(Number)], { error: 'must be a whole number (digits only)' });
  return z
    .preprocess(blankAsUnset, digits.pipe(z.number().int().min(min).max(max)).optional())
    .transform((value) => value ?? fallback);
}

/** How a password's characters that end the host part of a URL are written in one. */
const RESERVED = '"/" as %2F, "?" as %3F, "#" as %23, "@" as %40, ":" as %3A';

/**
 * Whether a URL has an "@" after its host that a password's unencoded "/", "?" or "#" put there (the host part ended
 * early): in its path or fragment, or in its query where the URL has no user (the password's "?" took the "@" out
 * of the host part) or where it is in a parameter's name. An "@" in a query parameter's value of a URL with a user
 * (`?application_name=bot@prod`) is the URL's own, and such a URL was refused until it was kept apart.
 */
function atAfterHost(value: string): boolean {
  const url = URL.parse(value);
  if (!url) return false;
  if (`${url.pathname}${url.hash}`.includes('@')) return true;
  if (!url.search.includes('@')) return false;
  if (url.username === '' && url.password === '') return true;
  return url.search.slice(1).split('&').some((parameter) => (parameter.split('=')[0] ?? '').includes('@'));
}

/**
 * A URL with a user and no host, `postgresql://bot@/newsdesk?host=/var/run/postgresql` (a Unix socket, in libpq's and
 * pg's form), with a host for the WHATWG URL parser, which refuses credentials without one: the socket (`host=`) wins
 * in pg anyway. Until 2026-12-07 such a URL, which pg connects with, was refused as "must be a postgres:// URL".
 */
function withHostForParsing(value: string): string {
  return value.replace(/^(postgres(?:ql)?:\/\/[^/?#]*@)(?=[/?#]|$)/iu, '$1localhost');
}

const postgresUrl = z.url({ protocol: /^postgres(ql)?$/u });

/**
 * Discord's REST base as discord.js takes it, without the API version, which it adds (`/v10`). Discord's documentation
 * writes the base with it (`https://discord.com/api/v10`), and such a value made every request `…/v10/v10/…`: the bot's
 * start ended with "Discord refused the bot (HTTP 404 on GET /gateway/bot)", naming no variable (until 2026-12-07).
 */
const restBaseUrl = z
  .url({ protocol: /^https?$/u, error: 'must be an http(s) URL' })
  .refine((value) => !/\/v\d+\/*$/u.test(URL.parse(value)?.pathname ?? ''), {
    error: 'must be the API\'s base without its version, such as https://discord.com/api (discord.js adds /v10)',
  });

const configSchema = z.object({
  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .refine((value) => postgresUrl.safeParse(withHostForParsing(value)).success, {
        error: `must be a postgres:// URL (percent-encode a password's reserved characters: ${RESERVED})`,
        abort: true,
      })
      // A password with a `/` (base64 has them), `?` or `#` ends the host part early: the rest, password included,
      // reads as the database's name, the query or the fragment (the name was printed in the "could not connect"
      // line), and digits before it as the port (printed too: "PostgreSQL at postgres:1234/").
      // URL.parse (no throw): a URL z.url already refused still reaches this check, and new URL's TypeError printed
      // the whole value, password included, as a stack trace.
      .refine((value) => !atAfterHost(withHostForParsing(value)), { error: `has an "@" after its host: percent-encode the password's reserved characters (${RESERVED})` })
      .optional(),
  ),
  // Blank is unset, as for every variable (`DATA_DIR=` stopped the start: "expected string to have >=1 characters").
  DATA_DIR: withDefault(z.string().min(1), './data'),
  /**
   * The embedded database's page cache (shared_buffers), in MB of this process's memory: PGLITE_SHARED_BUFFERS_MB in
   * src/db/database.ts says why 4. At most 1024: PGlite's WebAssembly memory is 2 GB in all, and 2000 or more (4096
   * was accepted) stopped every start with PGlite's "failed to initialize properly" and a stack trace.
   */
  PGLITE_SHARED_BUFFERS_MB: wholeNumber(1, 1024, 4),
  /** The bot's PostgreSQL connections (per process); unset: twice this machine's cores, from 4 to 10 (src/db/database.ts). */
  DATABASE_POOL_SIZE: wholeNumber(1, 100),
  /** Connecting, or waiting for a free connection (PGlite: for its one connection), in ms. */
  DATABASE_CONNECT_TIMEOUT_MS: wholeNumber(100, 60_000, 2_000),
  /** One statement, in ms (0: unbounded); the client gives up 500 ms later if the server does not answer at all. */
  DATABASE_STATEMENT_TIMEOUT_MS: wholeNumber(0, 600_000, 1_500),
  LOG_LEVEL: withDefault(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), 'info'),
  IMPORT_TIMEZONE: withDefault(z.string(), 'UTC').refine((zone) => isValidTimeZone(zone), 'must be an IANA time zone such as UTC or Asia/Tokyo'),
  /**
   * Servers (comma-separated IDs) whose moderators may `/lesson import` into the library, which every server the
   * bot serves shares; unset: any server's moderators (one community's bot). The CLI is the operator's either way.
   */
  IMPORT_GUILD_IDS: optionalString
    .transform((value) => value?.split(',').map((id) => id.trim()).filter((id) => id !== ''))
    .pipe(z.array(snowflake).optional()),
  /** Lessons an import writes at a time inside its one transaction: what it holds in memory (see src/lessons/import.ts). */
  IMPORT_BATCH_SIZE: wholeNumber(1, 10_000, 250),
  /**
   * The lessons CLI computes vocabulary in the import when at most this many files are imported and at most this many
   * lessons lack one after it; a bigger import leaves it to the bot's background job (issue 11: a 10,000-file import in
   * <= 20 s on PostgreSQL; the vocabulary alone is ~2 ms a lesson of a core).
   */
  IMPORT_VOCABULARY_AT_MOST: wholeNumber(0, Number.MAX_SAFE_INTEGER, 1_000),
  /**
   * The token alone: a `Bot ` before it (as in the Authorization header it goes in) is dropped, as discord.js's login
   * drops it. The bot's first request (GET /gateway/bot, before the login), `deploy-commands` and `start:sharded` sent
   * it as it was, `Bot Bot …`, which Discord refuses (401: "Discord rejected DISCORD_TOKEN", until 2026-12-07).
   */
  DISCORD_TOKEN: optionalString.transform((token) => token?.replace(/^(?:Bot|Bearer)\s+/iu, '')),
  DISCORD_APPLICATION_ID: optionalString.pipe(snowflake.optional()),
  DISCORD_API_URL: optionalString.pipe(restBaseUrl.optional()),
  METRICS_PORT: wholeNumber(1, 65535),
  /** Serve /healthz (and /metrics) on this port. */
  HEALTH_PORT: wholeNumber(1, 65535),
  /** Gateway shards in all; `auto` asks Discord (GET /gateway/bot). Used by `npm run start:sharded`. */
  SHARD_COUNT: z
    .preprocess(
      (value) => {
        const text = blankAsUnset(value);
        return typeof text === 'string' && text.toLowerCase() === 'auto' ? 'auto' : text;
      },
      z.union([z.literal('auto'), z.string().regex(/^\d+$/u).transform(Number), z.number()], { error: 'must be auto or a whole number' }).optional(),
    )
    .pipe(z.union([z.literal('auto'), z.number().int().min(1).max(10_000)]).optional())
    .transform((value) => value ?? 'auto'),
  /** Shards run by each bot process under `npm run start:sharded` (discord-hybrid-sharding clusters). */
  SHARDS_PER_PROCESS: wholeNumber(1, 64, 1),
  /**
   * discord.js's own variable (read by it, not here): the shards a lone `npm start` runs, on several hosts (README, More
   * than one process). Checked here as discord.js reads it (JSON: a number or a list); blank is unset. `SHARDS=0,1` or
   * a blank one stopped the start with a SyntaxError from its JSON.parse and a stack trace, naming no variable.
   */
  SHARDS: z.preprocess(blankAsUnset, z.string().regex(/^(?:\d+|\[\s*\d+(?:\s*,\s*\d+)*\s*\])$/u, 'must be a shard number or a list such as [0,1] (discord.js reads it as JSON)').optional()),
  /** Port of the shared REST proxy (`npm run rest-proxy`); the bot processes reach it through DISCORD_API_URL. */
  REST_PROXY_PORT: wholeNumber(1, 65535, 8080),
  /** The REST proxy's own metrics (its rate-limit waits); a variable of its own, so a bot's METRICS_PORT in the same .env is not taken twice. */
  REST_PROXY_METRICS_PORT: wholeNumber(1, 65535),
  /** Where the REST proxy sends requests: Discord's API unless set (the tests' stand-in). */
  REST_PROXY_UPSTREAM_URL: optionalString.pipe(restBaseUrl.optional()),
  /** At most 10 minutes: Node's timers end at 2^31 − 1 ms, and a longer one fires at once (every process killed). */
  SHUTDOWN_TIMEOUT_MS: wholeNumber(0, 600_000, 10_000),
  /** node-cron expression of the delivery tick (seconds field allowed); every minute by default. */
  DELIVERY_CRON: withDefault(z.string(), '* * * * *').refine((expression) => cron.validate(expression), 'must be a cron expression such as "* * * * *"'),
  /** A post's claim is renewed while it is being sent; one not renewed for this long is taken over. */
  DELIVERY_LEASE_MS: wholeNumber(1_000, 3_600_000, 60_000),
  /** How long before each minute the cards of the posts due at it are built (nothing is claimed then); 0: at the minute. */
  DELIVERY_PREPARE_AHEAD_MS: wholeNumber(0, 50_000, 10_000),
  /**
   * The share of a core the bot's background vocabulary catch-up may use (it rests between lessons); 1: flat out.
   * The playground sets 1: its first start leaves its eleven example lessons to this job.
   */
  VOCABULARY_CATCH_UP_SHARE: withDefault(
    // A decimal number as written ("0.5", ".25", "1"): z.coerce.number() took "0x1" and "1e0" too.
    z.union([z.number(), z.string().regex(/^(?:\d+(?:\.\d*)?|\.\d+)$/u).transform(Number)], { error: 'must be a decimal number from 0.05 to 1' }).pipe(z.number().min(0.05).max(1)),
    0.25,
  ),
  /** `production` makes a missing DISCORD_TOKEN an error; otherwise `npm start` without a token opens the playground. */
  NODE_ENV: optionalString,
  /** The playground's web page, on 127.0.0.1 only; 0 picks a free port. */
  PLAYGROUND_PORT: wholeNumber(0, 65535, 3000),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Reads ./.env into process.env if it exists; variables already set in the environment win. */
export function loadDotEnv(path = '.env'): void {
  try {
    process.loadEnvFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    // A folder, or a file this user may not read: one line for the operator, as for a bad setting (every entry
    // point printed Node's stack trace for "Contents of '.env' should be a valid string").
    const reason = statSync(path, { throwIfNoEntry: false })?.isDirectory() ? 'it is a folder' : ((error as NodeJS.ErrnoException).code ?? 'unreadable');
    throw new ConfigError(`Cannot read ${path} (${reason}): it should be a file of NAME=value lines, as .env.example, or not be there.`);
  }
}

/** Parses the environment once; every problem is listed by variable name, never with its value (secrets). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = configSchema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}\nSee .env.example for every variable.`);
}

/** Redacts credentials from a database URL so it can be logged. */
export function describeDatabase(config: Pick<Config, 'DATABASE_URL' | 'DATA_DIR'>): string {
  if (!config.DATABASE_URL) return `embedded PGlite in ${config.DATA_DIR}`;
  const url = new URL(withHostForParsing(config.DATABASE_URL));
  // Host, port and database name only: never the user's password, whatever the URL holds. pg takes a `host=` of the
  // query over the URL's host (a Unix socket's directory; the URL's own host may then be empty or a stand-in).
  const name = url.pathname.slice(1).split('/')[0] ?? '';
  const host = url.searchParams.get('host') || safelyDecoded(url.hostname);
  return `PostgreSQL at ${host}:${url.port || '5432'}/${/^[^@:]*$/u.test(name) ? name : '(name not shown)'}`;
}

/** A URL's host as pg reads it (`%2Fvar%2Frun%2Fpostgresql`: a socket's directory), as written if it is no encoding. */
function safelyDecoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
