import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, describeDatabase, loadConfig, loadDotEnv } from '../../src/config.js';
import { defaultPoolSize } from '../../src/db/database.js';
import { createDiscordClient } from '../../src/discord/client.js';
import { isInteractionRoute } from '../../src/discord/interaction-rest.js';

describe('which REST routes stay out of the bot’s global queue', () => {
  it('takes the interaction callback, @original edits and deletes, and follow-ups (interaction-token routes)', () => {
    expect(isInteractionRoute('/interactions/1177000000000000000/aW50ZXJhY3Rpb246abc/callback')).toBe(true);
    expect(isInteractionRoute('/webhooks/300000000000000001/aW50ZXJhY3Rpb246abc')).toBe(true);
    expect(isInteractionRoute('/webhooks/300000000000000001/aW50ZXJhY3Rpb246abc/messages/@original')).toBe(true);
    expect(isInteractionRoute('/webhooks/300000000000000001/aW50ZXJhY3Rpb246abc/messages/1177000000000000001')).toBe(true);
  });

  it('leaves every bot-token route in the global queue', () => {
    expect(isInteractionRoute('/channels/1177000000000000000/messages')).toBe(false);
    expect(isInteractionRoute('/channels/1177000000000000000/messages/1177000000000000001/threads')).toBe(false);
    expect(isInteractionRoute('/applications/300000000000000001/commands')).toBe(false);
    expect(isInteractionRoute('/gateway/bot')).toBe(false);
    expect(isInteractionRoute('/webhooks/300000000000000001')).toBe(false);
    expect(isInteractionRoute('/interactions/1177000000000000000/abc')).toBe(false);
  });
});

