import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, PortUnavailableError } from '../../src/listen.js';
import { isOperatorError } from '../../src/operator-errors.js';
import { createBotDatabase, type BotDatabase } from '../support/bot-process.js';
import { freePort } from '../support/ports.js';
import { runScript } from '../support/run-cli.js';

/*
 * A port another program holds (HEALTH_PORT, METRICS_PORT, REST_PROXY_PORT, PLAYGROUND_PORT) is the operator's to
 * change: one line naming the setting, exit 1, and no process left running. Until 2026-12-04 the bot and the REST
 * proxy ended with Node's stack trace of an unhandled EADDRINUSE.
 */

const NO_STACK = /\n\s+at /u;

describe('a port another program holds', () => {
  let taken: Server;
  let port: number;
  let database: BotDatabase;

  beforeAll(async () => {
    taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, resolve));
    port = (taken.address() as AddressInfo).port;
    database = await createBotDatabase('pglite', { migrated: true });
  }, 60_000);

  afterAll(async () => {
    await new Promise((resolve) => taken?.close(resolve));
    await database?.dispose();
  });

  it('listen() names the setting to change, as an operator error; a free port is listened on', async () => {
    const server = createHttpServer();
    const refused = await listen(server, port, 'METRICS_PORT').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(PortUnavailableError);
    expect(isOperatorError(refused)).toBe(true);
    expect((refused as Error).message).toBe(`Cannot listen on port ${port} (METRICS_PORT): another program is using it. Set METRICS_PORT to a free port, or stop the other program.`);
    expect(server.listening).toBe(false);

    const free = await freePort();
    await listen(server, free, 'METRICS_PORT', '127.0.0.1');
    expect((server.address() as AddressInfo).port).toBe(free);
    await new Promise((resolve) => server.close(resolve));
  });

  it('the bot says so in one line and exits 1, also when the other endpoint was already listening', async () => {
    const env = { ...database.env, DISCORD_TOKEN: 'test-token', DISCORD_API_URL: `http://127.0.0.1:${await freePort()}/api` };
    // HEALTH_PORT listens first: the process must still end (its server closed, the database too).
    const metricsTaken = await runScript('src/main.ts', [], { ...env, HEALTH_PORT: String(await freePort()), METRICS_PORT: String(port) });
    expect(metricsTaken.code).toBe(1);
    expect(metricsTaken.stderr.trim()).toBe(`Cannot listen on port ${port} (METRICS_PORT): another program is using it. Set METRICS_PORT to a free port, or stop the other program.`);

    const healthTaken = await runScript('src/main.ts', [], { ...env, HEALTH_PORT: String(port) });
    expect(healthTaken.code).toBe(1);
    expect(healthTaken.stderr).not.toMatch(NO_STACK);
    expect(healthTaken.stderr.trim()).toBe(`Cannot listen on port ${port} (HEALTH_PORT): another program is using it. Set HEALTH_PORT to a free port, or stop the other program.`);
  }, 90_000);

  it('the REST proxy says so in one line and exits 1', async () => {
    const result = await runScript('src/operations/rest-proxy.ts', [], { REST_PROXY_PORT: String(port) });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(`Cannot listen on port ${port} (REST_PROXY_PORT): another program is using it. Set REST_PROXY_PORT to a free port, or stop the other program.`);
    // Its metrics port is a variable of its own, named as such; a bot's METRICS_PORT in the same .env is not its.
    const metrics = await runScript('src/operations/rest-proxy.ts', [], { REST_PROXY_PORT: String(await freePort()), REST_PROXY_METRICS_PORT: String(port), METRICS_PORT: String(port) });
    expect(metrics.code).toBe(1);
    expect(metrics.stderr.trim()).toBe(`Cannot listen on port ${port} (REST_PROXY_METRICS_PORT): another program is using it. Set REST_PROXY_METRICS_PORT to a free port, or stop the other program.`);
  }, 30_000);
});
