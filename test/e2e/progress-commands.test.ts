import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.js';
import { upsertLesson } from '../../src/db/lessons.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import type { Lesson } from '../../src/domain/lesson.js';
import { assertWithinLimits, type MessageData } from '../../src/domain/discord-format/index.js';
import { decodeCatchupId } from '../../src/domain/progress/catchup-ids.js';
import { botDatabaseKinds, createBotDatabase, loggedProcessWarnings, startBotProcess, type BotDatabase, type BotProcess } from '../support/bot-process.js';
import { startDiscordStandIn, type DiscordStandIn, type InteractionResponseEvent, type MemberInit, type StandInGuild, type UserInit } from '../support/discord-stand-in/index.js';
import { makeLesson } from '../support/lessons.js';
import { runScript } from '../support/run-cli.js';

const EPHEMERAL = 1 << 6;
const DAY = 86_400_000;
/** makeLesson's word counts. */
const DIALOGUE_WORDS = 16;
const ARTICLE_WORDS = 27;

type Data = Omit<InteractionResponseEvent['data'], 'components'> &
  MessageData & { flags?: number; allowed_mentions?: { parse?: string[] }; attachments?: unknown[] };

/** Private, within Discord's limits, and pinging nobody. */
function expectPrivateAndSafe(data: Data): void {
  expect(assertWithinLimits(data)).toEqual([]);
  expect(data.allowed_mentions?.parse ?? ['missing']).toEqual([]);
  expect((data.flags ?? 0) & EPHEMERAL).toBe(EPHEMERAL);
}

function buttons(data: Data): { label?: string; custom_id?: string; disabled?: boolean }[] {
  return (data.components ?? []).flatMap((row) => row.components) as { label?: string; custom_id?: string; disabled?: boolean }[];
}

function fieldValue(data: Data, name: string): string | undefined {
  return data.embeds?.[0]?.fields?.find((f) => f.name === name)?.value;
}

/** Opens the bot's database (the bot is not running: PGlite allows one process). */
async function openBotDatabase(env: Record<string, string>): Promise<Database> {
  const database = await openDatabase(env.DATABASE_URL ? { url: env.DATABASE_URL, dataDir: 'unused' } : { dataDir: join(env.DATA_DIR!, '') });
  await migrateToLatest(database.db);
  return database;
}

/**
 * What one test reads and changes: a server of its own with its own members (settings are per member, across
 * servers) and its own eight lessons (read counts are per lesson, across servers), so no test sees another's.
 */
interface World {
  readonly guild: StandInGuild;
  readonly lessons: Lesson[];
  /** Read today, 1, 2, 4, 5 and 8 days ago (the issue's example). */
  readonly READER: UserInit;
  /** Has read nothing. */
  readonly FRIEND: UserInit;
  /** Read seven articles 3 days ago: more than anyone else ever. */
  readonly SHY: UserInit;
  /** Has read nothing. */
  readonly LATE: UserInit;
}

const WORLDS = ['progress', 'card', 'timezone', 'leaderboard', 'other member', 'catchup', 'export', 'cancel', 'both buttons', 'forget'] as const;

