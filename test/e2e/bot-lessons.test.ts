import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertWithinLimits, decodeCustomId, type MessageData } from '../../src/domain/discord-format/index.js';
import { botDatabaseKinds, createBotDatabase, loggedProcessWarnings, PLAIN_NODE_WARNING, startBotProcess, type BotDatabase, type BotProcess } from '../support/bot-process.js';
import { startDiscordStandIn, type AttachmentInit, type DiscordStandIn, type InteractionResponseEvent, type StandInGuild } from '../support/discord-stand-in/index.js';
import { longHostileLesson, longHostileLessonJson } from '../support/long-lesson.js';
import { freePort } from '../support/ports.js';
import { runScript } from '../support/run-cli.js';
import { MODERATOR, MODERATOR_MEMBER } from '../support/schedule-scenarios.js';

/*
 * Members' commands end to end: the real bot process against the Discord stand-in and a real database.
 * Every test is independent of the others: it runs in a server of its own (read counts are per server) over
 * a library that is imported once, before any test, and never changed; the empty-library test and
 * deploy-commands have a stand-in (and the former a bot and database) of their own.
 */

const REFERENCE = 'examples/lessons/nhk-2025-05-31-japan-us-cyber.txt';
const REFERENCE_ID = 'add8c4f2-5778-47a5-bd18-2492841fbc6e';
const EPHEMERAL = 1 << 6;

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

