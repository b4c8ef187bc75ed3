import { Client, Events } from 'discord.js';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { STILL_RECONNECTING_EVERY_MS, logReconnects } from '../../src/discord/reconnect-log.js';

/** A real discord.js client (never logged in) whose shard events are emitted as its WebSocketManager emits them. */
function setUp() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  const client = new Client({ intents: [] });
  const clock = { now: 1_000_000 };
  let stopping = false;
  logReconnects(client, logger, () => stopping, () => clock.now);
  const messages = () => lines.map((line) => [line.msg, line.shardId]);
  return { client, lines, messages, clock, stop: () => (stopping = true) };
}

let client: Client | undefined;
afterEach(async () => {
  await client?.destroy();
  client = undefined;
});

describe('the gateway reconnect log', () => {
  it('says once that a shard is reconnecting, however many tries, and once that it is back, with the tries and the time down', () => {
    const scene = setUp();
    client = scene.client;
    for (let tryNumber = 0; tryNumber < 50; tryNumber += 1) {
      scene.client.emit(Events.ShardReconnecting, 0);
      scene.clock.now += 500;
    }
    scene.client.emit(Events.ShardResume, 0, 3);
    expect(scene.messages()).toEqual([
      ['gateway reconnecting', 0],
      ['gateway reconnected', 0],
    ]);
    expect(scene.lines[1]).toMatchObject({ tries: 50, downForMs: 25_000 });
  });

  it('says every minute that a shard is still reconnecting, at warning level', () => {
    const scene = setUp();
    client = scene.client;
    const minutes = 3;
    for (let tryNumber = 0; tryNumber <= (minutes * STILL_RECONNECTING_EVERY_MS) / 500; tryNumber += 1) {
      scene.client.emit(Events.ShardReconnecting, 0);
      scene.clock.now += 500;
    }
    const still = scene.lines.filter((line) => line.msg === 'gateway still reconnecting');
    expect(still.map((line) => [line.level, line.downForSeconds])).toEqual([
      [40, 60],
      [40, 120],
      [40, 180],
    ]);
    expect(still[0]).toMatchObject({ shardId: 0, tries: 121 });
  });

  it('keeps each shard’s outage apart, and a new outage after one ended is said again', () => {
    const scene = setUp();
    client = scene.client;
    scene.client.emit(Events.ShardReconnecting, 0);
    scene.client.emit(Events.ShardReconnecting, 1);
    scene.client.emit(Events.ShardReconnecting, 0);
    scene.client.emit(Events.ShardReady, 1, undefined);
    scene.client.emit(Events.ShardReconnecting, 1);
    scene.client.emit(Events.ShardResume, 0, 0);
    expect(scene.messages()).toEqual([
      ['gateway reconnecting', 0],
      ['gateway reconnecting', 1],
      ['gateway reconnected', 1],
      ['gateway reconnecting', 1],
      ['gateway reconnected', 0],
    ]);
  });

  it('says nothing of the client’s own closing when it is being stopped, nor of a ready shard that was never down', () => {
    const scene = setUp();
    client = scene.client;
    scene.client.emit(Events.ShardReady, 0, undefined);
    scene.stop();
    scene.client.emit(Events.ShardReconnecting, 0);
    expect(scene.lines).toEqual([]);
  });
});
