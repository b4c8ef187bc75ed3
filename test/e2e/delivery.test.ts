import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeCustomId, encodeCustomId } from '../../src/domain/discord-format/index.js';
import { decodeVocabularyId } from '../../src/domain/vocabulary/custom-id.js';
import { botDatabaseKinds, startBotProcess, type BotProcess } from '../support/bot-process.js';
import { expectOnlyKnownRoutes, startBotScene, type BotScene, type Data, type Sender } from '../support/bot-scene.js';
import { allow, deny, role, textChannel, type StandInGuild } from '../support/discord-stand-in/index.js';
import { channelOption, EPHEMERAL, LEARNER, localNow, MODERATOR, POST_TIMEOUT_MS, roleOption, sleep, ZONE } from '../support/schedule-scenarios.js';

/** A moderator who may also mention everyone (Discord's Mention @everyone, @here and All Roles). */
const MAY_MENTION_EVERYONE: Sender = { user: MODERATOR, member: { permissions: ['ManageGuild', 'MentionEveryone'] } };

/*
 * Daily delivery end to end: the real bot process (as `npm start` runs it) ticking every second against
 * the Discord stand-in and a real database. One bot serves every test over one library that no test
 * changes; each test works in servers of its own, so none depends on another's order or presence. The
 * crash test has a bot, a stand-in and a one-lesson library of its own.
 */

/** The fixture lessons by article date: the backlog plays them earliest first. */
const EARLIEST = { id: '9d1c2b3a-4e5f-4a6b-8c7d-0e1f2a3b4c5d', title: 'Volunteers planted 1,200 oak saplings' };
const SECOND = 'The defense chiefs of Japan and the United States have agreed to strengthen cooperation in cyberspace.';
const THIRD = 'Ferry services between Port Ellis and Gull Island resumed on Monday after a two-month break.';
/** The latest by article date: imported first (the backlog goes by article date, not import order). */
const LATEST = { file: 'test/fixtures/lessons/ken-yuki-library-robot.txt', title: 'City library lends a robot that reads picture books aloud' };
const LIBRARY = [
  LATEST.file,
  'examples/lessons/nhk-2025-05-31-japan-us-cyber.txt',
  'test/fixtures/lessons/article-only-no-stats.txt',
  'test/fixtures/lessons/ferry-crlf-wrapped-turn.txt',
];

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

/** The bot's reads of a channel (GET /channels/:id): one when a moderator names it, none at a post. */
function channelReads(scene: BotScene, channelId: string): number {
  return scene.discord.requests.filter((r) => r.method === 'GET' && r.path === `/channels/${channelId}`).length;
}