/** The bot's counter for one label set in a Prometheus scrape (0 while it has never been counted). */
function counter(body: string, labels: string): number {
  const line = body.split('\n').find((l) => l.startsWith(`newsdesk_interactions_total{${labels}} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

const COMMAND_NAMES = ['help', 'leaderboard', 'lesson', 'privacy', 'progress', 'schedule', 'settings'];

describe.each(botDatabaseKinds())('the bot on %s', (kind) => {
  it('registers its commands with deploy-commands (bulk overwrite, global and per server)', async () => {
    // deploy-commands needs no database and no running bot: a stand-in of its own.
    const discord = await startDiscordStandIn();
    try {
      const guild = discord.addGuild({ name: 'Deployed' });
      const env = { DISCORD_API_URL: discord.apiUrl, DISCORD_TOKEN: 'test-token' };
      const global = await runScript('src/cli/deploy-commands.ts', [], env);
      expect(global.stderr).toBe('');
      expect(global.stdout).toContain('Registered 7 commands (/lesson, /schedule, /progress, /leaderboard, /settings, /privacy, /help) globally');
      const inGuild = await runScript('src/cli/deploy-commands.ts', ['--guild', guild.id], env);
      expect(inGuild.stdout).toContain(`in server ${guild.id}`);
      expect(discord.commands().map((c) => c.name).sort()).toEqual(COMMAND_NAMES);
      expect(discord.commands(guild.id).map((c) => c.name).sort()).toEqual(COMMAND_NAMES);
      expect(discord.unexpectedRequests()).toEqual([]);
      // A DISCORD_API_URL mistyped: the failure names Discord's status and the request, where it said "No Description"
      // alone. (With the version already in it, it is refused as a setting before any request, since 2026-12-07.)
      const mistyped = await runScript('src/cli/deploy-commands.ts', [], { ...env, DISCORD_APPLICATION_ID: '300000000000000001', DISCORD_API_URL: `${discord.apiUrl}/apu` });
      expect(mistyped.code).toBe(1);
      expect(mistyped.stderr.trim()).toMatch(new RegExp(`^Could not register commands: Discord answered HTTP 404 to PUT ${discord.apiUrl.replace(/[.]/gu, '\\.')}/apu/v10/applications/300000000000000001/commands: `, 'u'));
      const versioned = await runScript('src/cli/deploy-commands.ts', [], { ...env, DISCORD_API_URL: `${discord.apiUrl}/v10` });
      expect(versioned.code).toBe(1);
      expect(versioned.stderr).toContain("DISCORD_API_URL: must be the API's base without its version");
    } finally {
      await discord.close();
    }
  });

  it('with an empty library, /lesson today explains how moderators add lessons; the bot asks for the Guilds intent only, talks only to the configured API host and shuts down cleanly on SIGTERM', async () => {
    const discord = await startDiscordStandIn();
    const database = await createBotDatabase(kind, { migrated: true });
    let bot: BotProcess | undefined;
    try {
      const guild = discord.addGuild({ name: 'Empty library' });
      bot = await startBotProcess({ ...database.env, DISCORD_API_URL: discord.apiUrl, DISCORD_TOKEN: 'test-token' });
      expect(discord.identifies.map((identify) => identify.intents)).toEqual([1]); // Guilds only
      const reply = await discord.sendCommand({ name: 'lesson', subcommand: 'today', guildId: guild.id }).waitForFinal();
      const data = reply.data as Data;
      expect(data.flags! & EPHEMERAL).toBe(EPHEMERAL);
      expect(data.content).toContain('/lesson import');
      expectSafe(data);
      expect(discord.unexpectedRequests()).toEqual([]);
      expect(discord.problems).toEqual([]);
      expect(await bot.stop()).toBe(0);
    } finally {
      await bot?.stop();
      await discord.close();
      await database.dispose();
    }
  }, 120_000);

  describe('with a library', () => {
    let discord: DiscordStandIn;
    let database: BotDatabase;
    let bot: BotProcess | undefined;
    let metricsPort: number;
    let servers = 0;

    /** A server of the test's own: read counts, pages and buttons of one test never meet another's. */
    const addGuild = (): StandInGuild => discord.addGuild({ name: `Learners ${++servers}` });

    beforeAll(async () => {
      discord = await startDiscordStandIn();
      database = await createBotDatabase(kind, { migrated: true });
      metricsPort = await freePort();
      bot = await startBotProcess({ ...database.env, DISCORD_API_URL: discord.apiUrl, DISCORD_TOKEN: 'test-token', METRICS_PORT: String(metricsPort) });
      // The library every test reads and none changes: the reference export and a long, hostile lesson,
      // added as a moderator does (through the bot, in a server no test uses).
      const library = addGuild();
      const files: AttachmentInit[] = [
        { filename: 'cyber.txt', content: readFileSync(REFERENCE), contentType: 'text/plain; charset=utf-8', optionName: 'file' },
        { filename: 'long.json', content: longHostileLessonJson(), contentType: 'application/json', optionName: 'file' },
      ];
      for (const file of files) {
        const imported = await discord
          .sendCommand({ name: 'lesson', subcommand: 'import', guildId: library.id, user: MODERATOR, member: MODERATOR_MEMBER, attachments: [file] })
          .waitForFinal(60_000);
        expect(imported.data.embeds?.[0]?.title).toBe('✅ imported 1, updated 0, unchanged 0');
      }
    }, 180_000);
    afterEach(() => {
      // Every test: only routes Discord has, on the configured API host, nothing the stand-in found wrong, and no
      // process warning (a deprecated discord.js option the bot used, say) logged by the bot.
      expect(discord.unexpectedRequests()).toEqual([]);
      expect(discord.problems).toEqual([]);
      expect(loggedProcessWarnings(bot!)).toEqual([]);
    });
    afterAll(async () => {
      // SIGTERM: a clean shutdown.
      const code = await bot?.stop();
      await discord?.close();
      await database?.dispose();
      expect(code).toBe(0);
    });

    it('logs Node’s process warnings as JSON with the rest, discord.js’s notice for its caches limited on purpose at debug', () => {
      expect(bot!.output()).not.toMatch(PLAIN_NODE_WARNING);
      const notices = bot!.logLines().filter((line) => line.warning === 'UnsupportedCacheOverwriteWarning');
      expect(notices.map((line) => [line.level, String(line.detail).split(' ').slice(0, 6).join(' ')])).toEqual([
        [20, 'Overriding the cache handling for RoleManager'],
      ]);
    });

    it('/lesson today shows the newest lesson’s card with its buttons', async () => {
      const guild = addGuild();
      const data = (await discord.sendCommand({ name: 'lesson', subcommand: 'today', guildId: guild.id }).waitForFinal()).data as Data;
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
      const guild = addGuild();
      const data = (await discord.sendCommand({ name: 'lesson', subcommand: 'show', guildId: guild.id, options: [{ name: 'lesson', value: REFERENCE_ID }, { name: 'share', value: true }] }).waitForFinal()).data as Data;
      expectSafe(data);
      expect((data.flags ?? 0) & EPHEMERAL).toBe(0);
      expect(data.embeds?.[0]?.url).toBe('https://www3.nhk.or.jp/nhkworld/en/news/20250531_12/');
    });

    it('autocompletes lessons by title', async () => {
      const guild = addGuild();
      const handle = discord.sendAutocomplete({ name: 'lesson', subcommand: 'dialogue', guildId: guild.id, options: [{ name: 'lesson', value: 'defense chiefs', focused: true }] });
      const response = await handle.waitForFinal();
      const choices = (response.data as { choices?: { name: string; value: string }[] }).choices ?? [];
      expect(choices.map((c) => c.value)).toEqual([REFERENCE_ID]);
      expect(choices[0]?.name.length).toBeLessThanOrEqual(100);
    });

    it('/lesson dialogue shows who speaks and records a read for the member', async () => {
      const guild = addGuild();
      const user = { id: '200000000000000777', username: 'reader' };
      const unread = (await discord.sendCommand({ name: 'lesson', subcommand: 'show', guildId: guild.id, options: [{ name: 'lesson', value: REFERENCE_ID }] }).waitForFinal()).data as Data;
      expect(unread.embeds?.[0]?.fields?.find((f) => f.name === 'Readers')?.value).toBe('Be the first to read this');
      const data = (await discord.sendCommand({ name: 'lesson', subcommand: 'dialogue', guildId: guild.id, user, options: [{ name: 'lesson', value: REFERENCE_ID }] }).waitForFinal()).data as Data;
      expectSafe(data);
      const text = data.embeds?.[0]?.description ?? '';
      expect(text).toContain('Hey there, buddy!');
      expect(text).toMatch(/A\b.*Hey there/u);
      expect(text).toMatch(/B\b.*Not much/u);
      // The same member opening it again is still one reader.
      await discord.sendCommand({ name: 'lesson', subcommand: 'article', guildId: guild.id, user, options: [{ name: 'lesson', value: REFERENCE_ID }] }).waitForFinal();
      const card = (await discord.sendCommand({ name: 'lesson', subcommand: 'show', guildId: guild.id, options: [{ name: 'lesson', value: REFERENCE_ID }] }).waitForFinal()).data as Data;
      const readers = card.embeds?.[0]?.fields?.find((f) => f.name === 'Readers')?.value;
      expect(readers).toMatch(/^1 member has read this, last <t:\d+:R>$/u);
    });

    it('a long article is paged within Discord’s limits; Next edits the message in place', async () => {
      const guild = addGuild();
      const lesson = longHostileLesson();
      const first = (await discord.sendCommand({ name: 'lesson', subcommand: 'article', guildId: guild.id, options: [{ name: 'lesson', value: lesson.id }] }).waitForFinal()).data as Data;
      expectSafe(first);
      expect(first.embeds?.[0]?.footer?.text).toMatch(/^Page 1 of (\d+)$/u);
      const pageCount = Number(/of (\d+)/u.exec(first.embeds?.[0]?.footer?.text ?? '')?.[1]);
      expect(pageCount).toBeGreaterThan(1);
      const next = buttons(first).find((b) => b.label === 'Next');
      expect(next?.disabled).toBeFalsy();
      expect(decodeCustomId(next!.custom_id!)).toMatchObject({ action: 'page', page: 2, kind: 'article' });

      const message = { id: '400000000000000001', channel_id: guild.channels[0]!.id, flags: EPHEMERAL, ...first } as never;
      const update = await discord.sendButton({ customId: next!.custom_id!, message, guildId: guild.id }).waitForFinal();
      expect(update.type).toBe(7); // UPDATE_MESSAGE
      const second = update.data as Data;
      expectSafe(second);
      expect(second.embeds?.[0]?.footer?.text).toBe(`Page 2 of ${pageCount}`);
      expect(second.embeds?.[0]?.description).not.toBe(first.embeds?.[0]?.description);
    });

    it('paging a shared article answers the clicker privately and counts it as their read', async () => {
      const guild = addGuild();
      const lesson = longHostileLesson();
      const shared = await discord.sendCommand({ name: 'lesson', subcommand: 'article', guildId: guild.id, options: [{ name: 'lesson', value: lesson.id }, { name: 'share', value: true }] }).waitForFinal();
      const readers = async () =>
        ((await discord.sendCommand({ name: 'lesson', subcommand: 'show', guildId: guild.id, options: [{ name: 'lesson', value: lesson.id }] }).waitForFinal()).data as Data).embeds?.[0]?.fields?.find(
          (f) => f.name === 'Readers',
        )?.value;
      // The member who shared it has read it.
      expect(await readers()).toMatch(/^1 member has read this/u);
      const next = buttons(shared.data as Data).find((b) => b.label === 'Next')!;
      const user = { id: '200000000000000999', username: 'pager' };
      const copy = await discord.sendButton({ customId: next.custom_id!, message: shared.message!, guildId: guild.id, user }).waitForFinal();
      expect(copy.type).toBe(4); // a new private message, not an edit of the shared one
      expect(((copy.data as Data).flags ?? 0) & EPHEMERAL).toBe(EPHEMERAL);
      expect((copy.data as Data).embeds?.[0]?.footer?.text).toMatch(/^Page 2 of \d+$/u);
      expect(await readers()).toMatch(/^2 members have read this/u);
    });

    it('card buttons work for anyone: Dialogue answers privately, Mark as read counts once', async () => {
      const guild = addGuild();
      // One member of this server has read the lesson already.
      await discord.sendCommand({ name: 'lesson', subcommand: 'article', guildId: guild.id, user: { id: '200000000000000777', username: 'reader' }, options: [{ name: 'lesson', value: REFERENCE_ID }] }).waitForFinal();
      const card = await discord.sendCommand({ name: 'lesson', subcommand: 'show', guildId: guild.id, options: [{ name: 'lesson', value: REFERENCE_ID }, { name: 'share', value: true }] }).waitForFinal();
      const message = card.message!;
      const ids = buttons(card.data as Data).map((b) => b.custom_id!);
      const user = { id: '200000000000000888', username: 'other' };
      const dialogue = (await discord.sendButton({ customId: ids[0]!, message, guildId: guild.id, user }).waitForFinal()).data as Data;
      expect(dialogue.flags! & EPHEMERAL).toBe(EPHEMERAL);
      expect(dialogue.embeds?.[0]?.description).toContain('Hey there, buddy!');
      const related = (await discord.sendButton({ customId: ids[2]!, message, guildId: guild.id, user }).waitForFinal()).data as Data;
      // No other lesson in this library: the export's titles are listed as not in the library, "Summary:" dropped.
      expect(related.embeds?.[0]?.description).toContain('**Not in the library**\n• Japan, US defense chiefs');
      expect(related.embeds?.[0]?.description).not.toContain('Summary:');
      const read = (await discord.sendButton({ customId: ids[3]!, message, guildId: guild.id, user }).waitForFinal()).data as Data;
      expect(read.content).toContain('Marked');
      const again = (await discord.sendButton({ customId: ids[3]!, message, guildId: guild.id, user }).waitForFinal()).data as Data;
      expect(again.content).toContain('already');
      const after = (await discord.sendCommand({ name: 'lesson', subcommand: 'show', guildId: guild.id, options: [{ name: 'lesson', value: REFERENCE_ID }] }).waitForFinal()).data as Data;
      expect(after.embeds?.[0]?.fields?.find((f) => f.name === 'Readers')?.value).toMatch(/^2 members have read this, last <t:\d+:R>$/u);
    });

    it('a bad option gets a short private explanation', async () => {
      const guild = addGuild();
      const data = (await discord.sendCommand({ name: 'lesson', subcommand: 'article', guildId: guild.id, options: [{ name: 'lesson', value: 'no such lesson at all' }] }).waitForFinal()).data as Data;
      expect(data.flags! & EPHEMERAL).toBe(EPHEMERAL);
      expect(data.content).toMatch(/No lesson matches/u);
    });

    it('counts what it handled in its Prometheus metrics', async () => {
      const scrape = async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      const OK = 'kind="command",name="lesson",outcome="ok"';
      const USER_ERROR = 'kind="command",name="lesson",outcome="user_error"';
      const MARKED = 'kind="button",name="l:m",outcome="ok"';
      const before = await scrape();

      const guild = addGuild();
      const card = await discord.sendCommand({ name: 'lesson', subcommand: 'show', guildId: guild.id, options: [{ name: 'lesson', value: REFERENCE_ID }, { name: 'share', value: true }] }).waitForFinal();
      const markAsRead = buttons(card.data as Data).find((b) => b.label === 'Mark as read')!.custom_id!;
      for (const user of [{ id: '200000000000000991', username: 'first' }, { id: '200000000000000992', username: 'second' }]) {
        await discord.sendButton({ customId: markAsRead, message: card.message!, guildId: guild.id, user }).waitForFinal();
      }
      await discord.sendCommand({ name: 'lesson', subcommand: 'article', guildId: guild.id, options: [{ name: 'lesson', value: 'no such lesson at all' }] }).waitForFinal();

      // Counted once the answer is sent: a scrape may come a moment before.
      await expect.poll(async () => {
        const after = await scrape();
        return [OK, USER_ERROR, MARKED].map((labels) => counter(after, labels) - counter(before, labels));
      }).toEqual([1, 1, 2]);
    });
  });
});
