import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertWithinLimits, decodeCustomId, type MessageData } from '../../src/domain/discord-format/index.js';
import { botDatabaseKinds, createBotDatabase, startBotProcess, type BotDatabase, type BotProcess } from '../support/bot-process.js';
import { startDiscordStandIn, type DiscordStandIn, type InteractionResponseEvent, type StandInGuild } from '../support/discord-stand-in/index.js';
import { longHostileLesson, longHostileLessonJson } from '../support/long-lesson.js';
import { runScript } from '../support/run-cli.js';

const REFERENCE = 'examples/lessons/nhk-2025-05-31-japan-us-cyber.txt';
const REFERENCE_ID = 'add8c4f2-5778-47a5-bd18-2492841fbc6e';
const EPHEMERAL = 1 << 6;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

type Data = Omit<InteractionResponseEvent['data'], 'components'> & MessageData & { flags?: number; allowed_mentions?: { parse?: string[] } };

/** Every message the bot sends must fit Discord's limits and ping nobody. */
function expectSafe(data: Data): void {
  expect(assertWithinLimits(data)).toEqual([]);
  expect(data.allowed_mentions).toBeDefined();
  expect(data.allowed_mentions?.parse ?? []).toEqual([]);
  const text = JSON.stringify([data.content, data.embeds]);
  expect(text).not.toMatch(/(?<![\u200b])@(everyone|here)/u);
  expect(text).not.toMatch(/<@&?\d+>/u);
}

function buttons(data: Data): { label?: string; custom_id?: string; disabled?: boolean }[] {
  return (data.components ?? []).flatMap((row) => row.components) as { label?: string; custom_id?: string; disabled?: boolean }[];
}

