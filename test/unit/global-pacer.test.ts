import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DefaultRestOptions } from 'discord.js';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { GlobalPacer, pacedMakeRequest, type PacerTicket } from '../../src/discord/global-pacer.js';

/** Every window of `windowMs` (closed at both ends, as the pacer counts) holds at most `limit` of these times. */
function mostInAnyWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end += 1) {
    while (sorted[end]! - sorted[start]! >= windowMs) start += 1;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

describe('the global pacer (fake clock)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('lets a burst of 120 through 50 at a time: no 1,050 ms window holds more than 50 writes, and each batch goes as soon as the window allows', async () => {
    vi.useFakeTimers({ now: 0 });
    const pacer = new GlobalPacer({ limit: 50, windowMs: 1_050, now: () => Date.now() });
    const writes: number[] = [];
    const admittedAt: number[] = [];
    const requests = Array.from({ length: 120 }, async () => {
      const ticket = await pacer.acquire();
      admittedAt.push(Date.now());
      ticket.written();
      writes.push(Date.now());
      ticket.settled();
    });
    await vi.advanceTimersByTimeAsync(5_000);
    await Promise.all(requests);
    expect(writes).toHaveLength(120);
    expect(mostInAnyWindow(writes, 1_050)).toBe(50);
    // 50 at once, 50 when the first 50 leave the window, then the last 20.
    expect([...new Set(admittedAt)].map((at) => [at, admittedAt.filter((a) => a === at).length])).toEqual([
      [0, 50],
      [1_051, 50],
      [2_102, 20],
    ]);
  });

  it('counts a request from its write, not its admission: requests written late (a busy event loop) hold their place later, across the edge', async () => {
    vi.useFakeTimers({ now: 0 });
    const pacer = new GlobalPacer({ limit: 50, windowMs: 1_050, now: () => Date.now() });
    // 50 admitted at once; the event loop is busy and writes them only at 900 ms.
    const first = await Promise.all(Array.from({ length: 50 }, () => pacer.acquire()));
    const writes: number[] = [];
    const late: Promise<void>[] = Array.from({ length: 50 }, async () => {
      const ticket = await pacer.acquire();
      ticket.written();
      writes.push(Date.now());
    });
    await vi.advanceTimersByTimeAsync(900);
    for (const ticket of first) {
      ticket.written();
      writes.push(Date.now());
    }
    // A fixed one-second window would let the next 50 go at 1,000 ms, 100 ms after these 50 reached the wire.
    await vi.advanceTimersByTimeAsync(1_000);
    expect(pacer.waiting).toBe(50);
    await vi.advanceTimersByTimeAsync(200);
    await Promise.all(late);
    expect(writes.slice(50).every((at) => at >= 1_950)).toBe(true);
    expect(mostInAnyWindow(writes, 1_050)).toBe(50);
  });

  it('gives the place of a request that failed before it was written back at once; a written one keeps it for the window', async () => {
    vi.useFakeTimers({ now: 0 });
    const pacer = new GlobalPacer({ limit: 2, windowMs: 1_050, now: () => Date.now() });
    const [written, failed] = await Promise.all([pacer.acquire(), pacer.acquire()]);
    let third: PacerTicket | undefined;
    void pacer.acquire().then((ticket) => (third = ticket));
    written!.written();
    written!.settled();
    await vi.advanceTimersByTimeAsync(10);
    expect(third).toBeUndefined();
    failed!.settled(); // e.g. the connection was refused: nothing reached Discord
    await vi.advanceTimersByTimeAsync(0);
    expect(third).toBeDefined();
    expect(pacer.inWindow).toBe(2);
  });

  it('a request asked ahead goes before the requests already waiting, and the window still holds no more than the limit', async () => {
    vi.useFakeTimers({ now: 0 });
    const pacer = new GlobalPacer({ limit: 2, windowMs: 1_000, now: () => Date.now() });
    const order: string[] = [];
    const writes: number[] = [];
    const request = async (name: string, ahead = false) => {
      const ticket = await pacer.acquire(undefined, { ahead });
      order.push(name);
      ticket.written();
      writes.push(Date.now());
      ticket.settled();
    };
    const all = [request('post 1'), request('post 2'), request('post 3'), request('post 4'), request('post 5')];
    await vi.advanceTimersByTimeAsync(10);
    expect(pacer.waiting).toBe(3);
    all.push(request('read 1', true), request('read 2', true));
    expect(pacer.waiting).toBe(5);
    await vi.advanceTimersByTimeAsync(5_000);
    await Promise.all(all);
    // Posts 1 and 2 had the window; the reads, asked later, take the next places, in their own order.
    expect(order).toEqual(['post 1', 'post 2', 'read 1', 'read 2', 'post 3', 'post 4', 'post 5']);
    expect(mostInAnyWindow(writes, 1_000)).toBe(2);
  });

  it('a request asked ahead goes at once while the window has room, whatever waits', async () => {
    vi.useFakeTimers({ now: 0 });
    const pacer = new GlobalPacer({ limit: 2, windowMs: 1_000, now: () => Date.now() });
    const first = await pacer.acquire();
    let read: PacerTicket | undefined;
    void pacer.acquire(undefined, { ahead: true }).then((ticket) => (read = ticket));
    await vi.advanceTimersByTimeAsync(0);
    expect(read).toBeDefined();
    expect(pacer.inWindow).toBe(2);
    first.settled();
  });

  it('an aborted request asked ahead leaves its queue; the others keep their order', async () => {
    vi.useFakeTimers({ now: 0 });
    const pacer = new GlobalPacer({ limit: 1, windowMs: 1_000, now: () => Date.now() });
    (await pacer.acquire()).written();
    const order: string[] = [];
    const post = pacer.acquire().then(() => order.push('post'));
    const controller = new AbortController();
    const read = pacer.acquire(controller.signal, { ahead: true });
    const otherRead = pacer.acquire(undefined, { ahead: true }).then((ticket) => {
      order.push('other read');
      ticket.written();
    });
    controller.abort(new Error('timed out'));
    await expect(read).rejects.toThrow('timed out');
    expect(pacer.waiting).toBe(2);
    await vi.advanceTimersByTimeAsync(2_100);
    await Promise.all([post, otherRead]);
    expect(order).toEqual(['other read', 'post']);
  });

  it('a waiting request that is aborted (discord.js’s timeout) leaves the queue with the abort reason', async () => {
    vi.useFakeTimers({ now: 0 });
    const pacer = new GlobalPacer({ limit: 1, windowMs: 1_050, now: () => Date.now() });
    (await pacer.acquire()).written();
    const controller = new AbortController();
    const waiting = pacer.acquire(controller.signal);
    controller.abort(new Error('timed out'));
    await expect(waiting).rejects.toThrow('timed out');
    expect(pacer.waiting).toBe(0);
  });
});

