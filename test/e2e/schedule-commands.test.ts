import { readFileSync } from 'node:fs';
import { ChannelType, MessageFlags } from 'discord.js';
import { DateTime } from 'luxon';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { lessonToJson } from '../../src/domain/lesson-parser/index.js';
import { botDatabaseKinds } from '../support/bot-process.js';
import { AS_MODERATOR, expectOnlyKnownRoutes, lessonUpload, startBotScene, startBotScenes, type BotScene, type Data, type Sender } from '../support/bot-scene.js';
import { role, textChannel, type CommandOptionInit, type MemberInit, type UserInit } from '../support/discord-stand-in/index.js';
import { makeLesson } from '../support/lessons.js';
import { channelOption, LEARNER, localDay, namedLocalDay, POST_TIMEOUT_MS, roleOption, upcomingDay, ZONE } from '../support/schedule-scenarios.js';

/*
 * Moderator commands end to end: the real bot process against the Discord stand-in and a real database;
 * lessons arrive through `/lesson import`, as moderators add them. The library is global, so tests that need
 * it empty share a bot whose library no test fills, tests of a full library share one imported before any
 * test, and the test that fills an empty library has a bot of its own. Each test works in servers of its
 * own: none depends on another's order or presence.
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

const exportFile = (name: keyof typeof EXPORTS) => lessonUpload(EXPORTS[name].file);

/** Ticks that found no lesson for the server: looked up (the first), or passed over as still without one. */
const noLessonLogs = (scene: BotScene, guildId: string) =>
  scene.bot
    .logLines()
    .filter(
      (line) =>
        (line.msg === 'no lesson left to post' && line.guildId === guildId) ||
        (line.msg === 'servers with no lesson left passed over' && Array.isArray(line.guildIds) && line.guildIds.includes(guildId)),
    ).length;

/** Waits until the delivery timer has found nothing for a server `more` more times. */
async function waitForEmptyTicks(scene: BotScene, guildId: string, more: number): Promise<void> {
  const target = noLessonLogs(scene, guildId) + more;
  await scene.bot.waitForLog(() => noLessonLogs(scene, guildId) >= target, POST_TIMEOUT_MS);
}

