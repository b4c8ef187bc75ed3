import { REST } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDiscordStandIn, type DiscordStandIn } from '../../src/local-discord/index.js';
import { createLogger } from '../../src/logger.js';
import { PlaygroundActions } from '../../src/playground/actions.js';
import { Timeline, type TimelineEvent } from '../../src/playground/timeline.js';
import { startWebServer, type PlaygroundWebServer } from '../../src/playground/web-server.js';
import { createPlaygroundServer, PEOPLE, PLAYGROUND_IDS } from '../../src/playground/world.js';

// The playground's server side against a real local Discord; the bot here is discord.js's REST client
// driven by hand, so each test can make the bot do exactly one thing (the browser test runs the real bot).
describe('playground server', () => {
  let discord: DiscordStandIn;
  let timeline: Timeline;
  let web: PlaygroundWebServer;
  let rest: REST;
  const events: TimelineEvent[] = [];

  beforeAll(async () => {
    discord = await startDiscordStandIn({ onProblem: () => undefined, maxRecordedRequests: 50 });
    timeline = new Timeline();
    discord.observe(timeline.observe);
    timeline.subscribe((event) => events.push(event));
    const guild = createPlaygroundServer(discord);
    const actions = new PlaygroundActions(discord, guild, timeline);
    web = await startWebServer(0, { discord, guild, actions, timeline, logger: createLogger('silent') });
    rest = new REST({ api: discord.apiUrl, retries: 0 }).setToken(discord.token);
  });

  afterAll(async () => {
    await web?.close();
    await discord?.close();
  });

  it('shows a request the local Discord refuses, with Discord’s code and the field that broke the limit', async () => {
    await expect(
      rest.post(`/channels/${PLAYGROUND_IDS.lessons}/messages`, { body: { embeds: [{ description: 'x'.repeat(4097) }] } }),
    ).rejects.toThrow(/Invalid Form Body/u);
    const notice = timeline.notices().at(-1);
    expect(notice).toMatchObject({ kind: 'discord-error', channelId: PLAYGROUND_IDS.lessons });
    expect(notice?.text).toBe(
      'Discord refused POST /channels/:channelId/messages → 400 Invalid Form Body (50035): embeds.0.description: Must be 4096 or fewer in length.',
    );
    expect(events.some((e) => e.type === 'notice' && e.notice.id === notice?.id)).toBe(true);
  });

  it('shows a refused interaction reply in its channel, to the member who asked, without the token', () => {
    const local = new Timeline();
    local.rememberPlace({ id: '777', token: 'secret-token' }, { channelId: PLAYGROUND_IDS.general, userId: PEOPLE[2]!.user.id });
    const refused = (path: string, route: string) =>
      local.observe({
        type: 'request',
        request: { method: 'POST', path, route, query: {}, body: null, files: [], headers: {}, at: 0, receivedAt: 0, status: 400, unexpected: false, fault: false, hung: false, error: { message: 'Invalid Form Body', code: 50035, errors: { data: { content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 2000 or fewer in length.' }] } } } } },
      });
    refused('/interactions/777/secret-token/callback', '/interactions/:interactionId/:token/callback');
    refused(`/webhooks/${discord.applicationId}/secret-token`, '/webhooks/:applicationId/:token');
    expect(local.notices().map((n) => [n.channelId, n.userId])).toEqual([
      [PLAYGROUND_IDS.general, PEOPLE[2]!.user.id],
      [PLAYGROUND_IDS.general, PEOPLE[2]!.user.id],
    ]);
    expect(local.notices()[0]!.text).toBe(
      'Discord refused POST /interactions/:interactionId/:token/callback → 400 Invalid Form Body (50035): data.content: Must be 2000 or fewer in length.',
    );
    expect(local.notices().map((n) => n.text).join('')).not.toContain('secret-token');
  });

  it('shows channel posts to everyone, and edits as they happen', async () => {
    const posted = (await rest.post(`/channels/${PLAYGROUND_IDS.general}/messages`, { body: { content: 'hello **all**' } })) as { id: string };
    await rest.patch(`/channels/${PLAYGROUND_IDS.general}/messages/${posted.id}`, { body: { content: 'hello again' } });
    const entry = timeline.messages().find((m) => m.message.id === posted.id);
    expect(entry?.visibleTo).toBeUndefined();
    expect(entry?.message.content).toBe('hello again');
    expect(events.filter((e) => e.type === 'message' && e.entry.message.id === posted.id)).toHaveLength(2);
  });

  it('serves the page and its modules with a strict Content-Security-Policy', async () => {
    const page = await fetch(web.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('/static/app.js');
    const script = await fetch(`${web.url}/static/render.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it('answers only requests addressed to the loopback names, and serves no file outside the page', async () => {
    const { request } = await import('node:http');
    const status = (path: string, host: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request(`${web.url}${path}`, { headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    const port = new URL(web.url).port;
    expect(await status('/api/state', `evil.example:${port}`)).toBe(421);
    expect(await status('/api/state', `localhost:${port}`)).toBe(200);
    expect(await status('/static/../web-server.ts', `127.0.0.1:${port}`)).toBe(404);
    expect(await status('/static/%2e%2e/web-server.ts', `127.0.0.1:${port}`)).toBe(404);
  });

  it('refuses posts from other sites and anything but JSON', async () => {
    const post = (headers: Record<string, string>) => fetch(`${web.url}/api/post-now`, { method: 'POST', headers, body: '{}' });
    expect((await post({ 'Content-Type': 'application/json', Origin: 'https://evil.example' })).status).toBe(403);
    expect((await post({ 'Content-Type': 'text/plain' })).status).toBe(415);
  });

  it('refuses a command the bot has not registered, and any command while the bot is not connected', async () => {
    const run = async () =>
      (await (
        await fetch(`${web.url}/api/command`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ person: 'ana', channelId: PLAYGROUND_IDS.lessons, command: { name: 'lesson', subcommand: 'today', options: [] } }),
        })
      ).json()) as unknown;
    expect(await run()).toEqual({ ok: false, error: '/lesson is not a command of this server.' });
    await rest.put(`/applications/${discord.applicationId}/guilds/${PLAYGROUND_IDS.guild}/commands`, {
      body: [{ name: 'lesson', description: 'Lessons', options: [{ type: 1, name: 'today', description: 'Today' }] }],
    });
    expect(events.some((e) => e.type === 'commands')).toBe(true);
    expect(await run()).toEqual({ ok: false, error: 'The bot is not connected yet.' });
  });

  it('shows a private reply only to the member it was for, labelled with the command they ran', () => {
    const local = new Timeline();
    local.rememberInteraction('555', PEOPLE[1]!.user.id, '/lesson today');
    const author = { id: '1', username: 'newsdesk', discriminator: '0', global_name: null, avatar: null, bot: true };
    const user = { ...author, id: PEOPLE[1]!.user.id, username: 'ana', bot: false };
    local.observe({
      type: 'message',
      action: 'create',
      message: {
        id: '900',
        channel_id: PLAYGROUND_IDS.lessons,
        author,
        content: 'only for Ana',
        timestamp: new Date().toISOString(),
        edited_timestamp: null,
        tts: false,
        mention_everyone: false,
        mentions: [],
        mention_roles: [],
        attachments: [],
        embeds: [],
        pinned: false,
        type: 20,
        flags: 64,
        interaction_metadata: { id: '555', type: 2, user, authorizing_integration_owners: {} },
      } as never,
    });
    expect(local.messages()).toEqual([
      expect.objectContaining({ visibleTo: PEOPLE[1]!.user.id, invokedBy: { userId: PEOPLE[1]!.user.id, command: '/lesson today' } }),
    ]);
  });

  it('lists the server, its channels and the people to act as, with the commands each may see', async () => {
    const state = (await (await fetch(`${web.url}/api/state`)).json()) as { channels: { name: string }[]; people: { key: string; commands: string[] }[] };
    expect(state.channels.map((c) => c.name)).toEqual(['lessons', 'general']);
    expect(state.people.map((p) => p.key)).toEqual(PEOPLE.map((p) => p.key));
  });
});