describe('pacedMakeRequest over discord.js’s own undici request (a real HTTP server)', () => {
  let server: Server;
  let base: string;
  /** What the server received, in order ("POST /api/v10/…"). */
  const received: string[] = [];
  beforeAll(async () => {
    server = createServer((request, response) => {
      received.push(`${request.method} ${request.url}`);
      request.resume();
      request.on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v10`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('counts a request once undici has written it, and keeps counting it after the answer', async () => {
    const pacer = new GlobalPacer({ limit: 50, windowMs: 600_000 });
    const request = pacedMakeRequest(pacer, DefaultRestOptions.makeRequest);
    const responses = await Promise.all([1, 2, 3].map((n) => request(`${base}/channels/${n}/messages`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(pacer.inWindow).toBe(3);
  });

  it('lets a read (GET) go before the posts waiting for the window', async () => {
    received.length = 0;
    const pacer = new GlobalPacer({ limit: 1, windowMs: 150 });
    const request = pacedMakeRequest(pacer, DefaultRestOptions.makeRequest);
    const post = (n: number) => request(`${base}/channels/${n}/messages`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    const posts = [1, 2, 3, 4].map(post);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(pacer.waiting).toBe(3);
    const read = request(`${base}/channels/9`, { method: 'GET' });
    await Promise.all([...posts, read]);
    expect(received).toEqual(['POST /api/v10/channels/1/messages', 'GET /api/v10/channels/9', 'POST /api/v10/channels/2/messages', 'POST /api/v10/channels/3/messages', 'POST /api/v10/channels/4/messages']);
  });

  it('gives the place back when the request never reached the wire (connection refused)', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const pacer = new GlobalPacer({ limit: 50, windowMs: 600_000 });
    const request = pacedMakeRequest(pacer, DefaultRestOptions.makeRequest);
    await expect(request(`http://127.0.0.1:${port}/api/v10/gateway/bot`, { method: 'GET' })).rejects.toThrow();
    expect(pacer.inWindow).toBe(0);
  });
});
