import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../logger.js';
import { listen } from '../listen.js';
import type { ActionResult, PageAttachment, PlaygroundActions } from './actions.js';
import { projectRoot } from '../project-root.js';
import type { PageCommandInput } from './command-input.js';
import type { Timeline, TimelineEvent } from './timeline.js';
import { PEOPLE } from './world.js';
import type { DiscordStandIn, StandInGuild } from '../local-discord/index.js';

/** The page's files: plain ES modules and CSS, served as they are (no build step); from dist/, the sources' copy. */
const WEB_DIR = [fileURLToPath(new URL('./web/', import.meta.url)), join(projectRoot(), 'src', 'playground', 'web') + sep].find((dir) =>
  existsSync(join(dir, 'index.html')),
) ?? fileURLToPath(new URL('./web/', import.meta.url));
const MAX_BODY_BYTES = 16 * 1024 * 1024;
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};
const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: http://127.0.0.1:*; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

export interface PlaygroundWebServer {
  readonly url: string;
  close(): Promise<void>;
}

interface WebDeps {
  discord: DiscordStandIn;
  guild: StandInGuild;
  actions: PlaygroundActions;
  timeline: Timeline;
  logger: Logger;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The page and its JSON API, on 127.0.0.1 only. Live updates are Server-Sent Events. */
export async function startWebServer(port: number, deps: WebDeps): Promise<PlaygroundWebServer> {
  const streams = new Set<ServerResponse>();
  let allowedHosts: Set<string> = new Set();
  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      if (status === 500) deps.logger.error({ err: error, path: request.url }, 'playground request failed');
      if (!response.headersSent) json(response, status, { error: error instanceof HttpError ? error.message : 'internal error' });
      else response.end();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    // Only this machine's browser, by a loopback name (a page elsewhere cannot rebind a name to us).
    if (!allowedHosts.has(request.headers.host ?? '')) throw new HttpError(421, 'unexpected Host header');
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const method = request.method ?? 'GET';
    if (method === 'GET') {
      if (url.pathname === '/') return serveFile(response, 'index.html');
      if (url.pathname.startsWith('/static/')) return serveFile(response, url.pathname.slice('/static/'.length));
      if (url.pathname === '/api/state') return json(response, 200, snapshot(deps));
      if (url.pathname === '/api/events') return openStream(request, response);
      throw new HttpError(404, 'not found');
    }
    if (method !== 'POST') throw new HttpError(405, 'method not allowed');
    // Other sites' pages cannot post here: JSON only (a cross-site form cannot send it) and our own Origin.
    const origin = request.headers.origin;
    if (origin !== undefined && !allowedHosts.has(origin.replace(/^http:\/\//u, ''))) throw new HttpError(403, 'cross-origin request refused');
    if (!(request.headers['content-type'] ?? '').startsWith('application/json')) throw new HttpError(415, 'send JSON');
    const body = await readJson(request);
    return json(response, 200, await act(url.pathname, body));
  }

  async function act(path: string, body: Record<string, unknown>): Promise<ActionResult<object>> {
    const who = str(body.person);
    const channelId = str(body.channelId);
    switch (path) {
      case '/api/command':
        return deps.actions.runCommand(who, channelId, commandInput(body.command), attachments(body.attachments));
      case '/api/autocomplete':
        return deps.actions.autocomplete(who, channelId, commandInput(body.command));
      case '/api/component':
        return deps.actions.clickComponent(who, channelId, {
          messageId: str(body.messageId),
          customId: str(body.customId),
          componentType: Number(body.componentType),
          ...(Array.isArray(body.values) ? { values: body.values.map(String) } : {}),
        });
      case '/api/post-now':
        return deps.actions.postNow();
      case '/api/schedule-next-minute':
        return deps.actions.scheduleNextMinute(str(body.timeZone) || 'UTC');
      default:
        throw new HttpError(404, 'not found');
    }
  }

  function openStream(request: IncomingMessage, response: ServerResponse): void {
    response.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/event-stream', Connection: 'keep-alive' });
    response.write('retry: 1000\n\n');
    streams.add(response);
    request.on('close', () => streams.delete(response));
  }

  const unsubscribe = deps.timeline.subscribe((event) => {
    const data = `data: ${JSON.stringify(eventForPage(event, deps))}\n\n`;
    for (const stream of streams) stream.write(data);
  });
  // Keeps idle connections open through proxies and lets the page notice a stopped playground.
  const keepAlive = setInterval(() => {
    for (const stream of streams) stream.write(': ping\n\n');
  }, 15_000);
  keepAlive.unref();

  await listen(server, port, 'PLAYGROUND_PORT', '127.0.0.1');
  const actualPort = (server.address() as AddressInfo).port;
  allowedHosts = new Set([`127.0.0.1:${actualPort}`, `localhost:${actualPort}`]);
  return {
    url: `http://127.0.0.1:${actualPort}`,
    async close() {
      unsubscribe();
      clearInterval(keepAlive);
      for (const stream of streams) stream.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function serveFile(response: ServerResponse, relative: string): Promise<void> {
  const path = normalize(join(WEB_DIR, relative));
  const type = CONTENT_TYPES[extname(path)];
  if (!path.startsWith(WEB_DIR.endsWith(sep) ? WEB_DIR : WEB_DIR + sep) || !type) throw new HttpError(404, 'not found');
  let content: Buffer;
  try {
    content = await readFile(path);
  } catch {
    throw new HttpError(404, 'not found');
  }
  response.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': type });
  response.end(content);
}

function snapshot(deps: WebDeps) {
  return {
    guild: { id: deps.guild.id, name: deps.guild.name },
    bot: { id: deps.discord.botUser.id, username: deps.discord.botUser.username },
    people: PEOPLE.map((p) => ({
      key: p.key,
      label: p.label,
      id: p.user.id,
      username: p.user.username,
      globalName: p.user.globalName,
      roles: p.member.roles ?? [],
      // The commands this person's Discord client would list (default_member_permissions).
      commands: deps.actions
        .commands()
        .filter((c) => deps.actions.canSee(p, c))
        .map((c) => c.name),
    })),
    roles: deps.discord.guild(deps.guild.id).roles.map((r) => ({ id: r.id, name: r.name, color: r.color })),
    channels: deps.discord.channels(deps.guild.id).map(pageChannel),
    commands: deps.actions.commands(),
    connected: deps.actions.connected(),
    messages: deps.timeline.messages(),
    notices: deps.timeline.notices(),
  };
}

function eventForPage(event: TimelineEvent, deps: WebDeps): unknown {
  if (event.type === 'channels') return { type: 'channels', channels: deps.discord.channels(deps.guild.id).map(pageChannel) };
  if (event.type === 'commands') return { type: 'commands', ...snapshot(deps) };
  return event;
}

function pageChannel(channel: { id: string; name: string; type: number; parent_id: string | null; topic: string | null }) {
  return { id: channel.id, name: channel.name, type: channel.type, parentId: channel.parent_id, topic: channel.topic };
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'request too large (files up to 10 MiB)');
    chunks.push(chunk as Buffer);
  }
  try {
    const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new HttpError(400, 'expected a JSON object');
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function commandInput(value: unknown): PageCommandInput {
  const input = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const options = Array.isArray(input.options) ? input.options : [];
  return {
    name: str(input.name),
    subcommandGroup: str(input.subcommandGroup) || undefined,
    subcommand: str(input.subcommand) || undefined,
    options: options
      .filter((o): o is Record<string, unknown> => typeof o === 'object' && o !== null)
      .map((o) => ({ name: str(o.name), value: str(o.value), ...(str(o.shown) ? { shown: str(o.shown) } : {}) })),
    focused: str(input.focused) || undefined,
  };
}

function attachments(value: unknown): PageAttachment[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((a): a is Record<string, unknown> => typeof a === 'object' && a !== null)
    .map((a) => ({ optionName: str(a.optionName), filename: str(a.filename) || 'file', contentType: str(a.contentType), data: str(a.data) }));
}
