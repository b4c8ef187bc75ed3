import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { REST, Routes } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, withoutDiscordTokens } from '../../src/logger.js';

const INTERACTION_TOKEN = 'aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDEyMzQ1Njc4OkZBS0UtVE9LRU4tRk9SLVRFU1RT';
const MEMBER_DATA = '{"readings":["what only the member may see"]}';

/** A logger whose lines are kept, as createLogger writes them. */
function capture(level = 'info') {
  const lines: string[] = [];
  return { lines, logger: createLogger(level, { write: (line: string) => void lines.push(line) }) };
}

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

/** A Discord that refuses every request with `status` (a JSON error as Discord gives), for the REST client's own error objects. */
async function refusingDiscord(status: number): Promise<REST> {
  server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ message: status === 400 ? 'Invalid Form Body' : 'Internal Server Error', code: status === 400 ? 50035 : 0 }));
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  // No retries: a 500 is given back at once.
  return new REST({ api: `http://127.0.0.1:${port}/api`, retries: 0 }).setToken('bot-token-not-for-logs');
}

/** What a failed answer to an interaction throws: discord.js's own error for a request to the tokened route. */
async function failedAnswer(status: number, route: `/${string}`): Promise<unknown> {
  const rest = await refusingDiscord(status);
  return rest
    .post(route, { body: { type: 4, data: { content: 'Your data' } }, files: [{ name: 'newsdesk-data.json', data: Buffer.from(MEMBER_DATA) }], auth: false })
    .then(() => expect.unreachable('the request was refused'), (error: unknown) => error);
}

describe('the log', () => {
  it("leaves an interaction's token and a request's files out of a failed answer's error (a Discord 4xx)", async () => {
    const error = await failedAnswer(400, Routes.interactionCallback('123456789012345678', INTERACTION_TOKEN));
    expect(String((error as { url?: unknown }).url)).toContain(INTERACTION_TOKEN); // what discord.js's error carries
    const { lines, logger } = capture();
    logger.error({ err: error, command: 'privacy' }, 'interaction failed');
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    expect(line).not.toContain(INTERACTION_TOKEN);
    expect(line).not.toContain('what only the member may see');
    expect(line).not.toContain(JSON.stringify([...Buffer.from(MEMBER_DATA)].slice(0, 8)).slice(1, -1));
    const logged = JSON.parse(line) as { err: Record<string, unknown> };
    // What helps an operator stays: the kind of error, Discord's message and code, the status, the route.
    expect(logged.err).toMatchObject({ type: 'DiscordAPIError', message: 'Invalid Form Body', code: 50035, status: 400, method: 'POST' });
    expect(logged.err.url).toMatch(/\/interactions\/123456789012345678\/:token\/callback$/u);
    expect(logged.err).not.toHaveProperty('requestBody');
  });

  it("leaves a follow-up's webhook token out of a Discord 5xx's error", async () => {
    const error = await failedAnswer(500, Routes.webhookMessage('123456789012345678', INTERACTION_TOKEN, '@original'));
    const { lines, logger } = capture();
    logger.warn({ err: error }, 'could not tell the member about a failure');
    expect(lines[0]).not.toContain(INTERACTION_TOKEN);
    expect((JSON.parse(lines[0]!) as { err: { url: string; status: number } }).err).toMatchObject({ status: 500 });
    expect((JSON.parse(lines[0]!) as { err: { url: string } }).err.url).toMatch(/\/webhooks\/123456789012345678\/:token\/messages\/%40original$/u);
  });

  it("masks a token in an error's message, stack and causes, and leaves other errors as pino writes them", () => {
    const cause = new Error(`connect ECONNREFUSED for /api/v10/interactions/1/${INTERACTION_TOKEN}/callback`);
    const error = Object.assign(new TypeError('fetch failed', { cause }), { code: 'UND_ERR_SOCKET', attempts: [1, 2] });
    const { lines, logger } = capture();
    logger.error({ err: error }, 'interaction failed');
    expect(lines[0]).not.toContain(INTERACTION_TOKEN);
    const logged = JSON.parse(lines[0]!) as { err: Record<string, unknown> };
    expect(logged.err).toMatchObject({ type: 'TypeError', code: 'UND_ERR_SOCKET', attempts: [1, 2] });
    expect(logged.err.message).toContain('/interactions/1/:token/callback');
    expect(logged.err.stack).toContain('TypeError: fetch failed');
  });

  it('still redacts credentials given by name', () => {
    const { lines, logger } = capture();
    logger.info({ DISCORD_TOKEN: 'secret-1', config: { DATABASE_URL: 'postgres://u:secret-2@db/x' }, token: 'secret-3' }, 'start');
    expect(lines[0]).not.toMatch(/secret-[123]/u);
  });

  it('masks only the token segment of interaction and webhook paths', () => {
    expect(withoutDiscordTokens(`https://discord.com/api/v10/interactions/42/${INTERACTION_TOKEN}/callback?with_response=true`)).toBe(
      'https://discord.com/api/v10/interactions/42/:token/callback?with_response=true',
    );
    expect(withoutDiscordTokens(`/webhooks/42/${INTERACTION_TOKEN}/messages/99`)).toBe('/webhooks/42/:token/messages/99');
    expect(withoutDiscordTokens('/webhooks/42')).toBe('/webhooks/42');
    expect(withoutDiscordTokens('/channels/42/messages/7')).toBe('/channels/42/messages/7');
    expect(withoutDiscordTokens('/interactions/:id/:token/callback')).toBe('/interactions/:id/:token/callback');
  });
});
