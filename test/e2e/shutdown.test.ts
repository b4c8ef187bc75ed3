import { afterEach, describe, expect, it } from 'vitest';
import { createBotDatabase, startBotProcess, type BotDatabase, type BotProcess } from '../support/bot-process.js';
import { startBotScene, type BotScene } from '../support/bot-scene.js';
import { startDiscordStandIn, type DiscordStandIn } from '../support/discord-stand-in/index.js';

const SHUTDOWN_TIMEOUT_MS = 3_000;
const REFERENCE = 'examples/lessons/nhk-2025-05-31-japan-us-cyber.txt';

/*
 * SIGTERM while a daily post waits on Discord (a request Discord never answers: discord.js waits 15 s, four times).
 * The stop used to wait for that post first, and only then give interactions their SHUTDOWN_TIMEOUT_MS: a member
 * meanwhile was served as if nothing happened, and the process outlived a container's grace period. Now the posts,
 * the upkeep and the interactions are waited for side by side, within SHUTDOWN_TIMEOUT_MS.
 */
describe('stopping with a daily post that Discord does not answer', () => {
  let scene: BotScene | undefined;
  afterEach(async () => {
    await scene?.close();
    scene = undefined;
  }, 60_000);

  it('tells a member who arrives after SIGTERM to retry, and exits 0 within SHUTDOWN_TIMEOUT_MS of the signal', async () => {
    scene = await startBotScene('pglite', { lessons: [REFERENCE], env: { SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) } });
    const guild = scene.addGuild('Hung post');
    const lessons = scene.channelNamed(guild, 'lessons');
    scene.discord.failNext({ method: 'POST', path: `/channels/${lessons}/messages` }, { hang: true });
    await scene.setNow(guild, lessons);
    await scene.discord.waitFor((request) => request.method === 'POST' && request.path === `/channels/${lessons}/messages`, 15_000);

    const signalled = Date.now();
    scene.bot.child.kill('SIGTERM');
    await scene.bot.waitForLog((line) => line.msg === 'shutting down: finishing work in flight');
    const answer = await scene.discord.sendCommand({ name: 'lesson', subcommand: 'today', guildId: guild.id }).waitForFinal(3_000);
    expect(answer.data.content).toMatch(/restarting/u);

    expect(await scene.bot.exited).toBe(0);
    // The timeout, then the client and the database closed: well under the 60 s discord.js would wait.
    expect(Date.now() - signalled).toBeLessThan(SHUTDOWN_TIMEOUT_MS + 7_000);
    expect(scene.bot.logLines().some((line) => line.msg === 'work still in flight at the shutdown timeout; stopping anyway')).toBe(true);
  }, 90_000);
});

/*
 * SIGTERM while the gateway connection is silently dead (a network cut: no FIN, no answer). discord.js closes its
 * socket and waited for Discord's close frame, which `ws` gives up on only after 30 s: added to SHUTDOWN_TIMEOUT_MS,
 * a container was SIGKILLed (compose's 30 s grace period) before the database was closed. Every step of the stop is
 * now bounded; the database is closed and the process exits by itself.
 */
describe('stopping while the gateway connection is silently dead', () => {
  let discord: DiscordStandIn | undefined;
  let database: BotDatabase | undefined;
  let bot: BotProcess | undefined;
  afterEach(async () => {
    await bot?.kill();
    await discord?.close();
    await database?.dispose();
    bot = discord = database = undefined;
  }, 60_000);

  it('closes the database and exits 0 well within a container’s grace period', async () => {
    discord = await startDiscordStandIn();
    discord.addGuild();
    database = await createBotDatabase('pglite', { migrated: true });
    bot = await startBotProcess({ ...database.env, DISCORD_API_URL: discord.apiUrl, SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) });
    await discord.waitForSession();
    discord.freezeGateway();

    const signalled = Date.now();
    // What compose does: SIGTERM, then SIGKILL once its grace period is over (here 20 s: the bound checked below).
    const code = await bot.stop(20_000);
    const took = Date.now() - signalled;
    expect(bot.logLines().some((line) => line.msg === 'stopped')).toBe(true);
    expect(code).toBe(0);
    // The work (none in flight), then at most a few seconds for the connections and the database.
    expect(took).toBeLessThan(SHUTDOWN_TIMEOUT_MS + 12_000);
    expect(bot.logLines().find((line) => line.msg === 'shutdown step not finished in time; going on without it')?.steps).toEqual(['discord']);
  }, 90_000);
});
