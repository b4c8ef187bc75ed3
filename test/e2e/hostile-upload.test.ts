import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { botDatabaseKinds, createBotDatabase, startBotProcess, type BotDatabase, type BotProcess } from '../support/bot-process.js';
import { startDiscordStandIn, type DiscordStandIn, type StandInGuild } from '../support/discord-stand-in/index.js';
import { LEARNER, MODERATOR, MODERATOR_MEMBER } from '../support/schedule-scenarios.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** 2 MiB of `{"id":1}`: a file of 233,000 invalid lessons, each with eleven problems. */
const LESSONS = Math.floor((2 * 1024 * 1024) / 9) - 1;
const hostile = `[${Array.from({ length: LESSONS }, () => '{"id":1}').join(',')}]`;

describe.each(botDatabaseKinds())('a hostile 2 MiB upload while members use the bot, on %s', (kind) => {
  let discord: DiscordStandIn;
  let database: BotDatabase;
  let bot: BotProcess;
  let guild: StandInGuild;

  beforeAll(async () => {
    discord = await startDiscordStandIn();
    database = await createBotDatabase(kind);
    bot = await startBotProcess({ ...database.env, DISCORD_API_URL: discord.apiUrl, DISCORD_TOKEN: 'test-token' });
    guild = discord.addGuild({ name: 'Home' });
    const reference = readFileSync('examples/lessons/nhk-2025-05-31-japan-us-cyber.txt');
    const imported = await discord
      .sendCommand({ name: 'lesson', subcommand: 'import', guildId: guild.id, user: MODERATOR, member: MODERATOR_MEMBER, attachments: [{ filename: 'cyber.txt', content: reference, contentType: 'text/plain', optionName: 'file' }] })
      .waitForFinal(30_000);
    expect(imported.data.embeds?.[0]?.title).toBe('✅ imported 1, updated 0, unchanged 0');
  }, 180_000);

  afterAll(async () => {
    await bot?.stop();
    await discord?.close();
    await database?.dispose();
  });

  /** How long a member waits for the bot's first answer (a reply or a deferral) to /lesson today. */
  async function todayLatency(): Promise<number> {
    const started = Date.now();
    const handle = discord.sendCommand({ name: 'lesson', subcommand: 'today', guildId: guild.id, user: LEARNER });
    await handle.waitForResponse(15_000);
    const ms = Date.now() - started;
    const final = await handle.waitForFinal(15_000);
    expect(final.data.embeds?.[0]?.title).toContain('Japan and the United States');
    return ms;
  }

  it('answers other members promptly while the upload is parsed, and gives the moderator the capped problem list', async () => {
    const baseline = Math.max(await todayLatency(), await todayLatency());
    const upload = discord
      .sendCommand({
        name: 'lesson',
        subcommand: 'import',
        guildId: guild.id,
        user: MODERATOR,
        member: MODERATOR_MEMBER,
        attachments: [{ filename: 'hostile.json', content: Buffer.from(hostile), contentType: 'application/json', optionName: 'file' }],
      })
      .waitForFinal(60_000);

    // Members keep asking while the file is downloaded, parsed and answered.
    const during: number[] = [];
    let done = false;
    void upload.finally(() => {
      done = true;
    });
    while (!done) {
      during.push(await todayLatency());
      await sleep(150);
    }
    const answer = await upload;
    console.log(`/lesson today during a hostile upload (${kind}): baseline ${baseline} ms, during ${JSON.stringify(during)} ms`);

    expect(during.length).toBeGreaterThanOrEqual(3);
    // Parsing in the bot's own thread held members up for seconds (7–14 s with 600 KB); now never more than a moment.
    for (const ms of during) expect(ms).toBeLessThan(baseline + 1_000);

    const embed = answer.data.embeds?.[0];
    expect(embed?.title).toBe(`❌ Nothing imported: ${LESSONS * 11} problems in hostile.json`);
    const lines = embed?.description?.split('\n') ?? [];
    expect(lines.length).toBeLessThanOrEqual(51);
    expect(lines[0]).toBe('• hostile.json:1: lesson 1: id: expected a UUID');
    expect(lines.at(-1)).toMatch(/^• hostile\.json: and \d+ more problems not listed/u);
    expect(bot.logLines().filter((line) => line.msg === 'interaction failed')).toEqual([]);
  }, 180_000);
});
