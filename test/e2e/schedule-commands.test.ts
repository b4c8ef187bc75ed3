import { readFileSync } from 'node:fs';
import type { APIMessage } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageData } from '../../src/domain/discord-format/index.js';
import { lessonToJson } from '../../src/domain/lesson-parser/index.js';
import { botDatabaseKinds, createBotDatabase, startBotProcess, type BotDatabase, type BotProcess } from '../support/bot-process.js';
import {
  role,
  startDiscordStandIn,
  textChannel,
  type AttachmentInit,
  type CommandOptionInit,
  type DiscordStandIn,
  type GuildInit,
  type InteractionResponseEvent,
  type MemberInit,
  type StandInGuild,
  type UserInit,
} from '../support/discord-stand-in/index.js';
import { makeLesson } from '../support/lessons.js';
import { channelOption, EPHEMERAL, LEARNER, localDay, MODERATOR, MODERATOR_MEMBER, POST_TIMEOUT_MS, roleOption, setScheduleLater, setScheduleNow, TICK_ENV, ZONE } from '../support/schedule-scenarios.js';

/*
 * Moderator commands end to end: the real bot process against the Discord stand-in and a real database.
 * The bot starts with an empty library; lessons arrive through `/lesson import`, as moderators add them.
 */


/** The fixture exports, by article date. */
const EXPORTS = {
  oaks: { file: 'test/fixtures/lessons/article-only-no-stats.txt', id: '9d1c2b3a-4e5f-4a6b-8c7d-0e1f2a3b4c5d', date: '2025-05-01', title: 'Volunteers planted 1,200 oak saplings along the Rivermead canal on Saturday, the first stage of a plan to shade the towpath.' },
  cyber: { file: 'examples/lessons/nhk-2025-05-31-japan-us-cyber.txt', id: 'add8c4f2-5778-47a5-bd18-2492841fbc6e', date: '2025-05-31', title: 'The defense chiefs of Japan and the United States have agreed to strengthen cooperation in cyberspace.' },
  ferry: { file: 'test/fixtures/lessons/ferry-crlf-wrapped-turn.txt', id: '0f3c9a52-8d1e-4b7a-a6c5-2e9d8b7f6a10', date: '2025-08-18', title: 'Ferry services between Port Ellis and Gull Island resumed on Monday after a two-month break.' },
  robot: { file: 'test/fixtures/lessons/ken-yuki-library-robot.txt', id: '5b0e7a1c-3d2f-4e6a-9b8c-7d6e5f4a3b2c', date: '2025-09-03', title: 'City library lends a robot that reads picture books aloud' },
} as const;

/** What a member without Manage Server reports (the stand-in's default @everyone permissions). */
const PLAIN_MEMBER: MemberInit = { permissions: ['ViewChannel', 'SendMessages', 'EmbedLinks', 'ReadMessageHistory', 'UseApplicationCommands'] };
const EDITOR: UserInit = { id: '200000000000000300', username: 'editor' };

type Data = InteractionResponseEvent['data'] & MessageData & { flags?: number };


function exportFile(name: keyof typeof EXPORTS): AttachmentInit {
  const { file } = EXPORTS[name];
  return { filename: file.split('/').at(-1)!, content: readFileSync(file), contentType: 'text/plain; charset=utf-8', optionName: 'file' };
}