describe('sharding and health settings', () => {
  it('defaults to Discord’s recommended shard count, one shard per process, no health port', () => {
    const config = loadConfig({});
    expect(config.SHARD_COUNT).toBe('auto');
    expect(config.SHARDS_PER_PROCESS).toBe(1);
    expect(config.HEALTH_PORT).toBeUndefined();
  });

  it('reads numbers from the environment', () => {
    const config = loadConfig({ SHARD_COUNT: '4', SHARDS_PER_PROCESS: '2', HEALTH_PORT: '8081' });
    expect(config).toMatchObject({ SHARD_COUNT: 4, SHARDS_PER_PROCESS: 2, HEALTH_PORT: 8081 });
  });

  it('refuses a shard count that is neither a positive number nor auto, naming the variable', () => {
    expect(() => loadConfig({ SHARD_COUNT: 'many' })).toThrow(ConfigError);
    expect(() => loadConfig({ SHARD_COUNT: '0' })).toThrow(/SHARD_COUNT/u);
    expect(() => loadConfig({ SHARDS_PER_PROCESS: '0' })).toThrow(/SHARDS_PER_PROCESS/u);
  });

  it('checks discord.js’s SHARDS (several hosts) at the start, blank being unset, where discord.js’s JSON.parse threw a SyntaxError', () => {
    for (const shards of ['0', '[0]', '[0, 1]', ' [1] ']) expect(() => loadConfig({ SHARDS: shards, SHARD_COUNT: '2' })).not.toThrow();
    for (const shards of ['0,1', '[0,', 'all']) expect(() => loadConfig({ SHARDS: shards })).toThrow(/SHARDS: must be a shard number or a list such as \[0,1\]/u);
    const saved = { SHARDS: process.env.SHARDS, SHARD_COUNT: process.env.SHARD_COUNT };
    try {
      process.env.SHARDS = '';
      delete process.env.SHARD_COUNT;
      // Blank, as a variable left empty in .env: all the shards, as when it is unset ("Unexpected end of JSON input" before).
      expect(createDiscordClient({ logger: pino({ level: 'silent' }) }).options.shards).toBe('auto');
      process.env.SHARDS = '[1]';
      process.env.SHARD_COUNT = '2';
      const client = createDiscordClient({ logger: pino({ level: 'silent' }) });
      expect([client.options.shards, client.options.shardCount]).toEqual([[1], 2]);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});

describe('the bot’s database pool size', () => {
  it('is twice the cores by default, at least 4 and at most 10', () => {
    expect([1, 2, 3, 4, 5, 8, 64].map(defaultPoolSize)).toEqual([4, 4, 6, 8, 10, 10, 10]);
  });

  it('is unset unless DATABASE_POOL_SIZE says otherwise, and a bad size names the variable', () => {
    expect(loadConfig({}).DATABASE_POOL_SIZE).toBeUndefined();
    expect(loadConfig({ DATABASE_POOL_SIZE: '6' }).DATABASE_POOL_SIZE).toBe(6);
    expect(() => loadConfig({ DATABASE_POOL_SIZE: '0' })).toThrow(/DATABASE_POOL_SIZE/u);
    expect(() => loadConfig({ DATABASE_POOL_SIZE: 'lots' })).toThrow(/DATABASE_POOL_SIZE/u);
  });
});

describe('the servers that import into the shared library', () => {
  it('are every server unless IMPORT_GUILD_IDS names some, comma-separated, spaces allowed', () => {
    expect(loadConfig({}).IMPORT_GUILD_IDS).toBeUndefined();
    expect(loadConfig({ IMPORT_GUILD_IDS: '' }).IMPORT_GUILD_IDS).toBeUndefined();
    expect(loadConfig({ IMPORT_GUILD_IDS: '810000000000000001, 810000000000000002,' }).IMPORT_GUILD_IDS).toEqual(['810000000000000001', '810000000000000002']);
  });

  it('refuses what is not a server ID, naming the variable', () => {
    expect(() => loadConfig({ IMPORT_GUILD_IDS: '810000000000000001,my-server' })).toThrow(/IMPORT_GUILD_IDS/u);
    // Ids are Discord's snowflakes in decimal, whatever their length (a stand-in's may be short).
    expect(loadConfig({ IMPORT_GUILD_IDS: '42,810000000000000001' }).IMPORT_GUILD_IDS).toEqual(['42', '810000000000000001']);
    expect(loadConfig({ DISCORD_APPLICATION_ID: '1234' }).DISCORD_APPLICATION_ID).toBe('1234');
    expect(() => loadConfig({ DISCORD_APPLICATION_ID: '1'.repeat(21) })).toThrow(/DISCORD_APPLICATION_ID/u);
  });
});

describe('the vocabulary catch-up job’s share of a core', () => {
  it('is a quarter of a core unless VOCABULARY_CATCH_UP_SHARE says otherwise, up to 1 (flat out)', () => {
    expect(loadConfig({}).VOCABULARY_CATCH_UP_SHARE).toBe(0.25);
    expect(loadConfig({ VOCABULARY_CATCH_UP_SHARE: '1' }).VOCABULARY_CATCH_UP_SHARE).toBe(1);
    expect(loadConfig({ VOCABULARY_CATCH_UP_SHARE: '0.5' }).VOCABULARY_CATCH_UP_SHARE).toBe(0.5);
  });

  it('refuses nothing, more than a core, or what is not a number, naming the variable', () => {
    for (const share of ['0', '1.5', 'fast', '0x1', '1e0', '-0.5']) expect(() => loadConfig({ VOCABULARY_CATCH_UP_SHARE: share }), share).toThrow(/VOCABULARY_CATCH_UP_SHARE/u);
    expect(loadConfig({ VOCABULARY_CATCH_UP_SHARE: ' .5 ' }).VOCABULARY_CATCH_UP_SHARE).toBe(0.5);
  });
});

describe('numbers in the environment', () => {
  it('are unset (their default, or off) when left empty or blank, as .env.example says', () => {
    const blank = loadConfig({
      METRICS_PORT: '',
      HEALTH_PORT: '  ',
      DATABASE_POOL_SIZE: '',
      DATABASE_STATEMENT_TIMEOUT_MS: '',
      SHUTDOWN_TIMEOUT_MS: ' ',
      SHARD_COUNT: '',
      VOCABULARY_CATCH_UP_SHARE: '',
      // Not numbers, and blank is unset for them too (each stopped the start until 2026-12-07).
      DATA_DIR: '',
      LOG_LEVEL: ' ',
      IMPORT_TIMEZONE: ' ',
      DELIVERY_CRON: '',
    });
    const unset = loadConfig({});
    for (const name of [
      'METRICS_PORT',
      'HEALTH_PORT',
      'DATABASE_POOL_SIZE',
      'DATABASE_STATEMENT_TIMEOUT_MS',
      'SHUTDOWN_TIMEOUT_MS',
      'SHARD_COUNT',
      'VOCABULARY_CATCH_UP_SHARE',
      'DATA_DIR',
      'LOG_LEVEL',
      'IMPORT_TIMEZONE',
      'DELIVERY_CRON',
    ] as const) {
      expect(blank[name], name).toEqual(unset[name]);
    }
    // Empty was read as 0: statements unbounded, no drain at shutdown, the metrics port refused.
    expect(blank.DATABASE_STATEMENT_TIMEOUT_MS).toBe(1_500);
    expect(blank.METRICS_PORT).toBeUndefined();
  });

  it('are whole numbers in decimal digits, spaces around them allowed, named when they are not', () => {
    expect(loadConfig({ METRICS_PORT: ' 9100 ', SHARD_COUNT: 'Auto' })).toMatchObject({ METRICS_PORT: 9100, SHARD_COUNT: 'auto' });
    for (const value of ['0x1F90', '1e3', '8080.0', '-1', 'nine']) {
      expect(() => loadConfig({ METRICS_PORT: value }), value).toThrow(/METRICS_PORT: must be a whole number \(digits only\)/u);
    }
    expect(() => loadConfig({ SHARD_COUNT: 'some' })).toThrow(/SHARD_COUNT: must be auto or a whole number/u);
  });

  it('keep timers within what Node can wait for (a longer one fires at once)', () => {
    expect(() => loadConfig({ SHUTDOWN_TIMEOUT_MS: '3000000000' })).toThrow(/SHUTDOWN_TIMEOUT_MS/u);
    expect(() => loadConfig({ DELIVERY_LEASE_MS: '7000000000' })).toThrow(/DELIVERY_LEASE_MS/u);
    expect(loadConfig({ SHUTDOWN_TIMEOUT_MS: '600000', DELIVERY_LEASE_MS: '3600000' })).toMatchObject({ SHUTDOWN_TIMEOUT_MS: 600_000, DELIVERY_LEASE_MS: 3_600_000 });
  });
});

describe('the database URL', () => {
  it('is described by host, port and database name, never the password', () => {
    expect(describeDatabase({ DATABASE_URL: 'postgres://bot:s3cret@db.example:6543/newsdesk', DATA_DIR: 'x' })).toBe('PostgreSQL at db.example:6543/newsdesk');
    expect(describeDatabase({ DATABASE_URL: 'postgres://bot:s3cret@db.example/newsdesk', DATA_DIR: 'x' })).toBe('PostgreSQL at db.example:5432/newsdesk');
    expect(describeDatabase({ DATABASE_URL: 'postgres://bot:a%2Fb@127.0.0.1/nd', DATA_DIR: 'x' })).not.toContain('a%2Fb');
  });

  it('accepts a Unix socket in pg\'s forms, a user with no host included (refused as no postgres:// URL until 2026-12-07), and names the socket', () => {
    for (const url of [
      'postgresql://bot@/newsdesk?host=/var/run/postgresql',
      'postgres://bot:s3cret@/newsdesk?host=/var/run/postgresql',
      'postgres:///newsdesk?host=/var/run/postgresql&user=bot',
      'postgres://bot@%2Fvar%2Frun%2Fpostgresql/newsdesk',
    ]) {
      expect(loadConfig({ DATABASE_URL: url }).DATABASE_URL, url).toBe(url);
      expect(describeDatabase({ DATABASE_URL: url, DATA_DIR: 'x' }), url).toBe('PostgreSQL at /var/run/postgresql:5432/newsdesk');
    }
    // A password's "/" is still refused without a host, and named only.
    for (const url of ['postgres://bot:1234/SECRET@/newsdesk?host=/var/run/postgresql', 'postgres://bot:a/SECRET@/newsdesk?host=/var/run/postgresql']) {
      expect(() => loadConfig({ DATABASE_URL: url }), url).toThrow(/DATABASE_URL: (has an "@" after its host|must be a postgres:\/\/ URL)/u);
      expect(() => loadConfig({ DATABASE_URL: url }), url).not.toThrow(/SECRET/u);
    }
  });

  it('refuses a password whose "/" ended the host part early (it was printed as the database name), naming the variable only', () => {
    for (const url of [
      'postgres://postgres:/Zq9xSECRETpw@127.0.0.1:5432/rev',
      'postgres://postgres:1234/SECRETpw@127.0.0.1:5432/rev',
      // A "#" or "?" after digits: accepted until 2026-12-07, the digits described as the port ("postgres:1234/").
      'postgres://postgres:1234#SECRETpw@127.0.0.1:5432/rev',
      'postgres://postgres:1234?SECRETpw@127.0.0.1:5432/rev',
    ]) {
      // (A base64 password not starting with digits is not a URL at all: below.)
      let message = '';
      try {
        loadConfig({ DATABASE_URL: url });
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        message = (error as Error).message;
      }
      expect(message).toContain('DATABASE_URL: has an "@" after its host: percent-encode');
      expect(message).toContain('"#" as %23');
      expect(message).not.toContain('SECRET');
      expect(message).not.toContain('1234');
    }
    // Percent-encoded, it is a URL like any other.
    expect(loadConfig({ DATABASE_URL: 'postgres://postgres:%2FZq9xSECRETpw@127.0.0.1:5432/rev' }).DATABASE_URL).toContain('127.0.0.1');
  });

  it('accepts an "@" in a query parameter\'s value of a URL with a user (refused as a password\'s "@" from 2026-12-07)', () => {
    for (const url of [
      'postgres://bot:s3cret@db.example:5432/newsdesk?application_name=newsdesk@prod',
      'postgres://bot:s3cret@db.example/newsdesk?sslmode=verify-full&sslrootcert=/etc/ssl/ops@corp/ca.pem',
    ]) {
      expect(loadConfig({ DATABASE_URL: url }).DATABASE_URL, url).toBe(url);
    }
    // A password's "?" before its "@" is still refused, with a user before it too.
    expect(() => loadConfig({ DATABASE_URL: 'postgres://postgres:a@b?SECRET@127.0.0.1:5432/rev' })).toThrow(/has an "@" after its host/u);
  });

  it('refuses a password whose "/" makes no URL at all as one line naming the variable (it was a TypeError with the password)', () => {
    let caught: unknown;
    try {
      loadConfig({ DATABASE_URL: 'postgres://newsdesk:Zm9vSECRET/YmFy@db:5432/newsdesk' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as Error).message).toMatch(/DATABASE_URL: must be a postgres:\/\/ URL \(percent-encode/u);
    expect((caught as Error).message).not.toContain('SECRET');
  });
});

describe('Discord’s API URL (DISCORD_API_URL, REST_PROXY_UPSTREAM_URL)', () => {
  it('is the base without the API version, as discord.js adds it; with it (as Discord’s documentation writes it) it is refused naming the variable', () => {
    for (const variable of ['DISCORD_API_URL', 'REST_PROXY_UPSTREAM_URL'] as const) {
      for (const url of ['https://discord.com/api', 'http://127.0.0.1:8080/api', 'http://proxy:8080/api/', 'http://127.0.0.1:8080']) {
        expect(loadConfig({ [variable]: url })[variable], url).toBe(url);
      }
      // Until 2026-12-07 every request went to …/v10/v10/…: the bot's start ended with Discord's 404 on GET /gateway/bot.
      for (const url of ['https://discord.com/api/v10', 'http://127.0.0.1:8080/api/v10/', 'https://discord.com/api/v9']) {
        expect(() => loadConfig({ [variable]: url }), url).toThrow(new RegExp(`${variable}: must be the API's base without its version`, 'u'));
      }
    }
  });
});

describe('the bot token', () => {
  it('is the token alone: a "Bot " before it is dropped, as discord.js’s login drops it (the first request sent "Bot Bot …")', () => {
    expect(loadConfig({ DISCORD_TOKEN: 'MTk4NjIy.Gx1y2z.abc' }).DISCORD_TOKEN).toBe('MTk4NjIy.Gx1y2z.abc');
    expect(loadConfig({ DISCORD_TOKEN: 'Bot MTk4NjIy.Gx1y2z.abc' }).DISCORD_TOKEN).toBe('MTk4NjIy.Gx1y2z.abc');
    expect(loadConfig({ DISCORD_TOKEN: ' bot  MTk4NjIy.Gx1y2z.abc ' }).DISCORD_TOKEN).toBe('MTk4NjIy.Gx1y2z.abc');
    expect(loadConfig({ DISCORD_TOKEN: '' }).DISCORD_TOKEN).toBeUndefined();
  });
});

describe('the .env file', () => {
  it('is read when it is there, and a folder in its place is one line for the operator (a ConfigError), not a stack trace', () => {
    const folder = mkdtempSync(join(tmpdir(), 'newsdesk-env-'));
    try {
      expect(() => loadDotEnv(join(folder, 'absent.env'))).not.toThrow();
      mkdirSync(join(folder, '.env'));
      expect(() => loadDotEnv(join(folder, '.env'))).toThrow(ConfigError);
      expect(() => loadDotEnv(join(folder, '.env'))).toThrow(/\(it is a folder\): it should be a file of NAME=value lines/u);
      writeFileSync(join(folder, 'ok.env'), 'NEWSDESK_TEST_FROM_DOTENV=yes\n');
      loadDotEnv(join(folder, 'ok.env'));
      expect(process.env.NEWSDESK_TEST_FROM_DOTENV).toBe('yes');
    } finally {
      delete process.env.NEWSDESK_TEST_FROM_DOTENV;
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