describe.each(botDatabaseKinds())('the bot on %s', (kind) => {
  let discord: DiscordStandIn;
  let database: BotDatabase;
  let bot: BotProcess | undefined;
  let guild: StandInGuild;
  let env: Record<string, string>;
  let files: string;
  let metricsPort: number;

  beforeAll(async () => {
    discord = await startDiscordStandIn();
    guild = discord.addGuild({ name: 'Learners' });
    database = await createBotDatabase(kind);
    env = { ...database.env, DISCORD_API_URL: discord.apiUrl, DISCORD_TOKEN: 'test-token' };
    files = mkdtempSync(join(tmpdir(), 'newsdesk-e2e-'));
  });
  afterAll(async () => {
    await bot?.stop();
    await discord?.close();
    await database?.dispose();
    rmSync(files, { recursive: true, force: true });
  });

  it('registers its commands with deploy-commands (bulk overwrite, global and per server)', async () => {
    const global = await runScript('src/cli/deploy-commands.ts', [], env);
    expect(global.stderr).toBe('');
    expect(global.stdout).toContain('Registered 6 commands (/lesson, /schedule, /progress, /leaderboard, /settings, /privacy) globally');
    const inGuild = await runScript('src/cli/deploy-commands.ts', ['--guild', guild.id], env);
    expect(inGuild.stdout).toContain(`in server ${guild.id}`);
    expect(discord.commands().map((c) => c.name).sort()).toEqual(['leaderboard', 'lesson', 'privacy', 'progress', 'schedule', 'settings']);
    expect(discord.commands(guild.id).map((c) => c.name).sort()).toEqual(['leaderboard', 'lesson', 'privacy', 'progress', 'schedule', 'settings']);
  });

  it('with an empty library, /lesson today explains how moderators add lessons', async () => {
    bot = await startBotProcess(env);
    const identify = discord.identifies.at(-1);
    expect(identify?.intents).toBe(1); // Guilds only
    const reply = await discord.sendCommand({ name: 'lesson', subcommand: 'today' }).waitForFinal();
    const data = reply.data as Data;
    expect(data.flags! & EPHEMERAL).toBe(EPHEMERAL);
    expect(data.content).toContain('/lesson import');
    expectSafe(data);
    expect(await bot.stop()).toBe(0);
    bot = undefined;
  });

  it('after an import, /lesson today shows the newest lesson’s card with its four buttons', async () => {
    const longFile = join(files, 'long.json');
    writeFileSync(longFile, longHostileLessonJson());
    const imported = await runScript('src/cli/lessons.ts', ['import', REFERENCE, longFile], env);
    expect(imported.stdout.trim()).toBe('imported 2, updated 0, unchanged 0');
    metricsPort = await freePort();
    bot = await startBotProcess({ ...env, METRICS_PORT: String(metricsPort) });

    const data = (await discord.sendCommand({ name: 'lesson', subcommand: 'today' }).waitForFinal()).data as Data;
    expectSafe(data);
    expect(data.flags! & EPHEMERAL).toBe(EPHEMERAL);
    const [card] = data.embeds ?? [];
    expect(card?.title).toContain('Council');
    expect(card?.title).not.toContain('**debates**');
    const fieldNames = (card?.fields ?? []).map((f) => f.name);
    expect(fieldNames).toEqual(expect.arrayContaining(['Article date', 'Category', 'Reading time', 'Readers']));
    expect(buttons(data).map((b) => b.label)).toEqual(['Dialogue', 'Article', 'Related', 'Mark as read', 'Vocabulary', 'Quiz']);
  });

  it('/lesson show, with share:true, posts publicly', async () => {
    const data = (await discord.sendCommand({ name: 'lesson', subcommand: 'show', options: [{ name: 'lesson', value: REFERENCE_ID }, { name: 'share', value: true }] }).waitForFinal()).data as Data;
    expectSafe(data);
    expect((data.flags ?? 0) & EPHEMERAL).toBe(0);
    expect(data.embeds?.[0]?.url).toBe('https://www3.nhk.or.jp/nhkworld/en/news/20250531_12/');
  });

  it('autocompletes lessons by title', async () => {
    const handle = discord.sendAutocomplete({ name: 'lesson', subcommand: 'dialogue', options: [{ name: 'lesson', value: 'defense chiefs', focused: true }] });
    const response = await handle.waitForFinal();
    const choices = (response.data as { choices?: { name: string; value: string }[] }).choices ?? [];
    expect(choices.map((c) => c.value)).toEqual([REFERENCE_ID]);
    expect(choices[0]?.name.length).toBeLessThanOrEqual(100);
  });

  it('/lesson dialogue shows who speaks and records a read for the member', async () => {
    const user = { id: '200000000000000777', username: 'reader' };
    const data = (await discord.sendCommand({ name: 'lesson', subcommand: 'dialogue', user, options: [{ name: 'lesson', value: REFERENCE_ID }] }).waitForFinal()).data as Data;
    expectSafe(data);
    const text = data.embeds?.[0]?.description ?? '';
    expect(text).toContain('Hey there, buddy!');
    expect(text).toMatch(/A\b.*Hey there/u);
    expect(text).toMatch(/B\b.*Not much/u);
    // The same member opening it again is still one reader.
    await discord.sendCommand({ name: 'lesson', subcommand: 'article', user, options: [{ name: 'lesson', value: REFERENCE_ID }] }).waitForFinal();
    const card = (await discord.sendCommand({ name: 'lesson', subcommand: 'show', options: [{ name: 'lesson', value: REFERENCE_ID }] }).waitForFinal()).data as Data;
    const readers = card.embeds?.[0]?.fields?.find((f) => f.name === 'Readers')?.value;
    expect(readers).toMatch(/^1 member has read this, last <t:\d+:R>$/u);
  });

  it('a long article is paged within Discord’s limits; Next edits the message in place', async () => {
    const lesson = longHostileLesson();
    const first = (await discord.sendCommand({ name: 'lesson', subcommand: 'article', options: [{ name: 'lesson', value: lesson.id }] }).waitForFinal()).data as Data;
    expectSafe(first);
    expect(first.embeds?.[0]?.footer?.text).toMatch(/^Page 1 of (\d+)$/u);
    const pageCount = Number(/of (\d+)/u.exec(first.embeds?.[0]?.footer?.text ?? '')?.[1]);
    expect(pageCount).toBeGreaterThan(1);
    const next = buttons(first).find((b) => b.label === 'Next');
    expect(next?.disabled).toBeFalsy();
    expect(decodeCustomId(next!.custom_id!)).toMatchObject({ action: 'page', page: 2, kind: 'article' });

    const message = { id: '400000000000000001', channel_id: guild.channels[0]!.id, flags: EPHEMERAL, ...first } as never;
    const update = await discord.sendButton({ customId: next!.custom_id!, message }).waitForFinal();
    expect(update.type).toBe(7); // UPDATE_MESSAGE
    const second = update.data as Data;
    expectSafe(second);
    expect(second.embeds?.[0]?.footer?.text).toBe(`Page 2 of ${pageCount}`);
    expect(second.embeds?.[0]?.description).not.toBe(first.embeds?.[0]?.description);
  });

  it('card buttons work for anyone: Dialogue answers privately, Mark as read counts once', async () => {
    const card = (await discord.sendCommand({ name: 'lesson', subcommand: 'show', options: [{ name: 'lesson', value: REFERENCE_ID }, { name: 'share', value: true }] }).waitForFinal());
    const message = card.message!;
    const ids = buttons(card.data as Data).map((b) => b.custom_id!);
    const user = { id: '200000000000000888', username: 'other' };
    const dialogue = (await discord.sendButton({ customId: ids[0]!, message, user }).waitForFinal()).data as Data;
    expect(dialogue.flags! & EPHEMERAL).toBe(EPHEMERAL);
    expect(dialogue.embeds?.[0]?.description).toContain('Hey there, buddy!');
    const related = (await discord.sendButton({ customId: ids[2]!, message, user }).waitForFinal()).data as Data;
    // No other lesson in this library: the export's titles are listed as not in the library, "Summary:" dropped.
    expect(related.embeds?.[0]?.description).toContain('**Not in the library**\n• Japan, US defense chiefs');
    expect(related.embeds?.[0]?.description).not.toContain('Summary:');
    const read = (await discord.sendButton({ customId: ids[3]!, message, user }).waitForFinal()).data as Data;
    expect(read.content).toContain('Marked');
    const again = (await discord.sendButton({ customId: ids[3]!, message, user }).waitForFinal()).data as Data;
    expect(again.content).toContain('already');
    const after = (await discord.sendCommand({ name: 'lesson', subcommand: 'show', options: [{ name: 'lesson', value: REFERENCE_ID }] }).waitForFinal()).data as Data;
    expect(after.embeds?.[0]?.fields?.find((f) => f.name === 'Readers')?.value).toMatch(/^2 members have read this, last <t:\d+:R>$/u);
  });

  it('a bad option gets a short private explanation', async () => {
    const data = (await discord.sendCommand({ name: 'lesson', subcommand: 'article', options: [{ name: 'lesson', value: 'no such lesson at all' }] }).waitForFinal()).data as Data;
    expect(data.flags! & EPHEMERAL).toBe(EPHEMERAL);
    expect(data.content).toMatch(/No lesson matches/u);
  });

  it('counts what it handled in its Prometheus metrics', async () => {
    const body = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(body).toMatch(/newsdesk_interactions_total\{kind="command",name="lesson",outcome="ok"\} [1-9]/u);
    expect(body).toMatch(/newsdesk_interactions_total\{kind="command",name="lesson",outcome="user_error"\} 1/u);
    expect(body).toMatch(/newsdesk_interactions_total\{kind="button",name="l:m",outcome="ok"\} 2/u);
  });

  it('talks only to the configured API host and shuts down cleanly on SIGTERM', async () => {
    expect(discord.unexpectedRequests()).toEqual([]);
    expect(discord.problems).toEqual([]);
    expect(await bot!.stop()).toBe(0);
    bot = undefined;
  });
});
