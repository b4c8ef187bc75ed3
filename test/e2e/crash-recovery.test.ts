import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { botDatabaseKinds, createBotDatabase, startBotProcess, type BotDatabase, type BotProcess } from '../support/bot-process.js';
import { startDiscordStandIn, type DiscordStandIn, type StandInGuild } from '../support/discord-stand-in/index.js';
import { postsPerGuild, seedFanOut } from '../support/fan-out.js';
import { until } from '../support/ports.js';

const SERVERS = 30;
const LEASE_MS = 20_000;

/*
 * kill -9 in the middle of a fan-out: the first process claims posts whose sends never come back, dies, and a
 * new process takes over. The delivery tick stays at once a minute (the default) so the test shows that a
 * takeover waits for the lease, not for a later tick.
 */
describe.each(botDatabaseKinds())('kill -9 during a fan-out on %s', (kind) => {
  let discord: DiscordStandIn;
  let database: BotDatabase;
  let first: BotProcess | undefined;
  let second: BotProcess | undefined;
  let guilds: StandInGuild[];

  beforeAll(async () => {
    discord = await startDiscordStandIn();
    database = await createBotDatabase(kind);
    guilds = await seedFanOut(discord, { url: database.env.DATABASE_URL, dataDir: database.env.DATA_DIR }, SERVERS);
  }, 120_000);

  afterAll(async () => {
    await first?.kill();
    await second?.stop();
    await discord?.close();
    await database?.dispose();
  });

  it('posts every server exactly once; posts of the dead process within 2 × DELIVERY_LEASE_MS of the kill', async () => {
    // The first eight sends (the scheduler's concurrency) are lost on the way: the process is stuck in them.
    discord.failNext({ method: 'POST', path: /^\/channels\/\d+\/messages$/u }, { hang: true }, 8);
    const env = { ...database.env, DISCORD_API_URL: discord.apiUrl, DELIVERY_LEASE_MS: String(LEASE_MS), DELIVERY_CRON: '* * * * *' };
    first = await startBotProcess(env);
    await until(async () => discord.requests.filter((request) => request.hung).length, (hung) => hung === 8, 60_000);
    await first.kill();
    const killedAt = Date.now();

    second = await startBotProcess(env);
    const counts = await until(async () => postsPerGuild(discord, guilds), (now) => now.every((count) => count >= 1), 3 * LEASE_MS + 30_000);
    expect(counts.filter((count) => count === 0)).toEqual([]);

    const hungChannels = new Set(discord.requests.filter((request) => request.hung).map((request) => request.path));
    expect(hungChannels.size).toBe(8);
    const resent = discord.requests.filter((request) => hungChannels.has(request.path) && request.status === 200);
    expect(resent).toHaveLength(8);
    // Taken over once the lease ran out, not at a later tick: within two leases of the crash.
    for (const request of resent) expect(request.at - killedAt).toBeLessThanOrEqual(2 * LEASE_MS);
    // Resent with the nonce of the lost attempt, and nothing posted twice.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(postsPerGuild(discord, guilds).every((count) => count === 1)).toBe(true);
  }, 240_000);
});
