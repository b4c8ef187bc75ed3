import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { watchLibraryChanges } from '../../src/db/change-feed.js';
import { until } from '../support/ports.js';

const AUTHENTICATION_OK = Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 0]);
const READY_FOR_QUERY = Buffer.from([0x5a, 0, 0, 0, 5, 0x49]);

/** A server on loopback whose connections `serve` answers (as far as it likes), counted, and all closed by `close`. */
async function fakePostgres(serve: (socket: Socket) => void): Promise<{ close: () => Promise<void>; url: string; connections: () => number }> {
  let connections = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    serve(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const close = () =>
    new Promise<void>((resolve) => {
      sockets.forEach((socket) => socket.destroy());
      server.close(() => resolve());
    });
  return { close, url: `postgres://postgres@127.0.0.1:${port}/newsdesk`, connections: () => connections };
}

/**
 * A server that speaks PostgreSQL's protocol only as far as its handshake (authentication accepted, ready for a
 * query) and then never answers: what a frozen server, or one cut off without a reset, looks like once connected.
 */
function silentAfterHandshake() {
  return fakePostgres((socket) => {
    socket.once('data', () => {
      socket.write(Buffer.concat([AUTHENTICATION_OK, READY_FOR_QUERY]));
      // Whatever comes next (the LISTEN) is read and never answered.
      socket.resume();
    });
  });
}

/**
 * A server that answers the handshake and the LISTEN, and then nothing more: a connection cut off without a reset
 * once the feed listens (a failover to another host, a NAT that forgot the idle connection, a network cut).
 */
function silentAfterListen() {
  return fakePostgres((socket) => {
    let messages = 0;
    socket.on('data', () => {
      messages += 1;
      if (messages === 1) socket.write(Buffer.concat([AUTHENTICATION_OK, READY_FOR_QUERY]));
      else if (messages === 2) {
        const listen = Buffer.from('LISTEN\0');
        const length = Buffer.alloc(4);
        length.writeUInt32BE(4 + listen.length);
        socket.write(Buffer.concat([Buffer.from([0x43]), length, listen, READY_FOR_QUERY]));
      }
      // Anything after the LISTEN is read and never answered.
    });
  });
}

let closeServer: (() => Promise<void>) | undefined;
afterEach(async () => {
  await closeServer?.();
  closeServer = undefined;
});

describe('the library change feed', () => {
  it('gives up on a LISTEN the server never answers, says so, and tries again on a new connection', async () => {
    const silent = await silentAfterHandshake();
    closeServer = silent.close;
    const errors: Error[] = [];
    const feed = watchLibraryChanges(silent.url, {
      onChange: () => undefined,
      onError: (error) => errors.push(error),
      retryMs: { first: 50, max: 100 },
      listenTimeoutMs: 300,
    });
    try {
      // Without the bound the first connection waits for its answer as long as TCP keeps it open (hours).
      expect(await until(async () => silent.connections(), (count) => count >= 3, 5_000)).toBeGreaterThanOrEqual(3);
      expect(feed.live).toBe(false);
      expect(errors.length).toBeGreaterThanOrEqual(2);
      expect(errors[0]?.message).toMatch(/timeout/iu);
    } finally {
      await feed.close();
    }
  });

  it('stops counting as live once its connection no longer answers, though no error came (caches off, not stale for hours)', async () => {
    const silent = await silentAfterListen();
    closeServer = silent.close;
    const changes: (string | null)[] = [];
    const errors: Error[] = [];
    const feed = watchLibraryChanges(silent.url, {
      onChange: (table) => changes.push(table),
      onError: (error) => errors.push(error),
      retryMs: { first: 60_000, max: 60_000 },
      listenTimeoutMs: 300,
      heartbeatMs: 200,
    });
    try {
      expect(await feed.untilLive(5_000)).toBe(true);
      // Before, it stayed live as long as TCP kept the connection (over two hours of keepalive), missing every change.
      expect(await until(async () => feed.live, (live) => !live, 5_000)).toBe(false);
      expect(errors[0]?.message).toMatch(/timeout/iu);
      expect(changes).toEqual([null, null]);
    } finally {
      await feed.close();
    }
  });
});
