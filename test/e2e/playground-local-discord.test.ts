import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startPlayground, type PlaygroundProcess } from '../support/playground-process.js';

const MiB = 1024 * 1024;

/** A process's resident memory now, from /proc (Linux). */
function residentBytes(pid: number): number {
  const line = /VmRSS:\s+(\d+) kB/u.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(line?.[1] ?? 0) * 1024;
}

interface RawAnswer {
  status: number | undefined;
  body: string;
}

/** One HTTP request with exactly these headers (a foreign Host, an Origin), as a program or a browser would send it. */
function rawRequest(url: string, method: string, headers: Record<string, string>, body?: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const sent = request(url, { method, headers }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode, body: text }));
    });
    sent.on('error', reject);
    sent.end(body);
  });
}

/**
 * Streams `total` bytes as a chunked body (no Content-Length: the server learns the size only by reading), 1 MiB at
 * a time with backpressure, until the server answers or drops the connection. The status, if one came.
 */
function streamBody(url: string, total: number): Promise<{ status: number | undefined; sentBytes: number }> {
  return new Promise((resolve) => {
    let sentBytes = 0;
    let done = false;
    const finish = (status: number | undefined) => {
      if (done) return;
      done = true;
      resolve({ status, sentBytes });
      outgoing.destroy();
    };
    const outgoing = request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (response) => {
      response.resume();
      finish(response.statusCode);
    });
    outgoing.on('error', () => finish(undefined));
    const chunk = Buffer.alloc(MiB, 0x20);
    const write = () => {
      while (!done && sentBytes < total) {
        sentBytes += chunk.length;
        if (!outgoing.write(chunk)) return void outgoing.once('drain', write);
      }
      if (!done) outgoing.end();
    };
    write();
  });
}

/** Opens a WebSocket to the gateway; resolves with how it went: refused at the upgrade (status), or closed (code). */
function openGateway(url: string, options: { origin?: string; token?: string }): Promise<{ refusedStatus?: number; closeCode?: number; events: string[] }> {
  return new Promise((resolve) => {
    const events: string[] = [];
    const socket = new WebSocket(`${url}?v=10&encoding=json`, options.origin === undefined ? {} : { origin: options.origin });
    socket.on('unexpected-response', (_req, response) => {
      resolve({ refusedStatus: response.statusCode, events });
      socket.terminate();
    });
    socket.on('error', () => undefined);
    socket.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as { op: number; t?: string };
      if (frame.op === 10) socket.send(JSON.stringify({ op: 2, d: { token: options.token ?? '', intents: 1, properties: {} } }));
      if (frame.t) events.push(frame.t);
    });
    socket.on('close', (code) => resolve({ closeCode: code, events }));
    // Let in: whatever it was sent in 5 s.
    setTimeout(() => {
      resolve({ events });
      socket.terminate();
    }, 5000);
  });
}

// The playground's local Discord serves its bot alone: not a web page on another site that a member of the
// playground has open in the same browser, not a page reaching 127.0.0.1 by a name of its own (DNS rebinding),
// not another program with a made-up token. Against the real playground (`npm start` without a token).
describe('the playground’s local Discord serves only its own bot', () => {
  let dataDir: string;
  let playground: PlaygroundProcess;
  let port: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'newsdesk-playground-guard-'));
    playground = await startPlayground('src/main.ts', { DATA_DIR: dataDir, DISCORD_TOKEN: '' });
    port = new URL(playground.discordUrl).port;
  }, 180_000);

  afterAll(async () => {
    const code = await playground?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    expect(code).toBe(0);
  }, 60_000);

  it('refuses a WebSocket from a web page (an Origin header), and a login without the bot’s token of this start', async () => {
    const gateway = `ws://127.0.0.1:${port}/gateway`;
    const fromPage = await openGateway(gateway, { origin: 'http://evil.test:3998', token: 'not-the-bot' });
    expect(fromPage.refusedStatus).toBe(403);
    // A program on this machine (no Origin) with the tests' well-known token: closed with 4004 at IDENTIFY, sent nothing.
    const guessed = await openGateway(gateway, { token: 'stand-in-bot-token' });
    expect(guessed.closeCode).toBe(4004);
    expect(guessed.events).toEqual([]);
  });

  it('refuses REST requests for another host name, from a web page, or without the bot’s token', async () => {
    const api = `http://127.0.0.1:${port}/api/v10`;
    const rebound = await rawRequest(`${api}/gateway`, 'GET', { host: `evil.test:${port}` });
    expect(rebound.status).toBe(403);
    const fromPage = await rawRequest(`${api}/gateway`, 'GET', { origin: 'http://evil.test:3998' });
    expect(fromPage.status).toBe(403);
    // Unauthenticated routes still answer the playground's own clients (localhost is this machine too).
    expect((await rawRequest(`${api}/gateway`, 'GET', { host: `localhost:${port}` })).status).toBe(200);
    const guessed = await rawRequest(`${api}/users/@me`, 'GET', { authorization: 'Bot stand-in-bot-token' });
    expect(guessed.status).toBe(401);
  });

  it('refuses a body over 25 MiB while it streams in, without holding it in memory', async () => {
    const pid = playground.child.pid!;
    const before = residentBytes(pid);
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, residentBytes(pid))), 20);
    const total = 300 * MiB;
    try {
      const streamed = await streamBody(`http://127.0.0.1:${port}/api/v10/channels/1/messages`, total);
      // Answered 413 (or cut off) long before the whole body was sent.
      expect(streamed.status ?? 413).toBe(413);
      expect(streamed.sentBytes).toBeLessThan(total / 2);
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, residentBytes(pid));
    // At most the 25 MiB read plus slack; the body's 300 MiB (twice over, once joined) was held before.
    expect(peak - before).toBeLessThan(80 * MiB);
    // A declared length over the limit is refused before a byte of the body is read.
    const declared = await rawRequest(`http://127.0.0.1:${port}/api/v10/channels/1/messages`, 'POST', {
      'content-type': 'application/json',
      'content-length': String(26 * MiB),
    }).catch(() => ({ status: 413, body: '' }));
    expect(declared.status).toBe(413);
    // The playground is still there.
    expect((await fetch(`${playground.url}/api/state`)).status).toBe(200);
  }, 60_000);
});
