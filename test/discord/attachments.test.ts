import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadAttachment } from '../../src/discord/attachments.js';
import { UserError } from '../../src/user-error.js';

/*
 * An upload is read only as far as the limit, whatever size the attachment declared: a CDN answer larger than
 * that (or without end) is cut off, so one member's file never fills the bot's memory.
 */
const LIMIT = 64 * 1024;
let server: Server;
let base = '';
const sentBytes = new Map<string, number>();

beforeAll(async () => {
  server = createServer((request, response) => {
    const path = request.url ?? '/';
    let sent = 0;
    const chunk = Buffer.alloc(16 * 1024, 0x61);
    if (path === '/endless') {
      // No Content-Length: chunks until the reader goes away.
      response.writeHead(200, { 'content-type': 'text/plain' });
      const write = () => {
        while (!response.destroyed && response.write(chunk)) sent += chunk.length;
        sentBytes.set(path, sent);
        if (!response.destroyed) response.once('drain', write);
      };
      response.on('close', () => sentBytes.set(path, sent));
      write();
    } else if (path === '/declared-large') {
      response.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(10 * LIMIT) });
      response.write(chunk);
    } else {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end(Buffer.alloc(LIMIT, 0x62));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** What the download reads of an attachment: its URL (the declared size was checked before, by the command). */
function upload(path: string): { url: string } {
  return { url: `${base}${path}` };
}

describe('downloadAttachment', () => {
  it('returns a body within the limit whole', async () => {
    const bytes = await downloadAttachment(upload('/exact'), LIMIT);
    expect(bytes.byteLength).toBe(LIMIT);
    expect(bytes.every((byte) => byte === 0x62)).toBe(true);
  });

  it('stops reading a body without end at the limit (whatever size the upload declared)', async () => {
    const error = await downloadAttachment(upload('/endless'), LIMIT).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toBe('That file is too large to be a lesson file.');
    // The server saw the reader go: it wrote a few socket buffers past the limit, not without end.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(sentBytes.get('/endless')).toBeLessThan(64 * LIMIT);
  });

  it('refuses a body whose Content-Length is over the limit before reading it', async () => {
    await expect(downloadAttachment(upload('/declared-large'), LIMIT)).rejects.toThrow('That file is too large to be a lesson file.');
  });
});
