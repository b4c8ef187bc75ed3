import { createServer, type Server } from 'node:http';
import { DiscordAPIError, REST, Routes, type APIMessage } from 'discord.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InteractionAwareRest } from '../../src/discord/interaction-rest.js';
import { createLogger } from '../../src/logger.js';
import { restProxyMetrics } from '../../src/operations/rate-limit-metrics.js';
import { proxyToDiscord } from '../../src/operations/rest-proxy-handler.js';
import { serveRestProxy } from '../../src/operations/rest-proxy-server.js';
import { startDiscordStandIn, type DiscordStandIn } from '../support/discord-stand-in/index.js';

/**
 * The REST proxy between bot processes and Discord (`npm run rest-proxy`), in process: a discord.js REST client
 * (as a bot process has) → the proxy's handler → the stand-in. What a retry inside the proxy sends, and what the
 * bot is told when Discord refuses, decide whether a post the bot records as sent was really made.
 */
describe('the REST proxy', () => {
  let discord: DiscordStandIn;
  let upstream: InteractionAwareRest;
  let server: Server;
  let client: REST;
  let channelId: string;

  beforeAll(async () => {
    discord = await startDiscordStandIn();
    upstream = new InteractionAwareRest({ api: discord.apiUrl.replace(/\/+$/u, ''), retries: 2 });
    server = createServer((request, response) => void proxyToDiscord(upstream, createLogger('silent'))(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    client = new REST({ api: `http://127.0.0.1:${port}/api`, retries: 0 }).setToken('test-token');
  });

  afterAll(async () => {
    upstream?.clearHashSweeper();
    upstream?.clearHandlerSweeper();
    await new Promise((resolve) => server?.close(resolve));
    await discord?.close();
  });

  beforeEach(() => {
    channelId = discord.addGuild().channels[0]!.id;
  });

  const post = (content: string) => client.post(Routes.channelMessages(channelId), { body: { content } }) as Promise<APIMessage>;

  it('sends the whole body again when Discord answers 429 and the proxy retries', async () => {
    discord.failNext({ method: 'POST', path: `/channels/${channelId}/messages` }, { status: 429, retryAfter: 0.05 });
    const message = await post('after a 429');
    expect(message.id).toMatch(/^\d+$/u);
    expect(discord.channelMessages(channelId).map((m) => m.content)).toEqual(['after a 429']);
    const attempts = discord.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${channelId}/messages`);
    expect(attempts.map((r) => [r.status, (r.body as { content?: string } | null)?.content])).toEqual([
      [429, 'after a 429'],
      [200, 'after a 429'],
    ]);
  });

  it('counts the waits for Discord’s rate limits in its own metrics: the bot processes behind it never wait themselves', async () => {
    const registry = restProxyMetrics(upstream);
    const waits = async () =>
      (await registry.getSingleMetric('newsdesk_rest_rate_limit_waits_total')!.get()).values.reduce((sum, value) => sum + value.value, 0);
    expect(await waits()).toBe(0);
    // Discord says the bucket is empty for 0.3 s: the next request waits in the proxy's queue.
    discord.failNext({ method: 'POST', path: `/channels/${channelId}/messages` }, { status: 429, retryAfter: 0.3 });
    await post('after a wait');
    await post('and another');
    expect(await waits()).toBeGreaterThan(0);
    expect(await registry.metrics()).toContain('newsdesk_rest_proxy_process_resident_memory_bytes');
  });

  it('sends the whole body again after a 5xx', async () => {
    discord.failNext({ method: 'POST', path: `/channels/${channelId}/messages` }, { status: 502 });
    const message = await post('after a 502');
    expect(message.content).toBe('after a 502');
    expect(discord.channelMessages(channelId)).toHaveLength(1);
  });

  it('passes Discord’s refusal through as the same error, never as a success', async () => {
    const refused = await post('').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DiscordAPIError);
    expect(refused).toMatchObject({ status: 400, code: 50006 });

    const unknown = await client.post(Routes.channelMessages('1'), { body: { content: 'x' } }).catch((error: unknown) => error);
    expect(unknown).toMatchObject({ status: 404, code: 10003 });
    expect(discord.channelMessages(channelId)).toEqual([]);
  });

  it('answers GET requests and keeps the caller’s authorization', async () => {
    const channel = (await client.get(Routes.channel(channelId))) as { id: string };
    expect(channel.id).toBe(channelId);
    const last = discord.requests.at(-1)!;
    expect(last.headers.authorization).toBe('Bot test-token');
  });
});

describe('the REST proxy stopping (SIGTERM)', () => {
  let discord: DiscordStandIn;
  let upstream: InteractionAwareRest;

  beforeAll(async () => {
    discord = await startDiscordStandIn();
    upstream = new InteractionAwareRest({ api: discord.apiUrl.replace(/\/+$/u, ''), retries: 0 });
  });

  afterAll(async () => {
    upstream?.clearHashSweeper();
    upstream?.clearHandlerSweeper();
    await discord?.close();
  });

  async function startProxy() {
    const proxy = await serveRestProxy(upstream, createLogger('silent'), 0);
    const { port } = proxy.server.address() as { port: number };
    const client = new REST({ api: `http://127.0.0.1:${port}/api`, retries: 0, timeout: 10_000 }).setToken('test-token');
    return { proxy, client };
  }

  it('answers the requests in flight before it stops, and takes no new one', async () => {
    const channelId = discord.addGuild().channels[0]!.id;
    const { proxy, client } = await startProxy();
    discord.failNext({ method: 'POST', path: `/channels/${channelId}/messages` }, { delayMs: 600 });
    const posted = client.post(Routes.channelMessages(channelId), { body: { content: 'in flight at the stop' } }) as Promise<APIMessage>;
    await discord.waitFor((request) => request.method === 'POST' && request.path === `/channels/${channelId}/messages`);
    const stopped = proxy.stop(5_000);

    await expect(posted).resolves.toMatchObject({ content: 'in flight at the stop' });
    await stopped;
    expect(discord.channelMessages(channelId).map((message) => message.content)).toEqual(['in flight at the stop']);
    const after = await client.get(Routes.channel(channelId)).catch((error: unknown) => error);
    expect(after).toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('drops what is still in flight at the shutdown timeout', async () => {
    const channelId = discord.addGuild().channels[0]!.id;
    const { proxy, client } = await startProxy();
    discord.failNext({ method: 'POST', path: `/channels/${channelId}/messages` }, { hang: true });
    const posted = client.post(Routes.channelMessages(channelId), { body: { content: 'never answered' } }).catch((error: unknown) => error);
    await discord.waitFor((request) => request.method === 'POST' && request.path === `/channels/${channelId}/messages`);
    const started = Date.now();
    await proxy.stop(300);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await posted).toBeInstanceOf(Error);
  });
});

describe('the REST proxy and a bot that gave up on a request', () => {
  let discord: DiscordStandIn;
  let upstream: InteractionAwareRest;

  beforeAll(async () => {
    discord = await startDiscordStandIn();
    // One request a second: the second and third posts wait in the proxy's queue, past the bot's timeout.
    upstream = new InteractionAwareRest({ api: discord.apiUrl.replace(/\/+$/u, ''), globalRequestsPerSecond: 1 });
  });

  afterAll(async () => {
    upstream?.clearHashSweeper();
    upstream?.clearHandlerSweeper();
    await discord?.close();
  });

  it('does not send a request waiting behind the global limit once its bot process has given up on it (it sends it again)', async () => {
    const channelId = discord.addGuild().channels[0]!.id;
    const proxy = await serveRestProxy(upstream, createLogger('silent'), 0);
    const { port } = proxy.server.address() as { port: number };
    // A bot process's request gives up after its timeout (15 s in discord.js) and is sent again: a second place in
    // the queue. Until 2026-12-07 the proxy sent both, and at a busy minute of several processes a third of what it
    // sent to Discord was for requests already given up (1,200 posts: 1,916 requests, 40 s where 24 s do).
    const client = new REST({ api: `http://127.0.0.1:${port}/api`, retries: 0, timeout: 300 }).setToken('test-token');
    const answers = await Promise.allSettled(
      ['first', 'second', 'third'].map((content) => client.post(Routes.channelMessages(channelId), { body: { content } })),
    );
    expect(answers.map((answer) => answer.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    // Past the places the other two held (1 s apart).
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(discord.channelMessages(channelId).map((message) => message.content)).toEqual(['first']);
    expect(discord.requests.filter((request) => request.method === 'POST' && request.path === `/channels/${channelId}/messages`)).toHaveLength(1);
    await proxy.stop(1_000);
  });
});