describe.each(botDatabaseKinds())('progress commands end to end on %s', (kind) => {
  let discord: DiscordStandIn;
  let database: BotDatabase;
  let bot: BotProcess | undefined;
  /** Every bot process started here (the forget-me test stops one and a new one starts): their logs are checked. */
  const bots: BotProcess[] = [];
  const startBot = async () => {
    const started = await startBotProcess(env);
    bots.push(started);
    return started;
  };
  let registered: StandInGuild;
  let env: Record<string, string>;
  const worlds = new Map<(typeof WORLDS)[number], World>();
  const world = (name: (typeof WORLDS)[number]) => worlds.get(name)!;

  beforeAll(async () => {
    discord = await startDiscordStandIn();
    registered = discord.addGuild({ name: 'Registered' });
    database = await createBotDatabase(kind, { migrated: true });
    env = { ...database.env, DISCORD_API_URL: discord.apiUrl, DISCORD_TOKEN: 'test-token' };

    // What a held-out harness does before the bot runs: lessons, past posts, and history written straight
    // into reading_events; the same for each test's world.
    const db = await openBotDatabase(env);
    try {
      const now = Date.now();
      for (const [w, name] of WORLDS.entries()) {
        const guild = discord.addGuild({ name: `Learners (${name})` });
        const member = (n: number, username: string): UserInit => ({ id: String(200000000000000000n + BigInt(w * 10 + n)), username });
        const lessons = Array.from({ length: 8 }, (_, i) => makeLesson({ title: `Lesson ${i + 1} *bold* @everyone`, date: `2026-05-0${i + 1}` }));
        const seeded: World = { guild, lessons, READER: member(1, 'reader'), FRIEND: member(2, 'friend'), SHY: member(3, 'shy'), LATE: member(4, 'late') };
        worlds.set(name, seeded);
        for (const lesson of lessons) await upsertLesson(db.db, lesson);
        for (const [i, lesson] of lessons.slice(0, 7).entries()) {
          const day = `2026-06-0${i + 1}`;
          await db.db
            .insertInto('deliveries')
            .values({ guild_id: guild.id, local_date: day, lesson_id: lesson.id, channel_id: guild.channels[0]!.id, status: 'sent', nonce: `n${w}-${i}`, claimed_by: 'seed', claimed_at: `${day}T07:00:00Z`, sent_at: `${day}T07:00:01Z` })
            .execute();
        }
        // READER: the issue's example, read today, 1, 2, 4, 5 and 8 days ago (UTC days: the server has no schedule).
        for (const [n, daysAgo] of [0, 1, 2, 4, 5, 8].entries()) {
          await sql`insert into reading_events (lesson_id, guild_id, user_id, kind, occurred_at)
            values (${lessons[n]!.id}, ${guild.id}, ${seeded.READER.id}, 'dialogue', ${new Date(now - daysAgo * DAY).toISOString()})`.execute(db.db);
        }
        // SHY read seven articles 3 days ago: more than anyone else ever, but will hide.
        for (const lesson of lessons.slice(0, 7)) {
          await sql`insert into reading_events (lesson_id, guild_id, user_id, kind, occurred_at)
            values (${lesson.id}, ${guild.id}, ${seeded.SHY.id}, 'article', ${new Date(now - 3 * DAY).toISOString()})`.execute(db.db);
        }
      }
    } finally {
      await db.close();
    }
    const deployed = await runScript('src/cli/deploy-commands.ts', ['--guild', registered.id], env);
    expect(deployed.stderr).toBe('');
    bot = await startBot();
  }, 180_000);
  beforeEach(async () => {
    // The forget-me test stops the bot to look into its database: the next test gets it back.
    if (!bot || bot.child.exitCode !== null || bot.child.signalCode !== null) bot = await startBot();
  });
  afterEach(() => {
    expect(discord.problems).toEqual([]);
    expect(loggedProcessWarnings(...bots)).toEqual([]);
  });
  afterAll(async () => {
    await bot?.stop();
    await discord?.close();
    await database?.dispose();
  });

  it('registers /progress, /leaderboard, /settings and /privacy beside /lesson (with catchup)', () => {
    const names = discord.commands(registered.id).map((c) => c.name).sort();
    expect(names).toEqual(expect.arrayContaining(['leaderboard', 'lesson', 'privacy', 'progress', 'settings']));
    const lesson = discord.commands(registered.id).find((c) => c.name === 'lesson');
    expect(lesson?.options?.map((o) => o.name)).toContain('catchup');
  });

  it('/help lists the commands as links to the ids Discord gave them, /schedule only to moderators, and names where nothing is registered', async () => {
    const help = async (guild: StandInGuild, permissions: MemberInit['permissions']) => {
      const data = (await discord.sendCommand({ name: 'help', guildId: guild.id, member: { permissions } }).waitForFinal()).data as Data;
      expectPrivateAndSafe(data);
      return `${data.embeds?.[0]?.description ?? ''}\n${(data.embeds?.[0]?.fields ?? []).map((f) => f.value).join('\n')}`;
    };
    const ids = new Map(discord.commands(registered.id).map((c) => [c.name, c.id]));
    const member = await help(registered, ['ViewChannel', 'SendMessages', 'UseApplicationCommands']);
    expect(member).toContain(`</lesson today:${ids.get('lesson')}> · `);
    expect(member).toContain(`</lesson search:${ids.get('lesson')}> \`query\` · `);
    expect(member).toContain(`</progress:${ids.get('progress')}> · `);
    expect(member).toContain(`</privacy forget-me:${ids.get('privacy')}> · `);
    expect(member).not.toContain('</schedule');
    expect(member).toContain('moderators set one with `/schedule set`.');
    expect(member).not.toContain('lesson import');
    const moderator = await help(registered, ['ViewChannel', 'SendMessages', 'ManageGuild']);
    expect(moderator).toContain(`</schedule set:${ids.get('schedule')}> \`channel\` \`time\` \`timezone\` · `);
    expect(moderator).toContain(`</lesson import:${ids.get('lesson')}> \`file\` · `);
    // No schedule in this server: the moderator is pointed at the command that sets one.
    expect(moderator).toContain(`📅 No daily lesson is scheduled in this server yet: start with </schedule set:${ids.get('schedule')}>.`);
    // A server with no registration of its own, and none global: the names, as code.
    const unregistered = await help(world('progress').guild, ['ViewChannel', 'SendMessages']);
    expect(unregistered).toContain('`/lesson today` · ');
    expect(unregistered).not.toContain('</');
  });

  it('/help asked by many members at once, in a server whose commands it has not read yet, reads them from Discord once', async () => {
    const guild = discord.addGuild({ name: 'Help desk' });
    expect((await runScript('src/cli/deploy-commands.ts', ['--guild', guild.id], env)).stderr).toBe('');
    const reads = () => discord.requests.filter((r) => r.method === 'GET' && r.path === `/applications/${discord.applicationId}/guilds/${guild.id}/commands`).length;
    const ids = new Map(discord.commands(guild.id).map((c) => [c.name, c.id]));
    const answers = await Promise.all(
      Array.from({ length: 5 }, async () => (await discord.sendCommand({ name: 'help', guildId: guild.id, member: { permissions: ['ViewChannel'] } }).waitForFinal()).data as Data),
    );
    for (const answer of answers) expect(answer.embeds?.[0]?.fields?.[0]?.value).toContain(`</lesson today:${ids.get('lesson')}>`);
    expect(reads()).toBe(1);
    await discord.sendCommand({ name: 'help', guildId: guild.id, member: { permissions: ['ViewChannel'] } }).waitForFinal();
    expect(reads()).toBe(1);
  });

  it('/progress shows the member’s own counts, streak with its freeze, and recent lessons, privately', async () => {
    const { guild, READER } = world('progress');
    const data = (await discord.sendCommand({ guildId: guild.id, name: 'progress', user: READER }).waitForFinal()).data as Data;
    expectPrivateAndSafe(data);
    expect(fieldValue(data, 'Lessons read')).toBe('6');
    expect(fieldValue(data, 'Words read')).toBe(String(6 * DIALOGUE_WORDS));
    expect(fieldValue(data, 'Current streak')).toMatch(/^5 days · 🧊 freeze used/u);
    expect(fieldValue(data, 'Best streak')).toBe('5 days');
    expect(fieldValue(data, 'Reading days (last 7)')).toBe('5 of 7');
    const recent = fieldValue(data, 'Last lessons read') ?? '';
    expect(recent.split('\n')).toHaveLength(6);
    // Lesson text is escaped: no bold, no @everyone.
    expect(recent).toContain('\\*bold\\*');
    expect(recent).not.toMatch(/(?<!\u200b)@everyone/u);
  });

  it('reading through the card buttons counts at once: words for the parts opened or finished', async () => {
    const { guild, lessons, FRIEND } = world('card');
    const card = await discord
      .sendCommand({ guildId: guild.id, name: 'lesson', subcommand: 'show', user: FRIEND, options: [{ name: 'lesson', value: lessons[7]!.id }, { name: 'share', value: true }] })
      .waitForFinal();
    const ids = buttons(card.data as Data).map((b) => b.custom_id!);
    await discord.sendButton({ guildId: guild.id, customId: ids[1]!, message: card.message!, user: FRIEND }).waitForFinal(); // Article
    await discord.sendButton({ guildId: guild.id, customId: ids[3]!, message: card.message!, user: FRIEND }).waitForFinal(); // Mark as read
    const data = (await discord.sendCommand({ guildId: guild.id, name: 'progress', user: FRIEND }).waitForFinal()).data as Data;
    expect(fieldValue(data, 'Lessons read')).toBe('1');
    // The article opened, then Mark as read: the lesson is finished, its dialogue too (each part once).
    expect(fieldValue(data, 'Words read')).toBe(String(ARTICLE_WORDS + DIALOGUE_WORDS));
    expect(fieldValue(data, 'Current streak')).toBe('1 day');
    // The card now says how many members of this server read it, and when.
    const after = (await discord.sendCommand({ guildId: guild.id, name: 'lesson', subcommand: 'show', options: [{ name: 'lesson', value: lessons[7]!.id }] }).waitForFinal()).data as Data;
    expect(fieldValue(after, 'Readers')).toMatch(/^1 member has read this, last <t:\d+:R>$/u);
  });

  it('/settings timezone autocompletes zones and moves the member’s reading days', async () => {
    const { guild, READER } = world('timezone');
    const suggestions = await discord.sendAutocomplete({ guildId: guild.id, name: 'settings', subcommand: 'timezone', user: READER, options: [{ name: 'zone', value: 'tokyo', focused: true }] }).waitForFinal();
    const choices = (suggestions.data as { choices?: { value: string }[] }).choices ?? [];
    expect(choices.map((c) => c.value)).toContain('Asia/Tokyo');
    const bad = (await discord.sendCommand({ guildId: guild.id, name: 'settings', subcommand: 'timezone', user: READER, options: [{ name: 'zone', value: 'Mars/Base' }] }).waitForFinal()).data as Data;
    expectPrivateAndSafe(bad);
    expect(bad.content).toMatch(/not a time zone/u);
    const set = (await discord.sendCommand({ guildId: guild.id, name: 'settings', subcommand: 'timezone', user: READER, options: [{ name: 'zone', value: 'Pacific/Kiritimati' }] }).waitForFinal()).data as Data;
    expectPrivateAndSafe(set);
    expect(set.content).toContain('Pacific/Kiritimati');
    const progress = (await discord.sendCommand({ guildId: guild.id, name: 'progress', user: READER }).waitForFinal()).data as Data;
    expect(progress.embeds?.[0]?.footer?.text).toContain('Pacific/Kiritimati (your setting)');
    await discord.sendCommand({ guildId: guild.id, name: 'settings', subcommand: 'timezone', user: READER, options: [{ name: 'zone', value: 'server-default' }] }).waitForFinal();
    const back = (await discord.sendCommand({ guildId: guild.id, name: 'progress', user: READER }).waitForFinal()).data as Data;
    expect(back.embeds?.[0]?.footer?.text).toContain('UTC');
    expect(fieldValue(back, 'Current streak')).toMatch(/^5 days/u);
  });

  it('/leaderboard ranks by lessons read with mentions that ping nobody, leaves hidden members out, and shows the caller’s rank', async () => {
    const { guild, lessons, READER, FRIEND, SHY, LATE } = world('leaderboard');
    // FRIEND reads one lesson: third, behind SHY's seven and READER's six.
    await discord.sendCommand({ guildId: guild.id, name: 'lesson', subcommand: 'article', user: FRIEND, options: [{ name: 'lesson', value: lessons[7]!.id }] }).waitForFinal();
    const all = (await discord.sendCommand({ guildId: guild.id, name: 'leaderboard', user: LATE, options: [{ name: 'period', value: 'all' }] }).waitForFinal()).data as Data;
    expectPrivateAndSafe(all);
    const lines = (all.embeds?.[0]?.description ?? '').split('\n');
    expect(lines[0]).toContain(`<@${SHY.id}>`);
    expect(lines[0]).toContain('7 lessons');
    expect(lines[1]).toContain(`<@${READER.id}>`);
    expect(lines[2]).toContain(`<@${FRIEND.id}>`);

    const hide = (await discord.sendCommand({ guildId: guild.id, name: 'settings', subcommand: 'leaderboard', user: SHY, options: [{ name: 'visible', value: false }] }).waitForFinal()).data as Data;
    expect(hide.content).toMatch(/hidden/u);
    const shared = await discord.sendCommand({ guildId: guild.id, name: 'leaderboard', user: FRIEND, options: [{ name: 'period', value: 'all' }, { name: 'share', value: true }] }).waitForFinal();
    const data = shared.data as Data;
    expect((data.flags ?? 0) & EPHEMERAL).toBe(0);
    expect(data.allowed_mentions?.parse).toEqual([]);
    expect(data.embeds?.[0]?.description).not.toContain(SHY.id);
    expect(data.embeds?.[0]?.description?.split('\n')[0]).toContain(`<@${READER.id}>`);
    // Everyone in the channel reads it: the sharer's line is not marked "← you" (it was until 2026-12-07).
    expect(data.embeds?.[0]?.description).toContain(`<@${FRIEND.id}>`);
    expect(data.embeds?.[0]?.description).not.toContain('← you');

    // The week: SHY hidden; READER's 5 reads in the last 7 days; a member with no reads has no rank.
    const week = (await discord.sendCommand({ guildId: guild.id, name: 'leaderboard', user: LATE }).waitForFinal()).data as Data;
    expect(week.embeds?.[0]?.title).toContain('last 7 days');
    expect(week.embeds?.[0]?.description?.split('\n')[0]).toMatch(new RegExp(`<@${READER.id}> — \\*\\*5 lessons\\*\\*`, 'u'));
  });

  it('/progress about another member shows only counts and streaks, and nothing once they hide', async () => {
    const { guild, READER, FRIEND, SHY } = world('other member');
    // What READER sees of their own progress, and what another member sees of it.
    const own = (await discord.sendCommand({ guildId: guild.id, name: 'progress', user: READER }).waitForFinal()).data as Data;
    expect(fieldValue(own, 'Last lessons read')).toBeDefined();
    const other = (await discord.sendCommand({ guildId: guild.id, name: 'progress', user: FRIEND, options: [{ name: 'member', type: 6, value: READER.id }] }).waitForFinal()).data as Data;
    expectPrivateAndSafe(other);
    expect(fieldValue(other, 'Lessons read')).toBe('6');
    expect(fieldValue(other, 'Current streak')).toMatch(/^5 days/u);
    expect(fieldValue(other, 'Last lessons read')).toBeUndefined();
    expect(fieldValue(other, 'Reading days (last 7)')).toBeUndefined();
    const hide = (await discord.sendCommand({ guildId: guild.id, name: 'settings', subcommand: 'leaderboard', user: SHY, options: [{ name: 'visible', value: false }] }).waitForFinal()).data as Data;
    expect(hide.content).toMatch(/hidden/u);
    const hidden = (await discord.sendCommand({ guildId: guild.id, name: 'progress', user: FRIEND, options: [{ name: 'member', type: 6, value: SHY.id }] }).waitForFinal()).data as Data;
    // FRIEND never hid: shown on leaderboards, not told they are back "again".
    const shown = (await discord.sendCommand({ guildId: guild.id, name: 'settings', subcommand: 'leaderboard', user: FRIEND, options: [{ name: 'visible', value: true }] }).waitForFinal()).data as Data;
    expect(shown.content).toMatch(/^👀 You are on leaderboards, /u);
    expectPrivateAndSafe(hidden);
    expect(hidden.embeds ?? []).toEqual([]);
    expect(hidden.content).toMatch(/^Nothing to show/u);
    // A bot (this one) reads nothing: said so, privately, not shown as a member with no reads.
    const bot = (await discord.sendCommand({ guildId: guild.id, name: 'progress', user: FRIEND, options: [{ name: 'member', type: 6, value: discord.botUser.id }] }).waitForFinal()).data as Data;
    expectPrivateAndSafe(bot);
    expect(bot.embeds ?? []).toEqual([]);
    expect(bot.content).toMatch(/bots do not read lessons/u);
  });

  it('/lesson catchup lists posted lessons not read, newest first; a button opens the card; Next pages in place', async () => {
    const { guild, LATE } = world('catchup');
    const first = await discord.sendCommand({ guildId: guild.id, name: 'lesson', subcommand: 'catchup', user: LATE }).waitForFinal();
    const data = first.data as Data;
    expectPrivateAndSafe(data);
    expect(data.embeds?.[0]?.title).toContain('(7)');
    expect(data.embeds?.[0]?.description?.split('\n')[0]).toContain('Lesson 7');
    expect(data.embeds?.[0]?.footer?.text).toMatch(/^Lessons 1–5 of 7 · /u);
    const open = buttons(data).filter((b) => decodeCatchupId(b.custom_id!)?.action === 'card');
    expect(open).toHaveLength(5);
    const message = { id: '400000000000000077', channel_id: guild.channels[0]!.id, flags: EPHEMERAL, ...data } as never;
    const card = (await discord.sendButton({ guildId: guild.id, customId: open[0]!.custom_id!, message, user: LATE }).waitForFinal()).data as Data;
    expectPrivateAndSafe(card);
    expect(card.embeds?.[0]?.title).toContain('Lesson 7');
    // Reading it from the card takes it off the list.
    const read = buttons(card).find((b) => b.label === 'Mark as read');
    await discord.sendButton({ guildId: guild.id, customId: read!.custom_id!, message: { id: '400000000000000078', channel_id: guild.channels[0]!.id, flags: EPHEMERAL, ...card } as never, user: LATE }).waitForFinal();
    const next = buttons(data).find((b) => b.label === 'Next');
    const page2 = await discord.sendButton({ guildId: guild.id, customId: next!.custom_id!, message, user: LATE }).waitForFinal();
    expect(page2.type).toBe(7);
    const page2Data = page2.data as Data;
    expect(page2Data.embeds?.[0]?.title).toContain('(6)');
    // Next goes on from the last lesson shown (Lesson 3): Lesson 2, which moved up when Lesson 7 was read, is not
    // skipped (with page numbers page 2 held Lesson 1 alone).
    expect(page2Data.embeds?.[0]?.footer?.text).toMatch(/^Lessons 5–6 of 6 · /u);
    expect(page2Data.embeds?.[0]?.description?.split('\n').filter((line) => line.startsWith('**'))).toEqual([
      expect.stringMatching(/^\*\*5\.\*\* Lesson 2 /u),
      expect.stringMatching(/^\*\*6\.\*\* Lesson 1 /u),
    ]);
    expect(page2Data.embeds?.[0]?.description).not.toContain('Lesson 7');

    // Every lesson read meanwhile: paging the list now replaces it, embed and buttons too, by the "caught up" line.
    for (let round = 0; ; round += 1) {
      const shown = (await discord.sendCommand({ guildId: guild.id, name: 'lesson', subcommand: 'catchup', user: LATE }).waitForFinal()).data as Data;
      if (shown.embeds === undefined || shown.embeds.length === 0 || round > 3) break;
      const list = { id: `40000000000000008${round}`, channel_id: guild.channels[0]!.id, flags: EPHEMERAL, ...shown } as never;
      for (const button of buttons(shown).filter((b) => decodeCatchupId(b.custom_id!)?.action === 'card')) {
        const opened = (await discord.sendButton({ guildId: guild.id, customId: button.custom_id!, message: list, user: LATE }).waitForFinal()).data as Data;
        const mark = buttons(opened).find((b) => b.label === 'Mark as read');
        await discord.sendButton({ guildId: guild.id, customId: mark!.custom_id!, message: { id: '400000000000000079', channel_id: guild.channels[0]!.id, flags: EPHEMERAL, ...opened } as never, user: LATE }).waitForFinal();
      }
    }
    const previous = buttons(page2Data).find((b) => b.label === 'Previous');
    const done = await discord.sendButton({ guildId: guild.id, customId: previous!.custom_id!, message: page2.message as never, user: LATE }).waitForFinal();
    expect(done.type).toBe(7);
    expect((done.data as Data).content).toMatch(/all caught up/u);
    // Discord keeps what an edit leaves out: the list's embed and buttons would stay under the new line.
    expect((done.data as Data).embeds).toEqual([]);
    expect((done.data as Data).components).toEqual([]);
    expect(done.message?.embeds).toEqual([]);
    expect(done.message?.components).toEqual([]);
  });

  it('/privacy export attaches everything about the caller as JSON, privately', async () => {
    const { guild, lessons, READER, FRIEND } = world('export');
    // Another member read the same lesson: nothing of theirs may be in READER's export.
    await discord.sendCommand({ guildId: guild.id, name: 'lesson', subcommand: 'article', user: FRIEND, options: [{ name: 'lesson', value: lessons[0]!.id }] }).waitForFinal();
    // READER has settings of their own (a time zone), which the export and forgetting must include.
    await discord.sendCommand({ guildId: guild.id, name: 'settings', subcommand: 'timezone', user: READER, options: [{ name: 'zone', value: 'Asia/Tokyo' }] }).waitForFinal();
    const reply = await discord.sendCommand({ guildId: guild.id, name: 'privacy', subcommand: 'export', user: READER }).waitForFinal();
    const data = reply.data as Data;
    expect(data.allowed_mentions?.parse).toEqual([]);
    expect((reply.message?.flags ?? 0) & EPHEMERAL).toBe(EPHEMERAL);
    // Deferred first (an export may take a moment), then the file arrives with the edit.
    const file = reply.files[0];
    expect(file?.filename).toBe(`newsdesk-data-${READER.id}.json`);
    const exported = JSON.parse(file!.data.toString('utf8')) as { userId: string; tables: Record<string, { user_id?: string }[]> };
    expect(exported.userId).toBe(READER.id);
    expect(exported.tables.reading_events).toHaveLength(6);
    expect(exported.tables.member_settings?.[0]?.user_id).toBe(READER.id);
    expect(JSON.stringify(exported)).not.toContain(FRIEND.id);
  });

  it('/privacy forget-me: Cancel deletes nothing', async () => {
    const { guild, READER } = world('cancel');
    const ask = (await discord.sendCommand({ guildId: guild.id, name: 'privacy', subcommand: 'forget-me', user: READER }).waitForFinal()).data as Data;
    const cancel = buttons(ask).find((b) => b.label === 'Cancel');
    const message = { id: '400000000000000098', channel_id: guild.channels[0]!.id, flags: EPHEMERAL, ...ask } as never;
    const cancelled = await discord.sendButton({ guildId: guild.id, customId: cancel!.custom_id!, message, user: READER }).waitForFinal();
    expect(cancelled.type).toBe(7);
    expect((cancelled.data as Data).content).toMatch(/nothing was deleted/u);
    expect(buttons(cancelled.data as Data)).toEqual([]);
    const still = (await discord.sendCommand({ guildId: guild.id, name: 'progress', user: READER }).waitForFinal()).data as Data;
    expect(fieldValue(still, 'Lessons read')).toBe('6');
  });

  it('/privacy forget-me: Delete and Cancel pressed at once are answered alike, and say what happened', async () => {
    const { guild, READER } = world('both buttons');
    const ask = (await discord.sendCommand({ guildId: guild.id, name: 'privacy', subcommand: 'forget-me', user: READER }).waitForFinal()).data as Data;
    const [confirm, cancel] = buttons(ask);
    const message = { id: '400000000000000097', channel_id: guild.channels[0]!.id, flags: EPHEMERAL, ...ask } as never;
    const [first, second] = await Promise.all(
      [confirm!, cancel!].map((button) => discord.sendButton({ guildId: guild.id, customId: button.custom_id!, message, user: READER }).waitForFinal()),
    );
    const said = [(first!.data as Data).content, (second!.data as Data).content];
    // Whichever arrived first decided: the message never ends with "nothing was deleted" over a deletion.
    expect(said[1]).toBe(said[0]);
    const read = fieldValue((await discord.sendCommand({ guildId: guild.id, name: 'progress', user: READER }).waitForFinal()).data as Data, 'Lessons read');
    if (/nothing was deleted/u.test(said[0] ?? '')) expect(read).toBe('6');
    else {
      expect(said[0]).toMatch(/reading history \(opens and marks\): 6/u);
      expect(read).toBe('0');
    }
  });

  it('/privacy forget-me: only the caller can confirm; it deletes every row about them and says what', async () => {
    const { guild, lessons, READER, FRIEND } = world('forget');
    // READER has settings of their own (a time zone), which the export and forgetting must include.
    await discord.sendCommand({ guildId: guild.id, name: 'settings', subcommand: 'timezone', user: READER, options: [{ name: 'zone', value: 'Asia/Tokyo' }] }).waitForFinal();
    const ask = await discord.sendCommand({ guildId: guild.id, name: 'privacy', subcommand: 'forget-me', user: READER }).waitForFinal();
    const data = ask.data as Data;
    expectPrivateAndSafe(data);
    expect(data.content).toMatch(/<t:\d+:R>/u);
    const [confirm] = buttons(data);
    const message = { id: '400000000000000099', channel_id: guild.channels[0]!.id, flags: EPHEMERAL, ...data } as never;
    const stranger = (await discord.sendButton({ guildId: guild.id, customId: confirm!.custom_id!, message, user: FRIEND }).waitForFinal()).data as Data;
    expect(stranger.content).toMatch(/only for the member who asked|for the member who asked/u);
    const done = await discord.sendButton({ guildId: guild.id, customId: confirm!.custom_id!, message, user: READER }).waitForFinal();
    expect(done.type).toBe(7);
    const text = (done.data as Data).content ?? '';
    expect(text).toMatch(/reading history \(opens and marks\): 6/u);
    expect(text).toMatch(/your settings/u);
    const after = (await discord.sendCommand({ guildId: guild.id, name: 'progress', user: FRIEND, options: [{ name: 'member', type: 6, value: READER.id }] }).waitForFinal()).data as Data;
    expect(fieldValue(after, 'Lessons read')).toBe('0');
    const board = (await discord.sendCommand({ guildId: guild.id, name: 'leaderboard', user: FRIEND, options: [{ name: 'period', value: 'all' }] }).waitForFinal()).data as Data;
    expect(board.embeds?.[0]?.description).not.toContain(READER.id);

    // Every table, every column: no trace of them (the bot is stopped so the database can be opened).
    await bot?.stop();
    bot = undefined;
    const db = await openBotDatabase(env);
    try {
      const columns = await sql<{ table_name: string; column_name: string }>`
        select c.table_name, c.column_name from information_schema.columns c
        join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
        where c.table_schema = current_schema() and t.table_type = 'BASE TABLE'`.execute(db.db);
      const traces: string[] = [];
      for (const { table_name, column_name } of columns.rows) {
        const found = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table_name)} where ${sql.ref(column_name)}::text like ${`%${READER.id}%`}`.execute(db.db);
        if ((found.rows[0]?.n ?? 0) > 0) traces.push(`${table_name}.${column_name}`);
      }
      expect(traces).toEqual([]);
      // Read counts dropped: lesson 1 had READER and SHY.
      const lesson1 = await db.db.selectFrom('lesson_read_totals').select('read_count').where('lesson_id', '=', lessons[0]!.id).executeTakeFirstOrThrow();
      expect(lesson1.read_count).toBe(1);
    } finally {
      await db.close();
    }
  });
});