describe.each(botDatabaseKinds())('moderator commands on %s', (kind) => {
  let discord: DiscordStandIn;
  let database: BotDatabase;
  let bot: BotProcess;
  let home: StandInGuild;
  let editorsRole: string;
  let witnesses = 0;

  beforeAll(async () => {
    discord = await startDiscordStandIn();
    database = await createBotDatabase(kind);
    bot = await startBotProcess({ ...database.env, ...TICK_ENV, DISCORD_API_URL: discord.apiUrl, DISCORD_TOKEN: 'test-token' });
    home = addGuild('Home', { roles: [role({ name: 'Editors' })] });
    editorsRole = home.roles.find((r) => r.name === 'Editors')!.id;
  });

  afterAll(async () => {
    await bot?.stop();
    await discord?.close();
    await database?.dispose();
  });

  // ---- helpers ------------------------------------------------------------------------------------

  function addGuild(name: string, init: GuildInit = {}): StandInGuild {
    return discord.addGuild({ name, channels: [textChannel({ name: 'lessons' }), textChannel({ name: 'mod-alerts' })], ...init });
  }

  const channelNamed = (guild: StandInGuild, name: string) => guild.channels.find((c) => c.name === name)!.id;

  interface Sender {
    user?: UserInit;
    member?: MemberInit;
  }
  const asModerator: Sender = { user: MODERATOR, member: MODERATOR_MEMBER };

  async function command(
    guild: StandInGuild,
    name: 'schedule' | 'lesson',
    subcommand: string,
    options: CommandOptionInit[] = [],
    sender: Sender = asModerator,
    attachments: AttachmentInit[] = [],
  ): Promise<Data> {
    const handle = discord.sendCommand({ name, subcommand, guildId: guild.id, options, attachments, ...sender });
    const final = await handle.waitForFinal(10_000);
    // Private from the first callback on: a reply (4), or a deferral (5) whose edit then fills it in.
    const first = await handle.waitForResponse();
    return { ...(final.data as Data), flags: (first.data.flags ?? 0) | ((final.data as Data).flags ?? 0) };
  }

  /** A moderator command; every answer to one is private. */
  async function schedule(guild: StandInGuild, subcommand: string, options: CommandOptionInit[] = [], sender: Sender = asModerator): Promise<Data> {
    const data = await command(guild, 'schedule', subcommand, options, sender);
    expect(data.flags! & EPHEMERAL).toBe(EPHEMERAL);
    return data;
  }

  async function importFile(guild: StandInGuild, file: AttachmentInit, sender: Sender = asModerator): Promise<Data> {
    const data = await command(guild, 'lesson', 'import', [], sender, [file]);
    expect(data.flags! & EPHEMERAL).toBe(EPHEMERAL);
    return data;
  }




  const setNow = (guild: StandInGuild, channelId: string, when: 'due' | 'done today' = 'due') =>
    setScheduleNow(schedule, guild, channelId, { when });
  const setLater = (guild: StandInGuild, channelId: string) => setScheduleLater(schedule, guild, channelId);

  const waitForPost = (channelId: string): Promise<APIMessage> => discord.waitForChannelMessage(channelId, POST_TIMEOUT_MS);

  /** Proof that the delivery timer ran after this point: a new server scheduled now gets its post. */
  async function witnessTick(): Promise<void> {
    const guild = addGuild(`Witness ${++witnesses}`);
    await setNow(guild, channelNamed(guild, 'lessons'));
    await waitForPost(channelNamed(guild, 'lessons'));
  }

  const noLessonLogs = (guildId: string) => bot.logLines().filter((line) => line.msg === 'no lesson left to post' && line.guildId === guildId).length;

  /** Waits until the delivery timer has tried (and found nothing for) a server `more` more times. */
  async function waitForEmptyTicks(guildId: string, more: number): Promise<void> {
    const target = noLessonLogs(guildId) + more;
    await bot.waitForLog(() => noLessonLogs(guildId) >= target, POST_TIMEOUT_MS);
  }

  // ---- who may use them ---------------------------------------------------------------------------

  it('moderator commands are refused to a plain member, privately, and change nothing', async () => {
    const plain: Sender = { user: LEARNER, member: PLAIN_MEMBER };
    const refusal = 'Only moderators can do this: it needs the **Manage Server** permission.';
    const lessons = channelNamed(home, 'lessons');
    const attempts = [
      ['set', [channelOption(lessons), { name: 'time', value: '07:30' }, { name: 'timezone', value: ZONE }]],
      ['alerts', [channelOption(channelNamed(home, 'mod-alerts'))]],
      ['moderators', [roleOption(editorsRole)]],
      ['post-now', []],
      ['show', []],
    ] as const;
    for (const [subcommand, options] of attempts) {
      expect((await schedule(home, subcommand, [...options], plain)).content).toBe(refusal);
    }
    expect((await importFile(home, exportFile('robot'), plain)).content).toBe(refusal);

    // Nothing changed: no schedule, no lesson, and no moderator role (the refusal of `show`, sent after
    // `moderators`, would name it).
    expect((await schedule(home, 'show')).content).toContain('This server has no daily lesson yet.');
    const today = await command(home, 'lesson', 'today', [], { user: LEARNER });
    expect(today.content).toContain('The lesson library is empty');
    expect(discord.channelMessages(lessons)).toEqual([]);
  });

  // ---- an empty library -----------------------------------------------------------------------------

  it('with no lesson left, nothing is posted and the alerts channel is told once, not every tick', async () => {
    const lessons = channelNamed(home, 'lessons');
    const alerts = channelNamed(home, 'mod-alerts');
    expect((await schedule(home, 'alerts', [channelOption(alerts)])).content).toContain(`✅ I will tell moderators about problems`);
    await setNow(home, lessons);

    const alert = await waitForPost(alerts);
    expect(alert.content).toContain('📭 There is no lesson left to post');
    expect(alert.content).toContain('/lesson import');
    await waitForEmptyTicks(home.id, 3);
    expect(discord.channelMessages(alerts)).toHaveLength(1);
    expect(discord.channelMessages(lessons)).toEqual([]);

    const upcoming = await schedule(home, 'upcoming', [{ name: 'days', value: 2 }]);
    expect(upcoming.embeds?.[0]?.description).toBe(
      [`\`${localDay()}\` — no lesson left: import more with \`/lesson import\``, `\`${localDay(1)}\` — no lesson left: import more with \`/lesson import\``].join('\n'),
    );
    expect((await schedule(home, 'post-now')).content).toContain('There is no lesson left to post.');
    expect(discord.channelMessages(lessons)).toEqual([]);
  });

  // ---- /lesson import ---------------------------------------------------------------------------------

  it('/lesson import of a broken export lists every problem with its line, and imports nothing', async () => {
    const broken = readFileSync(EXPORTS.cyber.file, 'utf8')
      .replace('Similar Readings (5 items)', 'Similar Readings (6 items)')
      .replace('Date: May 31, 2025', 'Date: May 32, 2025');
    const reply = await importFile(home, { filename: 'broken.txt', content: broken, optionName: 'file' });
    const [embed] = reply.embeds ?? [];
    expect(embed?.title).toBe('❌ Nothing imported: 2 problems in broken.txt');
    expect(embed?.description?.split('\n')).toEqual([
      '• broken.txt:42: Similar Readings announces 6 items, but only 5 lines come before the Summary header on line 48',
      '• broken.txt:57: Date: expected a date like "May 31, 2025" or 2025-05-31, found "May 32, 2025"',
    ]);

    await waitForEmptyTicks(home.id, 2);
    expect((await command(home, 'lesson', 'today', [], { user: LEARNER })).content).toContain('The lesson library is empty');
    expect(discord.channelMessages(channelNamed(home, 'lessons'))).toEqual([]);
  });

  it('/lesson import adds the lessons of uploaded exports and lists them; the overdue post then goes out, once', async () => {
    const first = await importFile(home, exportFile('robot'));
    expect(first.embeds?.[0]).toMatchObject({
      title: '✅ imported 1, updated 0, unchanged 0',
      description: `• ${EXPORTS.robot.title} (${EXPORTS.robot.date})`,
    });
    // The server's post was due all along: it goes out now that there is a lesson.
    const post = await waitForPost(channelNamed(home, 'lessons'));
    expect(post.embeds[0]?.title).toContain(EXPORTS.robot.title);

    for (const name of ['ferry', 'cyber', 'oaks'] as const) {
      const reply = await importFile(home, exportFile(name));
      expect(reply.embeds?.[0]?.title).toBe('✅ imported 1, updated 0, unchanged 0');
      expect(reply.embeds?.[0]?.description).toBe(`• ${EXPORTS[name].title} (${EXPORTS[name].date})`);
    }
    const again = await importFile(home, exportFile('oaks'));
    expect(again.embeds?.[0]?.title).toBe('✅ imported 0, updated 0, unchanged 1');

    const shown = await command(home, 'lesson', 'show', [{ name: 'lesson', value: EXPORTS.ferry.id }], { user: LEARNER });
    expect(shown.embeds?.[0]?.title).toContain('Ferry services between Port Ellis');

    await witnessTick();
    expect(discord.channelMessages(channelNamed(home, 'lessons'))).toHaveLength(1);
    expect(discord.channelMessages(channelNamed(home, 'mod-alerts'))).toHaveLength(1);
  });

  // ---- the moderator role -----------------------------------------------------------------------------

  it('members with the configured moderator role may use moderator commands; clearing the role takes that back', async () => {
    const editor: Sender = { user: EDITOR, member: { ...PLAIN_MEMBER, roles: [editorsRole] } };
    const plain: Sender = { user: LEARNER, member: PLAIN_MEMBER };
    const set = await schedule(home, 'moderators', [roleOption(editorsRole)]);
    expect(set.content).toContain(`✅ Members with <@&${editorsRole}> may now use moderator commands`);

    const shown = await schedule(home, 'show', [], editor);
    expect(shown.embeds?.[0]?.title).toBe('🗓️ Daily lesson');
    const lessons = [
      makeLesson({ date: '2025-12-01', title: 'Editors can add lessons too' }),
      makeLesson({ date: '2025-12-02', title: 'And more than one at a time' }),
    ];
    const imported = await importFile(home, { filename: 'editors.json', content: JSON.stringify(lessons.map(lessonToJson)), optionName: 'file' }, editor);
    expect(imported.embeds?.[0]?.title).toBe('✅ imported 2, updated 0, unchanged 0');
    expect(imported.embeds?.[0]?.description).toBe('• Editors can add lessons too (2025-12-01)\n• And more than one at a time (2025-12-02)');

    const refused = await schedule(home, 'show', [], plain);
    expect(refused.content).toBe(`Only moderators can do this: it needs the **Manage Server** permission or the <@&${editorsRole}> role.`);

    expect((await schedule(home, 'moderators')).content).toBe('✅ Only members with **Manage Server** may use moderator commands now.');
    expect((await schedule(home, 'pause', [], editor)).content).toBe('Only moderators can do this: it needs the **Manage Server** permission.');
    expect((await schedule(home, 'show')).embeds?.[0]?.fields?.find((f) => f.name === 'Status')?.value).toBe('Active');
  });

  // ---- planning -------------------------------------------------------------------------------------

  it('/schedule plan pins a lesson that wins over the queue; upcoming lists it; unplan gives the day back to the queue', async () => {
    const guild = addGuild('Planned');
    await setLater(guild, channelNamed(guild, 'lessons'));
    const pinned = await schedule(guild, 'plan', [{ name: 'lesson', value: EXPORTS.robot.id }, { name: 'date', value: localDay() }]);
    expect(pinned.content).toBe(`📌 **${EXPORTS.robot.title}** is pinned to ${localDay()}.`);
    await schedule(guild, 'plan', [{ name: 'lesson', value: EXPORTS.ferry.id }, { name: 'date', value: localDay(2) }]);

    const upcoming = await schedule(guild, 'upcoming', [{ name: 'days', value: 4 }]);
    expect(upcoming.embeds?.[0]?.title).toBe(`Next 4 days (${ZONE})`);
    expect(upcoming.embeds?.[0]?.description?.split('\n')).toEqual([
      `\`${localDay()}\` ${EXPORTS.robot.title} _(📌 pinned)_`,
      `\`${localDay(1)}\` ${EXPORTS.oaks.title} _(queue)_`,
      `\`${localDay(2)}\` ${EXPORTS.ferry.title} _(📌 pinned)_`,
      `\`${localDay(3)}\` ${EXPORTS.cyber.title} _(queue)_`,
    ]);

    expect((await schedule(guild, 'unplan', [{ name: 'date', value: localDay(2) }])).content).toContain(`${localDay(2)} has no pinned lesson any more`);
    const after = await schedule(guild, 'upcoming', [{ name: 'days', value: 4 }]);
    expect(after.embeds?.[0]?.description?.split('\n').slice(1)).toEqual([
      `\`${localDay(1)}\` ${EXPORTS.oaks.title} _(queue)_`,
      `\`${localDay(2)}\` ${EXPORTS.cyber.title} _(queue)_`,
      `\`${localDay(3)}\` ${EXPORTS.ferry.title} _(queue)_`,
    ]);
    const past = await schedule(guild, 'plan', [{ name: 'lesson', value: EXPORTS.ferry.id }, { name: 'date', value: localDay(-1) }]);
    expect(past.content).toBe(`${localDay(-1)} is in the past (today is ${localDay()} in ${ZONE}).`);
  });

  it('/schedule preview shows, privately, exactly the card that the pinned day then posts', async () => {
    const guild = addGuild('Previewed', { roles: [role({ name: 'Readers', mentionable: true })] });
    const lessons = channelNamed(guild, 'lessons');
    await setLater(guild, lessons);
    await schedule(guild, 'plan', [{ name: 'lesson', value: EXPORTS.cyber.id }, { name: 'date', value: localDay() }]);

    const preview = await schedule(guild, 'preview');
    expect(preview.content).toBe(`**Preview for ${localDay()}** (only you see this):\n📰 **Today’s lesson** is here!`);
    expect(preview.embeds?.[0]?.title).toContain(EXPORTS.cyber.title);
    const tomorrow = await schedule(guild, 'preview', [{ name: 'date', value: localDay(1) }]);
    expect(tomorrow.embeds?.[0]?.title).toContain(EXPORTS.oaks.title);

    await setNow(guild, lessons);
    const post = await waitForPost(lessons);
    expect(post.content).toBe('📰 **Today’s lesson** is here!');
    expect(post.embeds.map(({ type: _type, ...embed }) => embed)).toEqual(preview.embeds);
    expect(post.components).toEqual(preview.components);
  });

  // ---- posting now ------------------------------------------------------------------------------------

  it('/schedule post-now posts today’s lesson at once; again only with force:true; the daily tick then does not post again', async () => {
    const guild = addGuild('Posted now');
    const lessons = channelNamed(guild, 'lessons');
    expect((await schedule(guild, 'post-now')).content).toContain('This server has no daily lesson yet.');
    await setLater(guild, lessons);

    const posted = await schedule(guild, 'post-now');
    const [message] = discord.channelMessages(lessons);
    expect(posted.content).toBe(`✅ Posted: https://discord.com/channels/${guild.id}/${lessons}/${message?.id}`);
    expect(message?.embeds[0]?.title).toContain(EXPORTS.oaks.title);

    const again = await schedule(guild, 'post-now');
    expect(again.content).toBe(
      `Today’s lesson (${localDay()}) was already posted: https://discord.com/channels/${guild.id}/${lessons}/${message?.id}. Use \`force:true\` to post it again.`,
    );
    expect(discord.channelMessages(lessons)).toHaveLength(1);

    const forced = await schedule(guild, 'post-now', [{ name: 'force', value: true }]);
    expect(forced.content).toMatch(/^✅ Posted: /u);
    const messages = discord.channelMessages(lessons);
    expect(messages).toHaveLength(2);
    expect(messages[1]?.embeds).toEqual(message?.embeds);

    // A pin for a day whose lesson already went out could never be kept: it is refused.
    const latePin = await schedule(guild, 'plan', [{ name: 'lesson', value: EXPORTS.robot.id }, { name: 'date', value: localDay() }]);
    expect(latePin.content).toBe(`Today’s lesson (${localDay()}) has already been posted: pin this one to a later day.`);

    // Today's post is done: moving the time to now does not make the timer post a third time.
    await setNow(guild, lessons, 'done today');
    await witnessTick();
    expect(discord.channelMessages(lessons)).toHaveLength(2);
    const fields = Object.fromEntries((await schedule(guild, 'show')).embeds?.[0]?.fields?.map((f) => [f.name, f.value]) ?? []);
    expect(fields['Next post']).toContain(`${localDay(1)} `);
  });

  it('talked only to the stand-in’s known routes', () => {
    expect(discord.unexpectedRequests()).toEqual([]);
    expect(discord.problems).toEqual([]);
  });
});
