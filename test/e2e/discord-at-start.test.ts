import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBotDatabase, startBotProcess, type BotDatabase, type BotProcess } from '../support/bot-process.js';
import { startDiscordStandIn, type DiscordStandIn } from '../support/discord-stand-in/index.js';
import { freePort, until } from '../support/ports.js';
import { PROJECT_ROOT } from '../support/run-cli.js';

/*
 * The bot started while Discord cannot be reached (an outage, a network not up yet, a container started before
 * its proxy) waits for it, trying again after 1 s, 2 s, 4 s, … (src/domain/discord-retries.ts), and connects once
 * Discord answers; it exited at once before. A token Discord rejects still ends the start, at once.
 */
describe('the bot at its start: Discord unreachable, failing or refusing', () => {
  let database: BotDatabase;
  const bots: BotProcess[] = [];
  const discords: DiscordStandIn[] = [];

  async function healthz(port: number): Promise<{ status: number; discord: string }> {
    const response = await fetch(`http://127.0.0.1:${port}/healthz`);
    const body = (await response.json()) as { checks: Record<string, string> };
    return { status: response.status, discord: body.checks.discord ?? '' };
  }

  async function startBot(env: Record<string, string>): Promise<BotProcess> {
    const bot = await startBotProcess({ ...database.env, ...env }, { waitForReady: false });
    bots.push(bot);
    return bot;
  }

  const waits = (bot: BotProcess) => bot.logLines().filter((line) => line.msg === 'Discord not reachable; trying again');

  beforeAll(async () => {
    database = await createBotDatabase('pglite', { migrated: true });
  }, 60_000);

  afterAll(async () => {
    for (const bot of bots) await bot.kill();
    for (const discord of discords) await discord.close();
    await database?.dispose();
  }, 60_000);

  it('waits for a Discord that is not there yet, with growing waits, answers 503 meanwhile, and connects once it is', async () => {
    const discordPort = await freePort();
    const healthPort = await freePort();
    const bot = await startBot({ DISCORD_API_URL: `http://127.0.0.1:${discordPort}/api`, HEALTH_PORT: String(healthPort) });
    await bot.waitForLog((line) => line.msg === 'Discord not reachable; trying again' && line.tries === 2, 30_000);
    expect(await until(() => healthz(healthPort), (answer) => answer.status === 503)).toEqual({
      status: 503,
      discord: 'not connected to the gateway yet',
    });

    const discord = await startDiscordStandIn({ port: discordPort });
    discords.push(discord);
    discord.addGuild();
    await bot.waitForLog((line) => line.msg === 'connected to Discord', 30_000);
    expect((await healthz(healthPort)).status).toBe(200);
    expect(discord.identifies).toHaveLength(1);

    const tried = waits(bot);
    expect(tried.length).toBeGreaterThanOrEqual(2);
    expect(tried.map((line) => line.retryInMs)).toEqual(tried.map((_, index) => Math.min(1_000 * 2 ** index, 60_000)));
    expect(bot.logLines().find((line) => line.msg === 'Discord reachable')).toMatchObject({ tries: tried.length + 1 });
    expect(bot.output()).not.toContain('could not connect to Discord');
    expect(await bot.stop()).toBe(0);
  }, 90_000);

  it('starts with .env.example as it is (SHARD_COUNT=auto) and its token: connected', async () => {
    // README, Running it on Discord: `cp .env.example .env` and set DISCORD_TOKEN. discord.js reads SHARD_COUNT too,
    // and "auto" (the file's value) threw "The shardCount option must be a number" with a stack trace at every start.
    const example = parseEnv(readFileSync(join(PROJECT_ROOT, '.env.example'), 'utf8'));
    expect(example.SHARD_COUNT).toBe('auto');
    const discord = await startDiscordStandIn();
    discords.push(discord);
    discord.addGuild();
    const bot = await startBot({ ...(example as Record<string, string>), ...database.env, DISCORD_TOKEN: 'test-token', DISCORD_API_URL: discord.apiUrl });
    await bot.waitForLog((line) => line.msg === 'connected to Discord', 60_000);
    expect(bot.output()).not.toContain('shardCount');
    expect(await bot.stop()).toBe(0);
  }, 90_000);

  it('waits out Discord answering 503 to its first requests', async () => {
    const discord = await startDiscordStandIn();
    discords.push(discord);
    discord.addGuild();
    // @discordjs/rest itself asks again on a 5xx a few times; more failures than that reach the bot's waits.
    discord.failNext({ method: 'GET', path: '/gateway/bot' }, { status: 503 }, 6);
    const bot = await startBot({ DISCORD_API_URL: discord.apiUrl });
    await bot.waitForLog((line) => line.msg === 'connected to Discord', 60_000);
    const tried = waits(bot);
    expect(tried.length).toBeGreaterThanOrEqual(1);
    expect(tried[0]).toMatchObject({ tries: 1, retryInMs: 1_000, err: { status: 503 } });
    expect(await bot.stop()).toBe(0);
  }, 90_000);

  it('stops at once, cleanly, when asked to while it waits', async () => {
    const bot = await startBot({ DISCORD_API_URL: `http://127.0.0.1:${await freePort()}/api` });
    await bot.waitForLog((line) => line.msg === 'Discord not reachable; trying again' && line.tries === 3, 30_000);
    const askedAt = Date.now();
    expect(await bot.stop()).toBe(0);
    // Well under the 4 s wait it was in (before, a stop left the start trying on, and the process never ended).
    expect(Date.now() - askedAt).toBeLessThan(3_000);
    expect(waits(bot)).toHaveLength(3);
    expect(bot.logLines().at(-1)).toMatchObject({ msg: 'stopped' });
    expect(bot.output()).not.toContain('could not connect to Discord');
  }, 60_000);

  it('ends the start with exit 1 and a line naming DISCORD_TOKEN when Discord rejects the token, without waiting', async () => {
    const discord = await startDiscordStandIn({ acceptToken: () => false });
    discords.push(discord);
    const bot = await startBot({ DISCORD_API_URL: discord.apiUrl });
    expect(await bot.exited).toBe(1);
    const fatal = bot.logLines().find((line) => line.msg === 'could not connect to Discord');
    expect(fatal).toMatchObject({ err: { type: 'DiscordRefusedError', status: 401 } });
    expect(String((fatal?.err as { message?: string }).message)).toContain('DISCORD_TOKEN');
    expect(waits(bot)).toEqual([]);
    expect(discord.requests.filter((request) => request.path.endsWith('/gateway/bot'))).toHaveLength(1);
    // The token itself is never logged.
    expect(bot.output()).not.toContain('test-token');
  }, 60_000);
});
