import type { APIMessage } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeCustomId, type MessageData } from '../../src/domain/discord-format/index.js';
import { decodeVocabularyId } from '../../src/domain/vocabulary/custom-id.js';
import { botDatabaseKinds, createBotDatabase, startBotProcess, type BotDatabase, type BotProcess } from '../support/bot-process.js';
import {
  deny,
  role,
  startDiscordStandIn,
  textChannel,
  type CommandOptionInit,
  type DiscordStandIn,
  type GuildInit,
  type InteractionResponseEvent,
  type RecordedRequest,
  type StandInGuild,
} from '../support/discord-stand-in/index.js';
import { runScript } from '../support/run-cli.js';
import { channelOption, EPHEMERAL, LEARNER, localNow, MODERATOR, MODERATOR_MEMBER, POST_TIMEOUT_MS, roleOption, setScheduleLater, setScheduleNow, sleep, TICK_ENV, ZONE } from '../support/schedule-scenarios.js';

/*
 * Daily delivery end to end: the real bot process (as `npm start` runs it) ticking every second against
 * the Discord stand-in and a real database. Scenarios use their own servers, so one bot serves them all.
 */


/** The fixture lessons by article date: the backlog plays them earliest first. */
const EARLIEST = { id: '9d1c2b3a-4e5f-4a6b-8c7d-0e1f2a3b4c5d', title: 'Volunteers planted 1,200 oak saplings' };
const SECOND = 'The defense chiefs of Japan and the United States have agreed to strengthen cooperation in cyberspace.';
const THIRD = 'Ferry services between Port Ellis and Gull Island resumed on Monday after a two-month break.';
/** The latest by article date: imported first, alone, before the bot starts. */
const LATEST = { file: 'test/fixtures/lessons/ken-yuki-library-robot.txt', title: 'City library lends a robot that reads picture books aloud' };


type Data = InteractionResponseEvent['data'] & MessageData & { flags?: number };


function fieldsOf(data: Data): Record<string, string> {
  return Object.fromEntries((data.embeds?.[0]?.fields ?? []).map((f) => [f.name, f.value]));
}

/** The lesson a card button opens: the lesson buttons' ids, or the vocabulary and quiz buttons'. */
function lessonIdOf(customId: string): string | undefined {
  const button = decodeCustomId(customId) ?? decodeVocabularyId(customId);
  return button && 'lessonId' in button ? button.lessonId : undefined;
}

function buttonsOf(message: { components?: unknown[] }): { label?: string; custom_id?: string }[] {
  return ((message.components ?? []) as { components: { label?: string; custom_id?: string }[] }[]).flatMap((row) => row.components);
}

