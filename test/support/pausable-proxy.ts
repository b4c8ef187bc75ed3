import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on loopback in front of PostgreSQL that can be paused: paused, it keeps every connection
 * open but moves no byte either way, and new connections are accepted but not forwarded. That is what a
 * frozen database server looks like from the bot (processes stopped, sockets open), without freezing
 * the shared PostgreSQL that other tests use.
 */
export interface PausableProxy {
  readonly port: number;
  pause(): void;
  resume(): void;
  /**
   * The server gone (restarted, crashed, unreachable): every connection is dropped, and new ones are closed as soon
   * as they are accepted, until `restore`.
   */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startPausableProxy(target: { host: string; port: number }): Promise<PausableProxy> {
  let paused = false;
  let cutOff = false;
  const pairs = new Set<[Socket, Socket | undefined]>();
  const waiting = new Set<() => void>();

  function forward(client: Socket): void {
    const upstream = createConnection(target);
    const pair: [Socket, Socket | undefined] = [client, upstream];
    pairs.add(pair);
    client.pipe(upstream);
    upstream.pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    if (paused) {
      client.pause();
      upstream.pause();
    }
  }

  const server: Server = createServer((client) => {
    client.on('error', () => client.destroy());
    if (cutOff) return client.destroy();
    if (!paused) return forward(client);
    client.pause();
    const later = () => forward(client);
    waiting.add(later);
    client.on('close', () => waiting.delete(later));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    port: (server.address() as AddressInfo).port,
    pause() {
      paused = true;
      for (const [client, upstream] of pairs) {
        client.pause();
        upstream?.pause();
      }
    },
    resume() {
      paused = false;
      for (const [client, upstream] of pairs) {
        client.resume();
        upstream?.resume();
      }
      for (const later of [...waiting]) {
        waiting.delete(later);
        later();
      }
    },
    cut() {
      cutOff = true;
      for (const [client, upstream] of pairs) {
        client.destroy();
        upstream?.destroy();
      }
      pairs.clear();
    },
    restore() {
      cutOff = false;
    },
    async close() {
      for (const [client, upstream] of pairs) {
        client.destroy();
        upstream?.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