describe.each(botDatabaseKinds())('daily delivery on %s', (kind) => {
  let scene: BotScene;

  beforeAll(async () => {
    scene = await startBotScene(kind, { lessons: LIBRARY });
  }, 180_000);

  afterEach(async () => {
    if (!scene) return; // beforeAll failed: that is the error to see
    expectOnlyKnownRoutes(scene);
    // A test that stopped the bot and failed before starting it again leaves it to the next one running.
    await scene.ensureRunning();
  });

  afterAll(async () => {
    // SIGTERM: a clean shutdown.
    expect(await scene?.close()).toBe(0);
  });

  const channelNamed = (guild: StandInGuild, name: string) => scene.channelNamed(guild, name);

  /** A server whose daily post (scheduled now, pinging `role` if given) has gone out. */
  async function postedToday(name: string, options: { role?: boolean; typed?: 'HH:mm' | 'h:mm a' } = {}) {
    const guild = scene.addGuild(name, options.role ? { roles: [role({ name: 'Learners', mentionable: true })] } : {});
    const lessons = channelNamed(guild, 'lessons');
    const roleId = guild.roles.find((r) => r.name === 'Learners')?.id;
    const reply = await scene.setNow(guild, lessons, { extra: roleId ? [roleOption(roleId)] : [], typed: options.typed });
    const post = await scene.waitForPosted(guild, lessons);
    return { guild, lessons, roleId, reply, post };
  }

  /** A server whose post Discord refused (403): the schedule is failing and moderators were alerted. */
  async function refusedToday(name: string) {
    const guild = scene.addGuild(name);
    const lessons = channelNamed(guild, 'lessons');
    const alerts = channelNamed(guild, 'mod-alerts');
    expect((await scene.schedule(guild, 'alerts', [channelOption(alerts)])).content).toContain(`in <#${alerts}>`);
    scene.discord.denyChannel(lessons); // Discord refuses with 50013; the bot's cache still thinks it may post
    await scene.setNow(guild, lessons);
    const alert = await scene.waitForPost(alerts);
    return { guild, lessons, alerts, alert };
  }

  // ---- crashes and restarts ------------------------------------------------------------------------

  describe('after a crash or a restart', () => {
    it('a crash between claim and send neither loses nor doubles the post, whether the request or only its answer was lost; hung posts hold up no other server', async () => {
      // A bot of its own over a one-lesson library: each server's claimed lesson is its last one, so a
      // takeover that lost the claim would find nothing to post and alert the moderators.
      const crash = await startBotScene(kind, { lessons: [LATEST.file] });
      try {
        const { discord } = crash;
        // One server's post never reaches Discord's store; the other's is stored but the answer never comes back.
        const lost = crash.addGuild('Lost request');
        const answered = crash.addGuild('Lost answer');
        const lostChannel = crash.channelNamed(lost, 'lessons');
        const answeredChannel = crash.channelNamed(answered, 'lessons');
        for (const guild of [lost, answered]) await crash.schedule(guild, 'alerts', [channelOption(crash.channelNamed(guild, 'mod-alerts'))]);
        discord.failNext({ method: 'POST', path: `/channels/${lostChannel}/messages` }, { hang: true });
        discord.failNext({ method: 'POST', path: `/channels/${answeredChannel}/messages` }, { hang: true, handled: true });
        await crash.setNow(lost, lostChannel);
        await crash.setNow(answered, answeredChannel);
        await discord.waitFor((r) => r.hung && r.path === `/channels/${lostChannel}/messages`, POST_TIMEOUT_MS);
        await discord.waitFor((r) => r.hung && r.path === `/channels/${answeredChannel}/messages`, POST_TIMEOUT_MS);
        expect(discord.channelMessages(lostChannel)).toHaveLength(0);
        expect(discord.channelMessages(answeredChannel)).toHaveLength(1);

        // Meanwhile other servers get their posts: the hung ones (not yet timed out and retried) hold up nobody.
        await crash.witnessTick();
        expect(crash.postsTo(lostChannel)).toHaveLength(1);
        expect(crash.postsTo(answeredChannel)).toHaveLength(1);

        // Both posts are claimed and in flight: the process dies before it can record anything.
        await crash.bot.kill();
        crash.bot = await startBotProcess(crash.env);

        // Once the dead process's lease runs out, the new one takes the claims over and sends again, same nonce.
        const [sent] = await Promise.all([
          crash.waitForPosted(lost, lostChannel),
          crash.bot.waitForLog((line) => line.msg === 'lesson posted' && line.guildId === answered.id, POST_TIMEOUT_MS),
        ]);
        await crash.witnessTick();

        expect(discord.channelMessages(lostChannel)).toEqual([sent]);
        expect(sent.embeds[0]?.title).toBe(LATEST.title);
        const lostPosts = crash.postsTo(lostChannel);
        expect(lostPosts.map((r) => r.status)).toEqual([0, 200]);
        expect(lostPosts[1]?.body).toMatchObject({ nonce: (lostPosts[0]?.body as { nonce: string }).nonce, enforce_nonce: true });

        const [stored] = discord.channelMessages(answeredChannel);
        expect(discord.channelMessages(answeredChannel)).toHaveLength(1);
        const answeredPosts = crash.postsTo(answeredChannel);
        expect(answeredPosts.map((r) => [r.hung, r.status])).toEqual([[true, 200], [false, 200]]);
        expect(answeredPosts[1]?.body).toMatchObject({ nonce: (answeredPosts[0]?.body as { nonce: string }).nonce, enforce_nonce: true });

        for (const [guild, channelId, message] of [[lost, lostChannel, sent], [answered, answeredChannel, stored]] as const) {
          // Each server's record names the one message in its channel…
          expect(fieldsOf(await crash.schedule(guild, 'show'))['Last post']).toContain(`in https://discord.com/channels/${guild.id}/${channelId}/${message!.id}`);
          // …and nobody was told the library had run dry: the claimed lesson was still to be posted.
          expect(discord.channelMessages(crash.channelNamed(guild, 'mod-alerts'))).toEqual([]);
        }
        expectOnlyKnownRoutes(crash);
        expect(await crash.bot.stop()).toBe(0);
      } finally {
        await crash.close();
      }
    }, 180_000);

    it('a post that fell due while the bot was down goes out when it starts; one already posted is not posted again', async () => {
      const done = await postedToday('Posted before the downtime');
      const late = scene.addGuild('Down at post time');
      const lateChannel = channelNamed(late, 'lessons');
      // The next minute, if the bot can surely be stopped before it starts (the wait overlaps the downtime).
      const postAt = localNow().plus({ minutes: localNow().second < 55 ? 1 : 2 }).startOf('minute');
      const set = await scene.schedule(late, 'set', [channelOption(lateChannel), { name: 'time', value: postAt.toFormat('HH:mm') }, { name: 'timezone', value: ZONE }]);
      expect(set.content).toContain(`Next post: <t:${postAt.toSeconds()}:F>`);
      expect(channelReads(scene, lateChannel)).toBe(1);
      expect(await scene.bot.stop()).toBe(0);
      // A clean stop, logged as one (discord.js reports closing its socket as a reconnect).
      const shutdown = scene.bot.logLines().map((line) => line.msg);
      expect(shutdown).toContain('shutting down: finishing work in flight');
      expect(shutdown.slice(shutdown.indexOf('shutting down: finishing work in flight'))).not.toContain('gateway reconnecting');
      expect(shutdown.at(-1)).toBe('stopped');
      expect(scene.postsTo(lateChannel)).toEqual([]);

      // While it is down, the post time passes.
      await sleep(Math.max(0, postAt.toMillis() - Date.now() + 500));
      scene.bot = await startBotProcess(scene.env);

      const caughtUp = await scene.waitForPost(lateChannel);
      expect(caughtUp.embeds[0]?.title).toContain(EARLIEST.title);
      // The new process kept the scheduled channel from the server's GUILD_CREATE: it did not read it again.
      expect(channelReads(scene, lateChannel)).toBe(1);
      await scene.witnessTick();
      expect(scene.discord.channelMessages(lateChannel)).toHaveLength(1);
      // The server posted before the downtime is not posted again by the new process.
      expect(scene.discord.channelMessages(done.lessons)).toEqual([done.post]);
      expect(scene.postsTo(done.lessons)).toHaveLength(1);
    }, 120_000);
  });

  // ---- the daily post -----------------------------------------------------------------------------

  describe('the daily post', () => {
    it('goes out at the set time (typed on the 12-hour clock), once, with a nonce, pinging only the chosen role; it is the earliest-dated lesson', async () => {
      const { guild, lessons, roleId, reply, post } = await postedToday('Daily', { role: true, typed: 'h:mm a' });
      expect(reply.content).toContain(`Each post pings <@&${roleId}> (and no one else).`);
      const [request] = scene.postsTo(lessons);
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
      // The lesson has no dialogue (an export without a `----` separator): no Dialogue button.
      expect(buttons.map((b) => b.label)).toEqual(['Article', 'Related', 'Mark as read', 'Vocabulary', 'Quiz']);
      expect(buttons.map((b) => lessonIdOf(b.custom_id!))).toEqual(Array(5).fill(EARLIEST.id));

      await scene.witnessTick();
      expect(scene.discord.channelMessages(lessons)).toHaveLength(1);
      expect(scene.postsTo(lessons)).toHaveLength(1);
      // The channel was read once, when the moderator named it (its overwrites); the post was checked from memory.
      expect(channelReads(scene, lessons)).toBe(1);

      // The rest of the backlog follows in article-date order (not import order: the latest came first).
      const upcoming = await scene.schedule(guild, 'upcoming', [{ name: 'days', value: 4 }]);
      expect(upcoming.embeds?.[0]?.description?.split('\n').map((line) => line.replace(/^`[\d-]+` [A-Z][a-z]{2} · /u, ''))).toEqual([
        `${post.embeds[0]?.title} _(posted)_`,
        `${SECOND} _(queue)_`,
        `${THIRD} _(queue)_`,
        `${LATEST.title} _(queue)_`,
      ]);
    });

    it("pings @everyone as the text @everyone when the moderators chose the server's @everyone role (a role mention of it notifies nobody)", async () => {
      const guild = scene.addGuild('Everyone');
      const lessons = channelNamed(guild, 'lessons');
      // Discord gives @everyone the server's id; the member picked it from the role option's list.
      const reply = await scene.setNow(guild, lessons, { extra: [roleOption(guild.id)], sender: MAY_MENTION_EVERYONE });
      expect(reply.content).toContain('Each post pings @everyone (and no one else).');
      expect(reply.content).toContain('I lack **Mention @everyone, @here and All Roles** in that channel, so the @everyone ping will not notify anyone.');
      expect(reply.content).not.toContain(`<@&${guild.id}>`);
      const post = await scene.waitForPosted(guild, lessons);
      expect(post.content).toBe('@everyone 📰 **Today’s lesson** is here!');
      expect(scene.postsTo(lessons)[0]?.body).toMatchObject({ allowed_mentions: { parse: ['everyone'] } });
      expect((scene.postsTo(lessons)[0]?.body as { allowed_mentions: object }).allowed_mentions).not.toHaveProperty('roles');
      const shown = await scene.schedule(guild, 'show');
      expect(shown.embeds?.[0]?.fields?.find((f) => f.name === 'Ping')?.value).toBe('@everyone');
    });

    it('a moderator without Mention Everyone may not make the post ping @everyone or a role that is not mentionable: told why, nothing set', async () => {
      const guild = scene.addGuild('No mass pings', { roles: [role({ name: 'Quiet', mentionable: false }), role({ name: 'Open', mentionable: true })] });
      const lessons = channelNamed(guild, 'lessons');
      const quiet = guild.roles.find((r) => r.name === 'Quiet')!.id;
      const open = guild.roles.find((r) => r.name === 'Open')!.id;
      const set = (roleId: string, sender?: Sender) =>
        scene.schedule(guild, 'set', [channelOption(lessons), { name: 'time', value: '09:00' }, { name: 'timezone', value: ZONE }, roleOption(roleId)], sender);
      const everyone = await set(guild.id);
      expect(everyone.flags! & EPHEMERAL).toBe(EPHEMERAL);
      expect(everyone.content).toBe('Only members with **Mention @everyone, @here and All Roles** may have the daily post ping @everyone. Pick a mentionable role, or leave `role` empty.');
      expect((await set(quiet)).content).toBe(`<@&${quiet}> is not mentionable: only members with **Mention @everyone, @here and All Roles** may have the daily post ping it. Pick a mentionable role, or leave \`role\` empty.`);
      expect((await scene.schedule(guild, 'show')).content).toBe('This server has no daily lesson yet. Set one with `/schedule set channel time timezone`.');
      // A mentionable role needs nothing more; with the permission, any role.
      expect((await set(open)).content).toContain(`Each post pings <@&${open}> (and no one else).`);
      expect((await set(quiet, MAY_MENTION_EVERYONE)).content).toContain(`Each post pings <@&${quiet}> (and no one else).`);
    });

    it('/lesson today then shows the delivered lesson, and the post’s buttons work for any member, privately', async () => {
      const { guild, lessons, post } = await postedToday('Delivered');
      const today = scene.discord.sendCommand({ name: 'lesson', subcommand: 'today', guildId: guild.id, user: LEARNER });
      const card = (await today.waitForFinal()).data as Data;
      expect(card.flags! & EPHEMERAL).toBe(EPHEMERAL);
      expect(card.embeds?.[0]?.title).toBe(post.embeds[0]?.title);

      // An export without a dialogue: its post has no Dialogue button. One posted before it went (an earlier post of the
      // lesson, with it) tells the member so, and nothing is recorded as read (before, an empty page was shown and the
      // lesson counted as read).
      const [article] = buttonsOf(post);
      expect(article?.label).toBe('Article');
      const dialogueId = encodeCustomId({ action: 'dialogue', lessonId: EARLIEST.id });
      const olderPost = { ...post, id: '400000000000000931', components: [{ type: 1, components: [{ type: 2, style: 1, label: 'Dialogue', custom_id: dialogueId }, ...buttonsOf(post)] }] };
      const opened = (await scene.discord.sendButton({ customId: dialogueId, message: olderPost as never, guildId: guild.id, channelId: lessons, user: LEARNER }).waitForFinal()).data as Data;
      expect(opened.flags! & EPHEMERAL).toBe(EPHEMERAL);
      expect(opened.content).toMatch(/^\*\*Volunteers planted 1,200 oak saplings [^*]+\*\* has no dialogue\. Read its article with `\/lesson article` or the \*\*Article\*\* button\.$/u);
      expect(opened.embeds ?? []).toEqual([]);
      const unread = (await scene.discord.sendCommand({ name: 'lesson', subcommand: 'today', guildId: guild.id, user: LEARNER }).waitForFinal()).data as Data;
      expect(unread.embeds?.[0]?.fields?.find((f) => f.name === 'Readers')?.value).toBe('Be the first to read this');
      const read = (await scene.discord.sendButton({ customId: article!.custom_id!, message: post.id, guildId: guild.id, channelId: lessons, user: LEARNER }).waitForFinal()).data as Data;
      expect(read.flags! & EPHEMERAL).toBe(EPHEMERAL);
      expect(read.embeds?.[0]?.description).toContain('Volunteers planted 1,200 oak saplings');
      // Its page offers no Dialogue either: only Mark as read.
      expect(buttonsOf(read as never).map((b) => b.label)).toEqual(['Mark as read']);
      // Pressing a button only answers the member: the post itself is unchanged.
      expect(scene.discord.channelMessages(lessons)).toEqual([post]);
    });

    it('/schedule show reports the last post and the next one, tomorrow', async () => {
      const { guild, lessons, post } = await postedToday('Shown');
      const shown = await scene.schedule(guild, 'show');
      const fields = fieldsOf(shown);
      // A link to the post (Discord draws it `#lessons › 💬`), not its raw id.
      expect(fields['Last post']).toContain(`in https://discord.com/channels/${guild.id}/${lessons}/${post.id}`);
      expect(fields['Last post']).not.toContain('(message ');
      const time = fields.Time!.split(' ')[0]!;
      const tomorrow = localNow().plus({ days: 1 }).toISODate();
      expect(fields['Next post']).toContain(`${tomorrow} ${time} (${ZONE})`);
      expect(fields.Health).toBe('✅ Healthy');
    });
  });

  // ---- pausing ------------------------------------------------------------------------------------

  it('posts nothing while paused, and posts once resumed the same day', async () => {
    const guild = scene.addGuild('Paused');
    const lessons = channelNamed(guild, 'lessons');
    await scene.setLater(guild, lessons);
    expect((await scene.schedule(guild, 'pause')).content).toContain('⏸️ Daily lessons are paused.');
    expect((await scene.setNow(guild, lessons)).content).toContain('⏸️ The schedule is paused');
    await scene.witnessTick();
    expect(scene.postsTo(lessons)).toHaveLength(0);
    const fields = fieldsOf(await scene.schedule(guild, 'show'));
    expect(fields.Status).toBe('Paused');
    expect(fields['Next post']).toBe('None while paused (`/schedule resume`)');

    const resumed = await scene.schedule(guild, 'resume');
    expect(resumed.content).toMatch(/^▶️ Daily lessons resumed\. Next post: <t:(\d+):F>/u);
    await scene.waitForPost(lessons);
    await scene.witnessTick();
    expect(scene.discord.channelMessages(lessons)).toHaveLength(1);
  });

  it('with thread:true, each post opens a discussion thread named after the lesson', async () => {
    const guild = scene.addGuild('Threads');
    const lessons = channelNamed(guild, 'lessons');
    await scene.setNow(guild, lessons, { extra: [{ name: 'thread', value: true }] });
    const post = await scene.waitForPost(lessons);
    const threadRequest = await scene.discord.waitFor(
      (r) => r.method === 'POST' && r.path === `/channels/${lessons}/messages/${post.id}/threads`,
      POST_TIMEOUT_MS,
    );
    const name = (threadRequest.body as { name?: string }).name ?? '';
    expect(name.length).toBeGreaterThan(0);
    expect(name.length).toBeLessThanOrEqual(100);
    expect(post.embeds[0]?.title?.startsWith(name.slice(0, 20))).toBe(true);
  });

  /** A server with an alerts channel whose daily post is three hours away, with these options of /schedule set. */
  async function scheduledLater(name: string, init: Parameters<BotScene['addGuild']>[1], extra: { name: string; value: string | boolean }[]) {
    const guild = scene.addGuild(name, init);
    const lessons = channelNamed(guild, 'lessons');
    const alerts = channelNamed(guild, 'mod-alerts');
    expect((await scene.schedule(guild, 'alerts', [channelOption(alerts)])).content).toContain(`in <#${alerts}>`);
    const later = localNow().plus({ hours: 3 }).toFormat('HH:mm');
    const set = await scene.schedule(guild, 'set', [channelOption(lessons), { name: 'time', value: later }, { name: 'timezone', value: ZONE }, ...extra]);
    expect(set.content).toContain(`at **${later}**`);
    return { guild, lessons, alerts };
  }

  it('a thread the bot may no longer open (Create Public Threads denied) costs the thread, not the lesson: the card goes out and moderators are told (it stopped the post)', async () => {
    const { guild, lessons, alerts } = await scheduledLater('Thread denied', {}, [{ name: 'thread', value: true }]);
    scene.discord.setChannelOverwrites(lessons, [deny('@bot', ['CreatePublicThreads'])]);
    const posted = await scene.schedule(guild, 'post-now');
    expect(posted.content).toMatch(/^✅ Posted: /u);
    const post = await scene.waitForPost(lessons);
    expect(post.embeds).toHaveLength(1);
    const alert = await scene.waitForPost(alerts);
    expect(alert.content).toBe(`⚠️ I posted today’s lesson in <#${lessons}> but could not open a discussion thread on it. Check that I may **Create Public Threads** there.`);
    expect(fieldsOf(await scene.schedule(guild, 'show')).Status).toBe('Active');
  });

  it('a ping role deleted in Discord is pinged no more: moderators are told once, /schedule show says nobody, the next post pings nobody', async () => {
    const { guild, lessons, alerts } = await scheduledLater('Role deleted', { roles: [role({ name: 'Learners', mentionable: true })] }, []);
    const roleId = guild.roles.find((r) => r.name === 'Learners')!.id;
    await scene.schedule(guild, 'set', [channelOption(lessons), { name: 'time', value: localNow().plus({ hours: 3 }).toFormat('HH:mm') }, { name: 'timezone', value: ZONE }, roleOption(roleId)]);
    expect(fieldsOf(await scene.schedule(guild, 'show')).Ping).toBe(`<@&${roleId}>`);
    scene.discord.deleteRole(guild.id, roleId);
    const alert = await scene.waitForPost(alerts);
    expect(alert.content).toBe('⚠️ The role I pinged with each daily lesson was deleted, so daily lessons now ping nobody. To ping another role, run `/schedule set` again with `role`.');
    expect(fieldsOf(await scene.schedule(guild, 'show')).Ping).toBe('Nobody');
    expect((await scene.schedule(guild, 'post-now')).content).toMatch(/^✅ Posted: /u);
    const post = await scene.waitForPost(lessons);
    expect(post.content).not.toContain(roleId);
    const sent = scene.postsTo(lessons).at(-1)!.body as { allowed_mentions?: { roles?: string[]; parse?: string[] } };
    expect(sent.allowed_mentions?.roles ?? []).toEqual([]);
    expect(scene.discord.channelMessages(alerts)).toHaveLength(1);
  });

  it('a ping role deleted while the bot was stopped is found gone when it connects again (GUILD_CREATE lists the roles): told once, pinged no more; a role still there is kept', async () => {
    const gone = await scheduledLater('Role deleted offline', { roles: [role({ name: 'Learners', mentionable: true })] }, []);
    const kept = await scheduledLater('Role kept offline', { roles: [role({ name: 'Learners', mentionable: true })] }, []);
    const goneRole = gone.guild.roles.find((r) => r.name === 'Learners')!.id;
    const keptRole = kept.guild.roles.find((r) => r.name === 'Learners')!.id;
    const later = localNow().plus({ hours: 3 }).toFormat('HH:mm');
    for (const [{ guild, lessons }, roleId] of [[gone, goneRole], [kept, keptRole]] as const) {
      await scene.schedule(guild, 'set', [channelOption(lessons), { name: 'time', value: later }, { name: 'timezone', value: ZONE }, roleOption(roleId)]);
    }
    expect(await scene.bot.stop()).toBe(0);
    scene.discord.deleteRole(gone.guild.id, goneRole);
    scene.bot = await startBotProcess(scene.env);
    const alert = await scene.waitForPost(gone.alerts);
    expect(alert.content).toBe('⚠️ The role I pinged with each daily lesson was deleted, so daily lessons now ping nobody. To ping another role, run `/schedule set` again with `role`.');
    expect(fieldsOf(await scene.schedule(gone.guild, 'show')).Ping).toBe('Nobody');
    expect(fieldsOf(await scene.schedule(kept.guild, 'show')).Ping).toBe(`<@&${keptRole}>`);
    expect(scene.discord.channelMessages(kept.alerts)).toEqual([]);
    // Connecting again (another restart) tells nobody twice.
    expect(await scene.bot.stop()).toBe(0);
    scene.bot = await startBotProcess(scene.env);
    await scene.witnessTick();
    expect(scene.discord.channelMessages(gone.alerts)).toHaveLength(1);
  }, 120_000);

  // ---- failures -----------------------------------------------------------------------------------

  describe('a channel the bot cannot post in', () => {
    it('/schedule set (and /schedule alerts) refuse it up front, naming the missing permission', async () => {
      const guild = scene.addGuild('Read only', {
        channels: [textChannel({ name: 'lessons' }), textChannel({ name: 'news', permissionOverwrites: [deny('@bot', ['SendMessages'])] })],
      });
      const news = channelNamed(guild, 'news');
      const reply = await scene.schedule(guild, 'set', [channelOption(news), { name: 'time', value: '07:30' }, { name: 'timezone', value: ZONE }]);
      expect(reply.content).toContain(`I can’t post in <#${news}>: I’m missing **Send Messages** there.`);
      expect((await scene.schedule(guild, 'show')).content).toContain('This server has no daily lesson yet.');
      // Nor may it be where alerts go.
      expect((await scene.schedule(guild, 'alerts', [channelOption(news)])).content).toBe(`I can’t post in <#${news}>: I’m missing **Send Messages** there.`);
    });

    it('a channel without Embed Links takes no lesson cards but may hear alerts, which are text (it was refused)', async () => {
      const guild = scene.addGuild('No embeds', {
        channels: [textChannel({ name: 'lessons' }), textChannel({ name: 'mods', permissionOverwrites: [deny('@bot', ['EmbedLinks'])] })],
      });
      const mods = channelNamed(guild, 'mods');
      const set = await scene.schedule(guild, 'set', [channelOption(mods), { name: 'time', value: '07:30' }, { name: 'timezone', value: ZONE }]);
      expect(set.content).toContain(`I can’t post in <#${mods}>: I’m missing **Embed Links** there.`);
      expect((await scene.schedule(guild, 'alerts', [channelOption(mods)])).content).toContain('✅ I will tell moderators about problems');
    });

    it('/schedule set names View Channel when the bot cannot see the channel at all (Discord refuses to show it: 50001)', async () => {
      const guild = scene.addGuild('Hidden', {
        channels: [textChannel({ name: 'lessons' }), textChannel({ name: 'staff', permissionOverwrites: [deny('@bot', ['ViewChannel'])] })],
      });
      const staff = channelNamed(guild, 'staff');
      const reply = await scene.schedule(guild, 'set', [channelOption(staff), { name: 'time', value: '07:30' }, { name: 'timezone', value: ZONE }]);
      expect(reply.content).toBe(`I can’t post in <#${staff}>: I’m missing **View Channel** there.`);
      expect(reply.flags! & EPHEMERAL).toBe(EPHEMERAL);
      expect((await scene.schedule(guild, 'show')).content).toContain('This server has no daily lesson yet.');
    });

    it('where Discord does not show the channel for another reason (a 404 with no error code), /schedule set goes by the option and the post goes out without reading the channel', async () => {
      const guild = scene.addGuild('Unread channel');
      const lessons = channelNamed(guild, 'lessons');
      // As a Discord that never shows it would (a stand-in without the route answers so).
      const notShown = { method: 'GET', path: `/channels/${lessons}` };
      scene.discord.failNext(notShown, { status: 404, body: { message: '404: Not Found', code: 0 } }, 5);
      const reply = await scene.setNow(guild, lessons);
      expect(reply.content).toContain(`✅ Daily lesson: <#${lessons}>`);
      const post = await scene.waitForPosted(guild, lessons);
      expect(post.embeds[0]?.title).toBeTruthy();
      // The option's channel is not kept (it is not what Discord holds): the post goes out without reading it, and Discord decides.
      expect(channelReads(scene, lessons)).toBe(1);
    });

    it('a failed read of the channel is not kept as the channel: where Send Messages comes from its overwrite, the next /schedule set reads it again and takes it, and the post goes out', async () => {
      // @everyone may not speak, nor may the bot's role: only the channel's overwrite for the bot lets it post.
      const guild = scene.addGuild('Send by overwrite', {
        everyonePermissions: ['ViewChannel'],
        botPermissions: ['ViewChannel', 'EmbedLinks'],
        channels: [textChannel({ name: 'lessons', permissionOverwrites: [allow('@bot', ['SendMessages'])] }), textChannel({ name: 'mod-alerts' })],
      });
      const lessons = channelNamed(guild, 'lessons');
      scene.discord.failNext({ method: 'GET', path: `/channels/${lessons}` }, { status: 404, body: { message: '404: Not Found', code: 0 } });
      // Unread, the option's data (no overwrites) is all there is: Send Messages looks missing, and nothing is saved.
      const refused = await scene.schedule(guild, 'set', [channelOption(lessons), { name: 'time', value: '07:30' }, { name: 'timezone', value: ZONE }]);
      expect(refused.content).toContain(`I can’t post in <#${lessons}>: I’m missing **Send Messages** there.`);
      expect((await scene.schedule(guild, 'show')).content).toContain('This server has no daily lesson yet.');
      // Until 2026-12-07 the option's channel was kept and never read again: every later try said the same.
      const reply = await scene.setNow(guild, lessons);
      expect(reply.content).toContain(`✅ Daily lesson: <#${lessons}>`);
      expect(channelReads(scene, lessons)).toBe(2);
      const post = await scene.waitForPosted(guild, lessons);
      expect(post.embeds[0]?.title).toBeTruthy();
    });

    it('while a read of the channel is under way (Discord slow, or failing until discord.js gives up), another /schedule set naming it waits for a read of its own instead of taking the option’s data', async () => {
      // Only the channel's overwrite for the bot lets it post: the option's data (no overwrites) says Send Messages is missing.
      const guild = scene.addGuild('Set twice while reading', {
        everyonePermissions: ['ViewChannel'],
        botPermissions: ['ViewChannel', 'EmbedLinks'],
        channels: [textChannel({ name: 'lessons', permissionOverwrites: [allow('@bot', ['SendMessages'])] }), textChannel({ name: 'mod-alerts' })],
      });
      const lessons = channelNamed(guild, 'lessons');
      scene.discord.failNext({ method: 'GET', path: `/channels/${lessons}` }, { delayMs: 2_500 });
      const set = [channelOption(lessons), { name: 'time', value: '07:30' }, { name: 'timezone', value: ZONE }];
      const first = scene.schedule(guild, 'set', set);
      await sleep(800);
      // Until 2026-12-07 the second took the option's data that discord.js had kept meanwhile, as the channel.
      const second = await scene.schedule(guild, 'set', set);
      expect(second.content).toContain(`✅ Daily lesson: <#${lessons}>`);
      expect((await first).content).toContain(`✅ Daily lesson: <#${lessons}>`);
      expect(channelReads(scene, lessons)).toBe(2);
    });

    it('a refused post (403) marks the schedule failing, alerts moderators once, backs off, and other servers still get theirs', async () => {
      const { guild, lessons, alerts, alert } = await refusedToday('Refused');
      const reason = 'I am missing a permission in that channel: give my role **Send Messages** there';
      expect(alert.content).toContain(`⚠️ I could not post today’s lesson in <#${lessons}>: ${reason}.`);
      expect(scene.postsTo(alerts)[0]?.body).toMatchObject({ allowed_mentions: { parse: [] } });
      await scene.witnessTick();
      await scene.witnessTick();
      expect(scene.discord.channelMessages(lessons)).toHaveLength(0);
      expect(scene.discord.channelMessages(alerts)).toHaveLength(1);
      // One attempt, then it waits (backoff) rather than hammering Discord every tick.
      expect(scene.postsTo(lessons).map((r) => r.status)).toEqual([403]);

      const health = fieldsOf(await scene.schedule(guild, 'show')).Health ?? '';
      const match = /^⚠️ Failing since <t:\d+:R>: (.*)\. Next try <t:(\d+):R>\.$/u.exec(health);
      expect(match?.[1]).toBe(reason);
      const retryIn = Number(match?.[2]) * 1000 - Date.now();
      expect(retryIn).toBeGreaterThan(4 * 60_000);
      expect(retryIn).toBeLessThanOrEqual(5 * 60_000);
    });

    it('a deleted channel is reported the same way', async () => {
      const guild = scene.addGuild('Deleted');
      const lessons = channelNamed(guild, 'lessons');
      const alerts = channelNamed(guild, 'mod-alerts');
      await scene.schedule(guild, 'alerts', [channelOption(alerts)]);
      await scene.setLater(guild, lessons);
      await scene.schedule(guild, 'pause');
      await scene.setNow(guild, lessons);
      scene.discord.removeChannel(guild.id, lessons);
      await scene.schedule(guild, 'resume');

      const alert = await scene.waitForPost(alerts);
      expect(alert.content).toContain(`⚠️ I could not post today’s lesson in <#${lessons}>: the channel no longer exists.`);
      await scene.witnessTick();
      expect(scene.discord.channelMessages(alerts)).toHaveLength(1);
      expect(scene.postsTo(lessons)).toHaveLength(0);
      expect(fieldsOf(await scene.schedule(guild, 'show')).Health).toMatch(/^⚠️ Failing since <t:\d+:R>: the channel no longer exists\. Next try/u);
    });

    it('once the channel is fixed, /schedule set posts at once and the schedule is healthy again', async () => {
      const { guild, lessons, alerts } = await refusedToday('Fixed');
      expect(fieldsOf(await scene.schedule(guild, 'show')).Health).toMatch(/^⚠️ Failing since/u);
      scene.discord.allowChannel(lessons);
      await scene.setNow(guild, lessons);
      const post = await scene.waitForPosted(guild, lessons);
      expect(post.embeds[0]?.title).toContain(EARLIEST.title);
      expect(fieldsOf(await scene.schedule(guild, 'show')).Health).toMatch(/^✅ Healthy \(last failure <t:\d+:R>: I am missing a permission/u);
      await scene.witnessTick();
      expect(scene.discord.channelMessages(lessons)).toHaveLength(1);
      expect(scene.discord.channelMessages(alerts)).toHaveLength(1);
    });
  });

  // ---- several processes --------------------------------------------------------------------------

  it(
    kind === 'postgres'
      ? 'two processes on one database post exactly once per server per day'
      : 'a second process on the same PGlite directory refuses to start, naming the first',
    async () => {
      let second: BotProcess | undefined;
      try {
        if (kind === 'pglite') {
          second = await startBotProcess(scene.env, { waitForReady: false });
          expect(await second.exited).toBe(1);
          expect(second.output()).toContain(`is in use by process ${scene.bot.child.pid} `);
          expect(second.output()).toContain('PGlite allows one process at a time');
          await scene.witnessTick(); // the first one carries on
          return;
        }
        const guilds = [1, 2, 3].map((n) => scene.addGuild(`Race ${n}`));
        const channels = guilds.map((guild) => channelNamed(guild, 'lessons'));
        for (const [index, guild] of guilds.entries()) {
          await scene.setLater(guild, channels[index]!);
          await scene.schedule(guild, 'pause');
          await scene.setNow(guild, channels[index]!);
        }
        second = await startBotProcess(scene.env);
        // One server's post is slow at Discord, longer than the lease: its sender keeps renewing the claim,
        // so the other process must not take it over meanwhile.
        const slowPath = `/channels/${channels[2]}/messages`;
        scene.discord.failNext({ method: 'POST', path: slowPath }, { delayMs: 5_000 });
        // Both processes get every event (no sharding between them) and both tick every second.
        for (const guild of guilds) await scene.schedule(guild, 'resume');
        await Promise.all(channels.map((channelId) => scene.waitForPost(channelId)));
        // The slow request is recorded once answered: any takeover would have been sent by then.
        expect((await scene.discord.waitFor((r) => r.fault && r.path === slowPath, POST_TIMEOUT_MS)).status).toBe(200);
        await scene.witnessTick();
        for (const channelId of channels) {
          expect(scene.discord.channelMessages(channelId)).toHaveLength(1);
          expect(scene.postsTo(channelId)).toHaveLength(1);
        }
        const raced = new Set(guilds.map((guild) => guild.id));
        const posted = [scene.bot, second].flatMap((instance) => instance.logLines().filter((line) => line.msg === 'lesson posted' && raced.has(String(line.guildId))));
        expect(posted.map((line) => line.guildId).sort()).toEqual([...raced].sort());
        // The second process shuts down cleanly too (before the next test: two bots answer every interaction).
        expect(await second.stop()).toBe(0);
      } finally {
        await second?.stop();
      }
    },
  );
});