describe.each(botDatabaseKinds())('moderator commands on %s', (kind) => {
  /** No test adds a lesson to this one's library. */
  let empty: BotScene;
  /** The four fixture exports; tests add only lessons dated after all of them, which no other test's queue reaches. */
  let stocked: BotScene;

  beforeAll(async () => {
    [empty, stocked] = await startBotScenes(startBotScene(kind), startBotScene(kind, { lessons: Object.values(EXPORTS).map((e) => e.file) }));
  }, 180_000);

  afterEach(async () => {
    for (const scene of [empty, stocked]) {
      if (!scene) return; // beforeAll failed: that is the error to see
      expectOnlyKnownRoutes(scene);
      await scene.ensureRunning();
    }
  });

  afterAll(async () => {
    // SIGTERM: each bot shuts down cleanly.
    const codes = await Promise.all([empty, stocked].map((scene) => scene?.close()));
    expect(codes).toEqual([0, 0]);
  });

  // ---- who may use them ---------------------------------------------------------------------------

  it('moderator commands are refused to a plain member, privately, and change nothing', async () => {
    const home = empty.addGuild('Home', { roles: [role({ name: 'Editors' })] });
    const editorsRole = home.roles.find((r) => r.name === 'Editors')!.id;
    const plain: Sender = { user: LEARNER, member: PLAIN_MEMBER };
    const refusal = 'Only moderators can do this: it needs the **Manage Server** permission.';
    const lessons = empty.channelNamed(home, 'lessons');
    const attempts = [
      ['set', [channelOption(lessons), { name: 'time', value: '07:30' }, { name: 'timezone', value: ZONE }]],
      ['alerts', [channelOption(empty.channelNamed(home, 'mod-alerts'))]],
      ['moderators', [roleOption(editorsRole)]],
      ['post-now', []],
      ['show', []],
    ] as const;
    for (const [subcommand, options] of attempts) {
      expect((await empty.schedule(home, subcommand, [...options], plain)).content).toBe(refusal);
    }
    expect((await empty.importFile(home, exportFile('robot'), plain)).content).toBe(refusal);

    // Nothing changed: no schedule, no lesson, and no moderator role (the refusal of `show`, sent after
    // `moderators`, would name it).
    expect((await empty.schedule(home, 'show')).content).toContain('This server has no daily lesson yet.');
    const today = await empty.command(home, 'lesson', 'today', [], { user: LEARNER });
    expect(today.content).toContain('The lesson library is empty');
    expect(empty.discord.channelMessages(lessons)).toEqual([]);
  });

  it("a channel of another server the bot is in, named in a forged /schedule set or alerts, is refused and nothing is saved", async () => {
    const home = empty.addGuild('Forged home');
    const other = empty.addGuild('Forged other');
    const elsewhere = empty.channelNamed(other, 'lessons');
    // Discord resolves a channel option within the server it was used in; a forged one names another server's channel.
    const forged = (subcommand: string, options: CommandOptionInit[]) =>
      empty.discord
        .sendCommand({
          name: 'schedule',
          subcommand,
          guildId: home.id,
          options,
          resolved: { channels: { [elsewhere]: { id: elsewhere, name: 'lessons', type: ChannelType.GuildText, permissions: '0' } } },
          ...AS_MODERATOR,
        })
        .waitForFinal();
    const set = (await forged('set', [channelOption(elsewhere), { name: 'time', value: '07:30' }, { name: 'timezone', value: ZONE }])).data as Data;
    expect(set.content).toBe(`<#${elsewhere}> is not a channel of this server.`);
    expect(((await forged('alerts', [channelOption(elsewhere)])).data as Data).content).toBe(`<#${elsewhere}> is not a channel of this server.`);
    expect((await empty.schedule(home, 'show')).content).toContain('This server has no daily lesson yet.');
    expect(empty.discord.channelMessages(elsewhere)).toEqual([]);
  });

  // ---- an empty library -----------------------------------------------------------------------------

  it('with no lesson left, nothing is posted and the alerts channel is told once, not every tick', async () => {
    const home = empty.addGuild('Nothing left');
    const lessons = empty.channelNamed(home, 'lessons');
    const alerts = empty.channelNamed(home, 'mod-alerts');
    expect((await empty.schedule(home, 'alerts', [channelOption(alerts)])).content).toContain(`✅ I will tell moderators about problems`);
    await empty.setNow(home, lessons);

    const alert = await empty.waitForPost(alerts);
    expect(alert.content).toContain('📭 There is no lesson left to post');
    expect(alert.content).toContain('/lesson import');
    await waitForEmptyTicks(empty, home.id, 3);
    expect(empty.discord.channelMessages(alerts)).toHaveLength(1);
    expect(empty.discord.channelMessages(lessons)).toEqual([]);

    const upcoming = await empty.schedule(home, 'upcoming', [{ name: 'days', value: 2 }]);
    expect(upcoming.embeds?.[0]?.description).toBe(
      [`${upcomingDay()}no lesson left: import more with \`/lesson import\``, `${upcomingDay(1)}no lesson left: import more with \`/lesson import\``].join('\n'),
    );
    expect((await empty.schedule(home, 'post-now')).content).toContain('There is no lesson left to post.');
    expect(empty.discord.channelMessages(lessons)).toEqual([]);
  });

  it('/schedule set and resume with no lesson left say so, as show does: not "Next post" at its time', async () => {
    const home = empty.addGuild('Nothing left to set');
    const lessons = empty.channelNamed(home, 'lessons');
    const noLesson = `📭 No lesson left to post on ${localDay()}: import more with \`/lesson import\`, or pin one with \`/schedule plan\`.`;
    const set = await empty.setLater(home, lessons);
    // Until 2026-12-08: "Next post: <time> (in 3 hours)", as if a lesson would go out.
    expect(set.content?.split('\n')).toEqual([expect.stringMatching(new RegExp(`^✅ Daily lesson: <#${lessons}> at \\*\\*`, 'u')), noLesson]);
    await empty.schedule(home, 'pause');
    expect((await empty.schedule(home, 'resume')).content).toBe(`▶️ Daily lessons resumed.\n${noLesson}`);
  });

  it('/schedule show with no lesson left, and no alerts channel to tell, says so: not "Healthy" with its next post "now"', async () => {
    const home = empty.addGuild('Nothing left, nobody told');
    const lessons = empty.channelNamed(home, 'lessons');
    await empty.setNow(home, lessons);
    await waitForEmptyTicks(empty, home.id, 2);
    const fields = Object.fromEntries((await empty.schedule(home, 'show')).embeds?.[0]?.fields?.map((f) => [f.name, f.value]) ?? []);
    expect(fields['Next post']).toBe('None: there is no lesson left to post (see Health)');
    expect(fields['Health']).toBe(`📭 No lesson left to post on ${localDay()}: import more with \`/lesson import\`, or pin one with \`/schedule plan\`.`);
    expect(empty.discord.channelMessages(lessons)).toEqual([]);
  });

  // ---- /lesson import ---------------------------------------------------------------------------------

  it('/lesson import of a broken export lists every problem with its line, and imports nothing', async () => {
    // A server whose post is due: had the import added a lesson, the next ticks would post it.
    const home = empty.addGuild('Broken import');
    await empty.setNow(home, empty.channelNamed(home, 'lessons'));
    const broken = readFileSync(EXPORTS.cyber.file, 'utf8')
      .replace('Similar Readings (5 items)', 'Similar Readings (6 items)')
      .replace('Date: May 31, 2025', 'Date: May 32, 2025');
    const reply = await empty.importFile(home, { filename: 'broken.txt', content: broken, optionName: 'file' });
    const [embed] = reply.embeds ?? [];
    expect(embed?.title).toBe('❌ Nothing imported: 2 problems in broken.txt');
    expect(embed?.description?.split('\n')).toEqual([
      '• broken.txt:42: Similar Readings announces 6 items, but only 5 lines come before the Summary header on line 48',
      '• broken.txt:57: Date: expected a date like "May 31, 2025" or 2025-05-31, found "May 32, 2025"',
    ]);

    await waitForEmptyTicks(empty, home.id, 2);
    expect((await empty.command(home, 'lesson', 'today', [], { user: LEARNER })).content).toContain('The lesson library is empty');
    expect(empty.discord.channelMessages(empty.channelNamed(home, 'lessons'))).toEqual([]);
  });

  it('/lesson import adds the lessons of uploaded exports and lists them; the overdue post then goes out, once', async () => {
    // A bot of its own (this test fills its library), and a server whose post is overdue: the timer has
    // found nothing to post.
    const scene = await startBotScene(kind);
    try {
      const home = scene.addGuild('Home');
      const lessons = scene.channelNamed(home, 'lessons');
      const alerts = scene.channelNamed(home, 'mod-alerts');
      await scene.schedule(home, 'alerts', [channelOption(alerts)]);
      await scene.setNow(home, lessons);
      expect((await scene.waitForPost(alerts)).content).toContain('📭 There is no lesson left to post');

      const first = await scene.importFile(home, exportFile('robot'));
      expect(first.embeds?.[0]).toMatchObject({
        title: '✅ imported 1, updated 0, unchanged 0',
        description: `• ${EXPORTS.robot.title} (${EXPORTS.robot.date})`,
      });
      // The server's post was due all along: it goes out now that there is a lesson.
      const post = await scene.waitForPost(lessons);
      expect(post.embeds[0]?.title).toContain(EXPORTS.robot.title);

      for (const name of ['ferry', 'cyber', 'oaks'] as const) {
        const reply = await scene.importFile(home, exportFile(name));
        expect(reply.embeds?.[0]?.title).toBe('✅ imported 1, updated 0, unchanged 0');
        expect(reply.embeds?.[0]?.description).toBe(`• ${EXPORTS[name].title} (${EXPORTS[name].date})`);
      }
      const again = await scene.importFile(home, exportFile('oaks'));
      expect(again.embeds?.[0]?.title).toBe('✅ imported 0, updated 0, unchanged 1');

      const shown = await scene.command(home, 'lesson', 'show', [{ name: 'lesson', value: EXPORTS.ferry.id }], { user: LEARNER });
      expect(shown.embeds?.[0]?.title).toContain('Ferry services between Port Ellis');

      await scene.witnessTick();
      expect(scene.discord.channelMessages(lessons)).toHaveLength(1);
      expect(scene.discord.channelMessages(alerts)).toHaveLength(1);
      expectOnlyKnownRoutes(scene);
      expect(await scene.bot.stop()).toBe(0);
    } finally {
      await scene.close();
    }
  }, 120_000);

  // ---- the moderator role -----------------------------------------------------------------------------

  it('members with the configured moderator role may use moderator commands; clearing the role takes that back', async () => {
    const home = stocked.addGuild('Editors', { roles: [role({ name: 'Editors' })] });
    const editorsRole = home.roles.find((r) => r.name === 'Editors')!.id;
    await stocked.setLater(home, stocked.channelNamed(home, 'lessons'));
    const editor: Sender = { user: EDITOR, member: { ...PLAIN_MEMBER, roles: [editorsRole] } };
    const plain: Sender = { user: LEARNER, member: PLAIN_MEMBER };
    const set = await stocked.schedule(home, 'moderators', [roleOption(editorsRole)]);
    expect(set.content).toContain(`✅ Members with <@&${editorsRole}> may now use moderator commands`);

    const shown = await stocked.schedule(home, 'show', [], editor);
    expect(shown.embeds?.[0]?.title).toBe('🗓️ Daily lesson');
    // Who moderates is for members with Manage Server: a moderator by the role can neither clear nor move it.
    const managersOnly = 'Only members with the **Manage Server** permission choose who moderates: the moderator role cannot change itself.';
    expect((await stocked.schedule(home, 'moderators', [], editor)).content).toBe(managersOnly);
    expect((await stocked.schedule(home, 'moderators', [roleOption(editorsRole)], editor)).content).toBe(managersOnly);
    expect((await stocked.schedule(home, 'show', [], editor)).embeds?.[0]?.title).toBe('🗓️ Daily lesson');
    // A new process knows the role from the database, before the server arrives (discord.js keeps only the roles
    // it is told of: kept-roles.ts).
    expect(await stocked.bot.stop()).toBe(0);
    await stocked.ensureRunning();
    expect((await stocked.schedule(home, 'show', [], editor)).embeds?.[0]?.title).toBe('🗓️ Daily lesson');
    // Dated after every lesson of the library: no other test's queue reaches them.
    const lessons = [
      makeLesson({ date: '2025-12-01', title: 'Editors can add lessons too' }),
      makeLesson({ date: '2025-12-02', title: 'And more than one at a time' }),
    ];
    const imported = await stocked.importFile(home, { filename: 'editors.json', content: JSON.stringify(lessons.map(lessonToJson)), optionName: 'file' }, editor);
    expect(imported.embeds?.[0]?.title).toBe('✅ imported 2, updated 0, unchanged 0');
    expect(imported.embeds?.[0]?.description).toBe('• Editors can add lessons too (2025-12-01)\n• And more than one at a time (2025-12-02)');

    const refused = await stocked.schedule(home, 'show', [], plain);
    expect(refused.content).toBe(`Only moderators can do this: it needs the **Manage Server** permission or the <@&${editorsRole}> role.`);

    // @everyone (the server's id) would make every member a moderator: refused, and the role set stays.
    const everyone = await stocked.schedule(home, 'moderators', [roleOption(home.id)]);
    expect(everyone.content).toBe('@everyone is every member of the server, so it cannot be the moderator role. Pick a role only moderators have.');
    expect((await stocked.schedule(home, 'show', [], plain)).content).toBe(refused.content);
    expect((await stocked.schedule(home, 'moderators')).content).toBe('✅ Only members with **Manage Server** may use moderator commands now.');
    expect((await stocked.schedule(home, 'pause', [], editor)).content).toBe('Only moderators can do this: it needs the **Manage Server** permission.');
    expect((await stocked.schedule(home, 'show')).embeds?.[0]?.fields?.find((f) => f.name === 'Status')?.value).toBe('Active');
  });

  // ---- planning -------------------------------------------------------------------------------------

  it('/schedule plan pins a lesson that wins over the queue; upcoming lists it; unplan gives the day back to the queue', async () => {
    const guild = stocked.addGuild('Planned');
    await stocked.setLater(guild, stocked.channelNamed(guild, 'lessons'));
    const pinned = await stocked.schedule(guild, 'plan', [{ name: 'lesson', value: EXPORTS.robot.id }, { name: 'date', value: localDay() }]);
    expect(pinned.content).toBe(`📌 **${EXPORTS.robot.title}** is pinned to ${namedLocalDay()}.`);
    await stocked.schedule(guild, 'plan', [{ name: 'lesson', value: EXPORTS.ferry.id }, { name: 'date', value: localDay(2) }]);

    const upcoming = await stocked.schedule(guild, 'upcoming', [{ name: 'days', value: 4 }]);
    expect(upcoming.embeds?.[0]?.title).toBe(`Next 4 days (${ZONE})`);
    expect(upcoming.embeds?.[0]?.description?.split('\n')).toEqual([
      `${upcomingDay()}${EXPORTS.robot.title} _(📌 pinned)_`,
      `${upcomingDay(1)}${EXPORTS.oaks.title} _(queue)_`,
      `${upcomingDay(2)}${EXPORTS.ferry.title} _(📌 pinned)_`,
      `${upcomingDay(3)}${EXPORTS.cyber.title} _(queue)_`,
    ]);

    expect((await stocked.schedule(guild, 'unplan', [{ name: 'date', value: localDay(2) }])).content).toContain(`${namedLocalDay(2)} has no pinned lesson any more`);
    const after = await stocked.schedule(guild, 'upcoming', [{ name: 'days', value: 4 }]);
    expect(after.embeds?.[0]?.description?.split('\n').slice(1)).toEqual([
      `${upcomingDay(1)}${EXPORTS.oaks.title} _(queue)_`,
      `${upcomingDay(2)}${EXPORTS.cyber.title} _(queue)_`,
      `${upcomingDay(3)}${EXPORTS.ferry.title} _(queue)_`,
    ]);
    const past = await stocked.schedule(guild, 'plan', [{ name: 'lesson', value: EXPORTS.ferry.id }, { name: 'date', value: localDay(-1) }]);
    expect(past.content).toBe(`${localDay(-1)} is in the past (today is ${localDay()} in ${ZONE}).`);
  });

  it('/help tells a member where and when this server’s lesson is posted, and that it is paused; before a schedule, who sets one', async () => {
    const guild = stocked.addGuild('Helped');
    const lessons = stocked.channelNamed(guild, 'lessons');
    const plain: Sender = { user: LEARNER, member: PLAIN_MEMBER };
    const intro = async () => (await stocked.command(guild, 'help', '', [], plain)).embeds?.[0]?.description?.split('\n\n').at(-1);
    expect(await intro()).toBe('📅 No daily lesson is scheduled in this server yet: moderators set one with `/schedule set`.');
    const set = await stocked.setLater(guild, lessons);
    const time = /at \*\*(\d\d:\d\d)\*\*/u.exec(set.content ?? '')?.[1];
    const next = /Next post: <t:(\d+):F>/u.exec(set.content ?? '')?.[1];
    expect(await intro()).toBe(`📅 In this server the lesson is posted in <#${lessons}> at **${time}** (${ZONE}) every day; the next one <t:${next}:R>.`);
    await stocked.schedule(guild, 'pause');
    expect(await intro()).toBe(`⏸️ This server’s daily lesson (<#${lessons}> at **${time}** (${ZONE})) is paused.`);
  });

  it('/schedule set on a paused schedule names no next post: it says nothing is posted until resumed', async () => {
    const guild = stocked.addGuild('Paused and moved');
    const lessons = stocked.channelNamed(guild, 'lessons');
    expect((await stocked.setLater(guild, lessons)).content).toMatch(/\nNext post: <t:\d+:F>/u);
    await stocked.schedule(guild, 'pause');
    const moved = await stocked.schedule(guild, 'set', [channelOption(lessons), { name: 'time', value: '23:59' }, { name: 'timezone', value: ZONE }]);
    // Until 2026-12-07: "Next post: <time> (in 5 hours)", then that the schedule was paused.
    expect(moved.content).toBe(
      `✅ Daily lesson: <#${lessons}> at **23:59** (${ZONE}).\n⏸️ The schedule is paused, so nothing is posted: \`/schedule resume\` to start posting.`,
    );
    expect(await stocked.schedule(guild, 'show')).toMatchObject({ embeds: [expect.objectContaining({ title: '⏸️ Daily lesson (paused)' })] });
  });

  it('the date options suggest the days of the server’s calendar as the moderator types, and take today and tomorrow', async () => {
    // A zone whose date is not UTC's at this instant (one of the two always is), so the server's calendar shows.
    const zone = ['Pacific/Kiritimati', 'Pacific/Pago_Pago'].find((z) => DateTime.now().setZone(z).toISODate() !== DateTime.utc().toISODate())!;
    const day = (plus = 0) => DateTime.now().setZone(zone).plus({ days: plus }).toISODate()!;
    const weekday = (plus = 0) => DateTime.now().setZone(zone).plus({ days: plus }).setLocale('en').toFormat('cccc');
    const guild = stocked.addGuild('Calendar');
    const set = await stocked.schedule(guild, 'set', [channelOption(stocked.channelNamed(guild, 'lessons')), { name: 'time', value: '12:00' }, { name: 'timezone', value: zone }]);
    expect(set.content).toContain(`(${zone})`);
    const suggest = async (subcommand: string, typed: string) => {
      const options = [...(subcommand === 'plan' ? [{ name: 'lesson', value: '' }] : []), { name: 'date', value: typed, focused: true }];
      const answer = await stocked.discord.sendAutocomplete({ name: 'schedule', subcommand, guildId: guild.id, options }).waitForFinal();
      return (answer.data as { choices?: { name: string; value: string }[] }).choices ?? [];
    };

    const next = await suggest('plan', '');
    expect(next).toHaveLength(25);
    expect(next[0]).toEqual({ name: expect.stringMatching(new RegExp(`^${day()} · [A-Z][a-z]+day \\d+ [A-Z][a-z]+ · today$`, 'u')), value: day() });
    expect(next[1]?.value).toBe(day(1));
    expect((await suggest('unplan', 'tom')).map((c) => c.value)).toEqual([day(1)]);
    expect((await suggest('preview', weekday(3).slice(0, 3).toLowerCase()))[0]?.value).toBe(day(3));
    expect(await suggest('plan', 'no such day')).toEqual([]);

    const pinned = await stocked.schedule(guild, 'plan', [{ name: 'lesson', value: EXPORTS.robot.id }, { name: 'date', value: 'Tomorrow' }]);
    expect(pinned.content).toBe(`📌 **${EXPORTS.robot.title}** is pinned to ${day(1)} (${weekday(1)}).`);
    expect((await stocked.schedule(guild, 'unplan', [{ name: 'date', value: 'tomorrow' }])).content).toContain(`${day(1)} (${weekday(1)}) has no pinned lesson any more`);
    const typo = await stocked.schedule(guild, 'unplan', [{ name: 'date', value: 'someday' }]);
    expect(typo.content).toBe(`"someday" is not a date: use YYYY-MM-DD, for example ${day()}.`);
  });

  it('/schedule preview shows, privately, exactly the card that the pinned day then posts', async () => {
    const guild = stocked.addGuild('Previewed', { roles: [role({ name: 'Readers', mentionable: true })] });
    const lessons = stocked.channelNamed(guild, 'lessons');
    await stocked.setLater(guild, lessons);
    await stocked.schedule(guild, 'plan', [{ name: 'lesson', value: EXPORTS.cyber.id }, { name: 'date', value: localDay() }]);

    const preview = await stocked.schedule(guild, 'preview');
    expect(preview.content).toBe(`**Preview for ${namedLocalDay()}** (only you see this):\n📰 **Today’s lesson** is here!`);
    expect(preview.embeds?.[0]?.title).toContain(EXPORTS.cyber.title);
    const tomorrow = await stocked.schedule(guild, 'preview', [{ name: 'date', value: localDay(1) }]);
    expect(tomorrow.embeds?.[0]?.title).toContain(EXPORTS.oaks.title);

    await stocked.setNow(guild, lessons);
    const post = await stocked.waitForPost(lessons);
    expect(post.content).toBe('📰 **Today’s lesson** is here!');
    expect(post.embeds.map(({ type: _type, ...embed }) => embed)).toEqual(preview.embeds);
    expect(post.components).toEqual(preview.components);
  });

  // ---- posting now ------------------------------------------------------------------------------------

  it('/schedule post-now posts today’s lesson at once; again only with force:true; the daily tick then does not post again', async () => {
    const guild = stocked.addGuild('Posted now');
    const lessons = stocked.channelNamed(guild, 'lessons');
    expect((await stocked.schedule(guild, 'post-now')).content).toContain('This server has no daily lesson yet.');
    await stocked.setLater(guild, lessons);

    const posted = await stocked.schedule(guild, 'post-now');
    const [message] = stocked.discord.channelMessages(lessons);
    expect(posted.content).toBe(`✅ Posted: https://discord.com/channels/${guild.id}/${lessons}/${message?.id}`);
    expect(message?.embeds[0]?.title).toContain(EXPORTS.oaks.title);

    const again = await stocked.schedule(guild, 'post-now');
    expect(again.content).toBe(
      `Today’s lesson (${localDay()}) was already posted: https://discord.com/channels/${guild.id}/${lessons}/${message?.id}. Use \`force:true\` to post it again.`,
    );
    expect(stocked.discord.channelMessages(lessons)).toHaveLength(1);

    const forced = await stocked.schedule(guild, 'post-now', [{ name: 'force', value: true }]);
    expect(forced.content).toMatch(/^✅ Posted: /u);
    const messages = stocked.discord.channelMessages(lessons);
    expect(messages).toHaveLength(2);
    expect(messages[1]?.embeds).toEqual(message?.embeds);
    // A text channel's post has nobody to be published to.
    expect(stocked.discord.requests.filter((r) => r.path.startsWith(`/channels/${lessons}/`) && r.path.endsWith('/crosspost'))).toEqual([]);

    // A pin for a day whose lesson already went out could never be kept: it is refused.
    const latePin = await stocked.schedule(guild, 'plan', [{ name: 'lesson', value: EXPORTS.robot.id }, { name: 'date', value: localDay() }]);
    expect(latePin.content).toBe(`Today’s lesson (${localDay()}) has already been posted: pin this one to a later day.`);

    // Today's post is done: moving the time to now does not make the timer post a third time.
    await stocked.setNow(guild, lessons, { when: 'done today' });
    await stocked.witnessTick();
    expect(stocked.discord.channelMessages(lessons)).toHaveLength(2);
    const fields = Object.fromEntries((await stocked.schedule(guild, 'show')).embeds?.[0]?.fields?.map((f) => [f.name, f.value]) ?? []);
    expect(fields['Next post']).toContain(`${localDay(1)} `);
  });

  it('in an announcement channel each post is published, so the servers that follow the channel get the lesson too', async () => {
    const guild = stocked.addGuild('Announcements', { channels: [{ type: ChannelType.GuildAnnouncement, name: 'lessons' }, textChannel({ name: 'mod-alerts' })] });
    const news = stocked.channelNamed(guild, 'lessons');
    await stocked.setLater(guild, news);
    expect((await stocked.schedule(guild, 'post-now')).content).toMatch(/^✅ Posted: /u);
    const [message] = stocked.discord.channelMessages(news);
    // Published once recorded (Discord: POST /channels/{channel}/messages/{message}/crosspost).
    await expect.poll(() => stocked.discord.channelMessages(news)[0]?.flags ?? 0, { timeout: POST_TIMEOUT_MS }).toBe(MessageFlags.Crossposted);
    const published = stocked.discord.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/crosspost'));
    expect(published.map((r) => r.path)).toEqual([`/channels/${news}/messages/${message?.id}/crosspost`]);
    expect(published[0]?.status).toBe(200);
  });
});