describe.each(botDatabaseKinds())('daily delivery on %s', (kind) => {
  let discord: DiscordStandIn;
  let database: BotDatabase;
  let env: Record<string, string>;
  let bot: BotProcess;
  const others: BotProcess[] = [];
  let witnesses = 0;

  beforeAll(async () => {
    discord = await startDiscordStandIn();
    database = await createBotDatabase(kind);
    env = { ...database.env, ...TICK_ENV, DISCORD_API_URL: discord.apiUrl, DISCORD_TOKEN: 'test-token' };
    // Before the bot starts: PGlite allows one process at a time. The other three come with the restart test.
    const imported = await runScript('src/cli/lessons.ts', ['import', LATEST.file], env);
    expect(imported.stdout.trim()).toBe('imported 1, updated 0, unchanged 0');
    bot = await startBotProcess(env);
  });

  afterAll(async () => {
    for (const other of others) await other.stop();
    await bot?.stop();
    await discord?.close();
    await database?.dispose();
  });

  // ---- helpers over the shared stand-in and bot ---------------------------------------------------

  function addGuild(name: string, init: GuildInit = {}): StandInGuild {
    return discord.addGuild({ name, channels: [textChannel({ name: 'lessons' }), textChannel({ name: 'mod-alerts' })], ...init });
  }

  const channelNamed = (guild: StandInGuild, name: string) => guild.channels.find((c) => c.name === name)!.id;

  async function schedule(guild: StandInGuild, subcommand: string, options: CommandOptionInit[] = []): Promise<Data> {
    const handle = discord.sendCommand({ name: 'schedule', subcommand, guildId: guild.id, options, user: MODERATOR, member: MODERATOR_MEMBER });
    const data = (await handle.waitForFinal(10_000)).data as Data;
    // Private from the first callback on: a reply, or a deferral that the answer then fills in.
    expect((await handle.waitForResponse()).data.flags! & EPHEMERAL).toBe(EPHEMERAL);
    return data;
  }



  const setNow = (guild: StandInGuild, channelId: string, extra: CommandOptionInit[] = []) =>
    setScheduleNow(schedule, guild, channelId, { extra });
  const setLater = (guild: StandInGuild, channelId: string) => setScheduleLater(schedule, guild, channelId);

  const postsTo = (channelId: string): RecordedRequest[] =>
    discord.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${channelId}/messages`);

  const waitForPost = (channelId: string): Promise<APIMessage> => discord.waitForChannelMessage(channelId, POST_TIMEOUT_MS);

  /**
   * Proof that the delivery timer ran after this point: a new server scheduled now gets its post. Every
   * tick asks for all due servers at once, so a server wrongly due would have been posted by then too.
   */
  async function witnessTick(): Promise<void> {
    const guild = addGuild(`Witness ${++witnesses}`);
    const channelId = channelNamed(guild, 'lessons');
    await setNow(guild, channelId);
    await waitForPost(channelId);
  }

  // ---- crashes and restarts ------------------------------------------------------------------------
  // The library holds one lesson until the restart test: each server's claimed lesson is its last one.

  describe('after a crash or a restart', () => {
    let lost: StandInGuild;
    let answered: StandInGuild;

    it('a crash between claim and send neither loses nor doubles the post, whether the request or only its answer was lost; hung posts hold up no other server', async () => {
      // One server's post never reaches Discord's store; the other's is stored but the answer never comes back.
      lost = addGuild('Lost request');
      answered = addGuild('Lost answer');
      const lostChannel = channelNamed(lost, 'lessons');
      const answeredChannel = channelNamed(answered, 'lessons');
      for (const guild of [lost, answered]) await schedule(guild, 'alerts', [channelOption(channelNamed(guild, 'mod-alerts'))]);
      discord.failNext({ method: 'POST', path: `/channels/${lostChannel}/messages` }, { hang: true });
      discord.failNext({ method: 'POST', path: `/channels/${answeredChannel}/messages` }, { hang: true, handled: true });
      await setNow(lost, lostChannel);
      await setNow(answered, answeredChannel);
      await discord.waitFor((r) => r.hung && r.path === `/channels/${lostChannel}/messages`, POST_TIMEOUT_MS);
      await discord.waitFor((r) => r.hung && r.path === `/channels/${answeredChannel}/messages`, POST_TIMEOUT_MS);
      expect(discord.channelMessages(lostChannel)).toHaveLength(0);
      expect(discord.channelMessages(answeredChannel)).toHaveLength(1);

      // Meanwhile other servers get their posts: the hung ones (not yet timed out and retried) hold up nobody.
      await witnessTick();
      expect(postsTo(lostChannel)).toHaveLength(1);
      expect(postsTo(answeredChannel)).toHaveLength(1);

      // Both posts are claimed and in flight: the process dies before it can record anything.
      await bot.kill();
      bot = await startBotProcess(env);

      // Once the dead process's lease runs out, the new one takes the claims over and sends again, same nonce.
      const [sent] = await Promise.all([
        waitForPost(lostChannel),
        bot.waitForLog((line) => line.msg === 'lesson posted' && line.guildId === answered.id, POST_TIMEOUT_MS),
      ]);
      await witnessTick();

      expect(discord.channelMessages(lostChannel)).toEqual([sent]);
      expect(sent.embeds[0]?.title).toBe(LATEST.title);
      const lostPosts = postsTo(lostChannel);
      expect(lostPosts.map((r) => r.status)).toEqual([0, 200]);
      expect(lostPosts[1]?.body).toMatchObject({ nonce: (lostPosts[0]?.body as { nonce: string }).nonce, enforce_nonce: true });

      const [stored] = discord.channelMessages(answeredChannel);
      expect(discord.channelMessages(answeredChannel)).toHaveLength(1);
      const answeredPosts = postsTo(answeredChannel);
      expect(answeredPosts.map((r) => [r.hung, r.status])).toEqual([[true, 200], [false, 200]]);
      expect(answeredPosts[1]?.body).toMatchObject({ nonce: (answeredPosts[0]?.body as { nonce: string }).nonce, enforce_nonce: true });

      for (const [guild, channelId, message] of [[lost, lostChannel, sent], [answered, answeredChannel, stored]] as const) {
        // Each server's record names the one message in its channel…
        expect(fieldsOf(await schedule(guild, 'show'))['Last post']).toContain(`in <#${channelId}> (message ${message!.id})`);
        // …and nobody was told the library had run dry: the claimed lesson was still to be posted.
        expect(discord.channelMessages(channelNamed(guild, 'mod-alerts'))).toEqual([]);
      }
    });

    it('a post that fell due while the bot was down goes out when it starts; one already posted is not posted again', async () => {
      const late = addGuild('Down at post time');
      const lateChannel = channelNamed(late, 'lessons');
      // The next minute, if the bot can surely be stopped before it starts (the wait overlaps the downtime).
      const postAt = localNow().plus({ minutes: localNow().second < 55 ? 1 : 2 }).startOf('minute');
      const set = await schedule(late, 'set', [channelOption(lateChannel), { name: 'time', value: postAt.toFormat('HH:mm') }, { name: 'timezone', value: ZONE }]);
      expect(set.content).toContain(`Next post: <t:${postAt.toSeconds()}:F>`);
      expect(await bot.stop()).toBe(0);
      expect(postsTo(lateChannel)).toEqual([]);

      // While it is down: more lessons, and the post time passes.
      const imported = await runScript('src/cli/lessons.ts', ['import', 'examples/lessons', 'test/fixtures/lessons'], env);
      expect(imported.stdout.trim()).toBe('imported 3, updated 0, unchanged 1');
      await sleep(Math.max(0, postAt.toMillis() - Date.now() + 500));
      bot = await startBotProcess(env);

      const caughtUp = await waitForPost(lateChannel);
      expect(caughtUp.embeds[0]?.title).toContain(EARLIEST.title);
      await witnessTick();
      expect(discord.channelMessages(lateChannel)).toHaveLength(1);
      for (const guild of [lost, answered]) {
        const channelId = channelNamed(guild, 'lessons');
        expect(discord.channelMessages(channelId)).toHaveLength(1);
        expect(postsTo(channelId).filter((r) => !r.hung)).toHaveLength(1);
      }
    }, 120_000);
  });

  // ---- the daily post -----------------------------------------------------------------------------

  describe('the daily post', () => {
    let guild: StandInGuild;
    let lessons: string;
    let roleId: string;
    let post: APIMessage;

    it('goes out at the set time, once, with a nonce, pinging only the chosen role; it is the earliest-dated lesson', async () => {
      guild = addGuild('Daily', { roles: [role({ name: 'Learners', mentionable: true })] });
      lessons = channelNamed(guild, 'lessons');
      roleId = guild.roles.find((r) => r.name === 'Learners')!.id;
      const reply = await setNow(guild, lessons, [roleOption(roleId)]);
      expect(reply.content).toContain(`Each post pings <@&${roleId}> (and no one else).`);

      post = await waitForPost(lessons);
      const [request] = postsTo(lessons);
      expect(request?.status).toBe(200);
      expect(request?.body).toMatchObject({
        nonce: expect.stringMatching(/^nd[0-9a-f]{22}$/u),
        enforce_nonce: true,
        allowed_mentions: { parse: [], roles: [roleId] },
      });
      expect(post.content).toBe(`<@&${roleId}> 📰 **Today’s lesson** is here!`);
      expect(post.embeds).toHaveLength(1);
      expect(post.embeds[0]?.title).toContain(EARLIEST.title);
      const buttons = buttonsOf(post);
      expect(buttons.map((b) => b.label)).toEqual(['Dialogue', 'Article', 'Related', 'Mark as read', 'Vocabulary', 'Quiz']);
      expect(buttons.map((b) => lessonIdOf(b.custom_id!))).toEqual(Array(6).fill(EARLIEST.id));

      await witnessTick();
      expect(discord.channelMessages(lessons)).toHaveLength(1);
      expect(postsTo(lessons)).toHaveLength(1);

      // The rest of the backlog follows in article-date order (not import order: the latest came first).
      const upcoming = await schedule(guild, 'upcoming', [{ name: 'days', value: 4 }]);
      expect(upcoming.embeds?.[0]?.description?.split('\n').map((line) => line.replace(/^`[\d-]+` /u, ''))).toEqual([
        `${post.embeds[0]?.title} _(posted)_`,
        `${SECOND} _(queue)_`,
        `${THIRD} _(queue)_`,
        `${LATEST.title} _(queue)_`,
      ]);
    });

    it('/lesson today then shows the delivered lesson, and the post’s buttons work for any member, privately', async () => {
      const today = discord.sendCommand({ name: 'lesson', subcommand: 'today', guildId: guild.id, user: LEARNER });
      const card = (await today.waitForFinal()).data as Data;
      expect(card.flags! & EPHEMERAL).toBe(EPHEMERAL);
      expect(card.embeds?.[0]?.title).toBe(post.embeds[0]?.title);

      const [dialogue, article] = buttonsOf(post);
      const opened = (await discord.sendButton({ customId: dialogue!.custom_id!, message: post.id, guildId: guild.id, channelId: lessons, user: LEARNER }).waitForFinal()).data as Data;
      expect(opened.flags! & EPHEMERAL).toBe(EPHEMERAL);
      expect(opened.embeds?.[0]?.title).toContain(EARLIEST.title);
      expect(opened.embeds?.[0]?.description).toBe('*This lesson has no dialogue.*');
      const read = (await discord.sendButton({ customId: article!.custom_id!, message: post.id, guildId: guild.id, channelId: lessons, user: LEARNER }).waitForFinal()).data as Data;
      expect(read.flags! & EPHEMERAL).toBe(EPHEMERAL);
      expect(read.embeds?.[0]?.description).toContain('Volunteers planted 1,200 oak saplings');
      // Pressing a button only answers the member: the post itself is unchanged.
      expect(discord.channelMessages(lessons)).toEqual([post]);
    });

    it('/schedule show reports the last post and the next one, tomorrow', async () => {
      const shown = await schedule(guild, 'show');
      const fields = fieldsOf(shown);
      expect(fields['Last post']).toContain(`in <#${lessons}> (message ${post.id})`);
      const time = fields.Time!.split(' ')[0]!;
      const tomorrow = localNow().plus({ days: 1 }).toISODate();
      expect(fields['Next post']).toContain(`${tomorrow} ${time} (${ZONE})`);
      expect(fields.Health).toBe('✅ Healthy');
    });
  });

  // ---- pausing ------------------------------------------------------------------------------------

  it('posts nothing while paused, and posts once resumed the same day', async () => {
    const guild = addGuild('Paused');
    const lessons = channelNamed(guild, 'lessons');
    await setLater(guild, lessons);
    expect((await schedule(guild, 'pause')).content).toContain('⏸️ Daily lessons are paused.');
    expect((await setNow(guild, lessons)).content).toContain('⏸️ The schedule is paused');
    await witnessTick();
    expect(postsTo(lessons)).toHaveLength(0);
    const fields = fieldsOf(await schedule(guild, 'show'));
    expect(fields.Status).toBe('Paused');
    expect(fields['Next post']).toBe('None while paused (`/schedule resume`)');

    const resumed = await schedule(guild, 'resume');
    expect(resumed.content).toMatch(/^▶️ Daily lessons resumed\. Next post: <t:(\d+):F>/u);
    await waitForPost(lessons);
    await witnessTick();
    expect(discord.channelMessages(lessons)).toHaveLength(1);
  });

  it('with thread:true, each post opens a discussion thread named after the lesson', async () => {
    const guild = addGuild('Threads');
    const lessons = channelNamed(guild, 'lessons');
    await setNow(guild, lessons, [{ name: 'thread', value: true }]);
    const post = await waitForPost(lessons);
    const threadRequest = await discord.waitFor(
      (r) => r.method === 'POST' && r.path === `/channels/${lessons}/messages/${post.id}/threads`,
      POST_TIMEOUT_MS,
    );
    const name = (threadRequest.body as { name?: string }).name ?? '';
    expect(name.length).toBeGreaterThan(0);
    expect(name.length).toBeLessThanOrEqual(100);
    expect(post.embeds[0]?.title?.startsWith(name.slice(0, 20))).toBe(true);
  });

  // ---- failures -----------------------------------------------------------------------------------

  describe('a channel the bot cannot post in', () => {
    let refused: StandInGuild;

    it('/schedule set (and /schedule alerts) refuse it up front, naming the missing permission', async () => {
      const guild = addGuild('Read only', {
        channels: [textChannel({ name: 'lessons' }), textChannel({ name: 'news', permissionOverwrites: [deny('@bot', ['SendMessages'])] })],
      });
      const news = channelNamed(guild, 'news');
      const reply = await schedule(guild, 'set', [channelOption(news), { name: 'time', value: '07:30' }, { name: 'timezone', value: ZONE }]);
      expect(reply.content).toContain(`I can’t post in <#${news}>: I’m missing **Send Messages** there.`);
      expect((await schedule(guild, 'show')).content).toContain('This server has no daily lesson yet.');
      // Nor may it be where alerts go.
      expect((await schedule(guild, 'alerts', [channelOption(news)])).content).toBe(`I can’t post in <#${news}>: I’m missing **Send Messages** there.`);
    });

    it('a refused post (403) marks the schedule failing, alerts moderators once, backs off, and other servers still get theirs', async () => {
      refused = addGuild('Refused');
      const lessons = channelNamed(refused, 'lessons');
      const alerts = channelNamed(refused, 'mod-alerts');
      expect((await schedule(refused, 'alerts', [channelOption(alerts)])).content).toContain(`in <#${alerts}>`);
      discord.denyChannel(lessons); // Discord refuses with 50013; the bot's cache still thinks it may post
      await setNow(refused, lessons);

      const alert = await waitForPost(alerts);
      const reason = 'I am missing a permission in that channel (View Channel, Send Messages or Embed Links)';
      expect(alert.content).toContain(`⚠️ I could not post today’s lesson in <#${lessons}>: ${reason}.`);
      expect(postsTo(alerts)[0]?.body).toMatchObject({ allowed_mentions: { parse: [] } });
      await witnessTick();
      await witnessTick();
      expect(discord.channelMessages(lessons)).toHaveLength(0);
      expect(discord.channelMessages(alerts)).toHaveLength(1);
      // One attempt, then it waits (backoff) rather than hammering Discord every tick.
      expect(postsTo(lessons).map((r) => r.status)).toEqual([403]);

      const health = fieldsOf(await schedule(refused, 'show')).Health ?? '';
      const match = /^⚠️ Failing since <t:\d+:R>: (.*)\. Next try <t:(\d+):R>\.$/u.exec(health);
      expect(match?.[1]).toBe(reason);
      const retryIn = Number(match?.[2]) * 1000 - Date.now();
      expect(retryIn).toBeGreaterThan(4 * 60_000);
      expect(retryIn).toBeLessThanOrEqual(5 * 60_000);
    });

    it('a deleted channel is reported the same way', async () => {
      const guild = addGuild('Deleted');
      const lessons = channelNamed(guild, 'lessons');
      const alerts = channelNamed(guild, 'mod-alerts');
      await schedule(guild, 'alerts', [channelOption(alerts)]);
      await setLater(guild, lessons);
      await schedule(guild, 'pause');
      await setNow(guild, lessons);
      discord.removeChannel(guild.id, lessons);
      await schedule(guild, 'resume');

      const alert = await waitForPost(alerts);
      expect(alert.content).toContain(`⚠️ I could not post today’s lesson in <#${lessons}>: the channel no longer exists.`);
      await witnessTick();
      expect(discord.channelMessages(alerts)).toHaveLength(1);
      expect(postsTo(lessons)).toHaveLength(0);
      expect(fieldsOf(await schedule(guild, 'show')).Health).toMatch(/^⚠️ Failing since <t:\d+:R>: the channel no longer exists\. Next try/u);
    });

    it('once the channel is fixed, /schedule set posts at once and the schedule is healthy again', async () => {
      const lessons = channelNamed(refused, 'lessons');
      discord.allowChannel(lessons);
      await setNow(refused, lessons);
      const post = await waitForPost(lessons);
      expect(post.embeds[0]?.title).toContain(EARLIEST.title);
      expect(fieldsOf(await schedule(refused, 'show')).Health).toMatch(/^✅ Healthy \(last failure <t:\d+:R>: I am missing a permission/u);
      await witnessTick();
      expect(discord.channelMessages(lessons)).toHaveLength(1);
      expect(discord.channelMessages(channelNamed(refused, 'mod-alerts'))).toHaveLength(1);
    });
  });

  // ---- several processes --------------------------------------------------------------------------

  it(
    kind === 'postgres'
      ? 'two processes on one database post exactly once per server per day'
      : 'a second process on the same PGlite directory refuses to start, naming the first',
    async () => {
      if (kind === 'pglite') {
        const second = await startBotProcess(env, { waitForReady: false });
        others.push(second);
        expect(await second.exited).toBe(1);
        expect(second.output()).toContain(`is in use by process ${bot.child.pid} `);
        expect(second.output()).toContain('PGlite allows one process at a time');
        await witnessTick(); // the first one carries on
        return;
      }
      const guilds = [1, 2, 3].map((n) => addGuild(`Race ${n}`));
      const channels = guilds.map((guild) => channelNamed(guild, 'lessons'));
      for (const [index, guild] of guilds.entries()) {
        await setLater(guild, channels[index]!);
        await schedule(guild, 'pause');
        await setNow(guild, channels[index]!);
      }
      const second = await startBotProcess(env);
      others.push(second);
      // One server's post is slow at Discord, longer than the lease: its sender keeps renewing the claim,
      // so the other process must not take it over meanwhile.
      const slowPath = `/channels/${channels[2]}/messages`;
      discord.failNext({ method: 'POST', path: slowPath }, { delayMs: 5_000 });
      // Both processes get every event (no sharding between them) and both tick every second.
      for (const guild of guilds) await schedule(guild, 'resume');
      await Promise.all(channels.map((channelId) => waitForPost(channelId)));
      // The slow request is recorded once answered: any takeover would have been sent by then.
      expect((await discord.waitFor((r) => r.fault && r.path === slowPath, POST_TIMEOUT_MS)).status).toBe(200);
      await witnessTick();
      for (const channelId of channels) {
        expect(discord.channelMessages(channelId)).toHaveLength(1);
        expect(postsTo(channelId)).toHaveLength(1);
      }
      const raced = new Set(guilds.map((guild) => guild.id));
      const posted = [bot, second].flatMap((instance) => instance.logLines().filter((line) => line.msg === 'lesson posted' && raced.has(String(line.guildId))));
      expect(posted.map((line) => line.guildId).sort()).toEqual([...raced].sort());
    },
  );

  it('talked only to routes Discord has, and shuts down cleanly', async () => {
    expect(discord.unexpectedRequests()).toEqual([]);
    expect(discord.problems).toEqual([]);
    // The refused PGlite process had exited with 1 already.
    for (const other of others.splice(0)) expect(await other.stop()).toBe(kind === 'pglite' ? 1 : 0);
    expect(await bot.stop()).toBe(0);
  });
});
