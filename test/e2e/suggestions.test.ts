import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.js';
import { upsertLessons } from '../../src/db/lessons.js';
import { createBotDatabase, startBotProcess, type BotDatabase, type BotProcess } from '../support/bot-process.js';
import { startDiscordStandIn, type DiscordStandIn } from '../support/discord-stand-in/index.js';
import { makeLesson } from '../support/lessons.js';
import { until } from '../support/ports.js';

type Choice = { name: string; value: string };

// PostgreSQL only: the newest lessons are kept in memory with the library cache, which serves only while the
// bot hears PostgreSQL's change notices (on PGlite the database answers every suggestion: README, "/lesson").
describe.runIf(process.env.TEST_DATABASE_URL)('lesson suggestions through Discord on PostgreSQL: the newest first', () => {
  let discord: DiscordStandIn;
  let database: BotDatabase;
  let writer: Database;
  let bot: BotProcess | undefined;
  // Imported oldest first, as a backlog is: more than the database's 100 candidates match "harbour".
  const reports = Array.from({ length: 130 }, (_, i) =>
    makeLesson({
      title: `Harbour report number ${i}`,
      summary: 'Boats came and went.',
      date: `2025-${String(1 + Math.floor(i / 28)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
    }),
  );

  beforeAll(async () => {
    discord = await startDiscordStandIn();
    discord.addGuild({ name: 'Learners' });
    database = await createBotDatabase('postgres', { migrated: true });
    writer = await openDatabase({ url: database.env.DATABASE_URL!, dataDir: 'unused', maxConnections: 1 });
    for (let i = 0; i < reports.length; i += 50) await upsertLessons(writer.db, reports.slice(i, i + 50));
    bot = await startBotProcess({ ...database.env, DISCORD_API_URL: discord.apiUrl, DISCORD_TOKEN: 'test-token' });
  }, 180_000);
  afterAll(async () => {
    await bot?.stop();
    await discord?.close();
    await writer?.close();
    await database?.dispose();
  });

  const suggest = async (typed: string): Promise<Choice[]> => {
    const response = await discord
      .sendAutocomplete({ name: 'lesson', subcommand: 'show', options: [{ name: 'lesson', value: typed, focused: true }] })
      .waitForFinal();
    return (response.data as { choices?: Choice[] }).choices ?? [];
  };

  it('a word in more lessons than Discord shows suggests the 25 newest, newest first', async () => {
    const newest = reports.slice(-25).reverse();
    const choices = await until(
      () => suggest('harb'),
      (found) => found.map((c) => c.value).join() === newest.map((l) => l.id).join(),
      10_000,
    );
    expect(choices.map((c) => c.value)).toEqual(newest.map((l) => l.id));
    expect(choices[0]?.name).toBe(`${newest[0]!.date} · ${newest[0]!.title}`);
    expect(discord.problems).toEqual([]);
  });

  it('a lesson another process imports is suggested first as soon as its notice arrives', async () => {
    const latest = makeLesson({ title: 'Harbour reopens after the storm', summary: 'Ferries sail again.', date: '2025-12-31' });
    await upsertLessons(writer.db, [latest]);
    const choices = await until(
      () => suggest('harbour'),
      (found) => found[0]?.value === latest.id,
      10_000,
    );
    expect(choices[0]?.value).toBe(latest.id);
    expect(choices.slice(1).map((c) => c.value)).toEqual(reports.slice(-24).reverse().map((l) => l.id));
  });
});
