import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { createBotDatabase, startBotProcess, type BotDatabase, type BotProcess } from '../support/bot-process.js';
import { startDiscordStandIn, type DiscordStandIn } from '../support/discord-stand-in/index.js';
import { runScript } from '../support/run-cli.js';

/** Eight hand-made exports: more than the bound set below, so the import leaves their vocabulary to the bot. */
const EXPORTS = 'test/fixtures/vocabulary';

/*
 * A big import of the lessons CLI commits its lessons and leaves their vocabulary to the bot's background job
 * (IMPORT_VOCABULARY_AT_MOST, issue 11's <= 20 s for 10,000 files): a bot running on the same PostgreSQL database is
 * told through the change feed and computes it then, not at its next start. PostgreSQL only: the embedded database
 * is one process's at a time, so no bot runs beside the CLI there.
 */
describe.runIf(process.env.TEST_DATABASE_URL)('vocabulary a big import leaves to the running bot', () => {
  let discord: DiscordStandIn;
  let database: BotDatabase;
  let bot: BotProcess;

  beforeAll(async () => {
    discord = await startDiscordStandIn();
    discord.addGuild({ name: 'Learners', channels: [{ name: 'lessons' }] });
    database = await createBotDatabase('postgres', { migrated: true });
    bot = await startBotProcess({ ...database.env, DISCORD_API_URL: discord.apiUrl, VOCABULARY_CATCH_UP_SHARE: '1' });
  }, 120_000);

  afterAll(async () => {
    await bot?.stop();
    await discord?.close();
    await database?.dispose();
  });

  async function vocabularies(): Promise<number> {
    const opened = await openDatabase({ url: database.env.DATABASE_URL, dataDir: 'unused', maxConnections: 1 });
    try {
      const row = await opened.db.selectFrom('lesson_vocabularies').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
      return Number(row.n);
    } finally {
      await opened.close();
    }
  }

  it('commits the lessons without their vocabulary, says so, and the running bot computes every one', async () => {
    // The bot's own catch-up at its start had nothing to do: the library was empty.
    const imported = await runScript('src/cli/lessons.ts', ['import', EXPORTS], { ...database.env, IMPORT_VOCABULARY_AT_MOST: '3' });
    expect(imported.code).toBe(0);
    expect(imported.stdout.trim().split('\n').at(-1)).toBe('imported 8, updated 0, unchanged 0');
    expect(imported.stderr).toContain("vocabulary of 8 lessons left to the bot's background job (more than IMPORT_VOCABULARY_AT_MOST=3");
    const caughtUp = await bot.waitForLog((line) => line.msg === 'vocabulary caught up', 60_000);
    expect(caughtUp).toMatchObject({ computed: 8, failed: [] });
    expect(await vocabularies()).toBe(8);
  }, 90_000);

  it('computes the vocabulary itself when the import is within the bound, and the bot is not asked', async () => {
    const linesBefore = bot.logLines().filter((line) => line.msg === 'vocabulary caught up').length;
    const before = await vocabularies();
    // One file, a lesson the library does not hold: within the bound, computed in the import's transaction.
    const imported = await runScript('src/cli/lessons.ts', ['import', 'examples/lessons'], { ...database.env, IMPORT_VOCABULARY_AT_MOST: '3' });
    expect(imported.code).toBe(0);
    expect(imported.stderr).not.toContain('left to the bot');
    expect(await vocabularies()).toBe(before + 1);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(bot.logLines().filter((line) => line.msg === 'vocabulary caught up')).toHaveLength(linesBefore);
  }, 60_000);
});
