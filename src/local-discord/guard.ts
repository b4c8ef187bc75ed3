import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Who the local Discord serves: programs on this machine (the bot's discord.js client, the tests, curl), which send
 * no `Origin` header and address it as `127.0.0.1:<port>` or `localhost:<port>`. A web page on any other site can
 * reach 127.0.0.1 from a browser on this machine: every request it makes but a plain GET carries its `Origin`
 * (a WebSocket's upgrade included), and a page reaching it through a name of its own that resolves to 127.0.0.1
 * (DNS rebinding) sends that name as `Host`. Both are refused before anything is read.
 */
export function refusal(headers: IncomingHttpHeaders, port: number): string | undefined {
  if (headers.origin !== undefined) return `a web page's request (Origin ${headers.origin})`;
  const host = headers.host ?? '';
  if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) return `a request for another host (Host ${host || 'missing'})`;
  return undefined;
}

/** Answers a refused HTTP request with 403 and closes its connection (its body is never read). */
export function refuseRequest(response: ServerResponse): void {
  const body = JSON.stringify({ message: '403: Forbidden', code: 0 });
  response.writeHead(403, { 'Content-Type': 'application/json', Connection: 'close' }).end(body);
}

/** Answers a refused WebSocket upgrade with 403 and closes the socket. */
export function refuseUpgrade(socket: Duplex): void {
  socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
}
