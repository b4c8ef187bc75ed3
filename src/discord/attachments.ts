import type { Attachment } from 'discord.js';
import { UserError } from '../user-error.js';

const DOWNLOAD_TIMEOUT_MS = 15_000;

/** Downloads a member's upload from Discord's CDN, within a time and a size limit. */
export async function downloadAttachment(file: Pick<Attachment, 'url'>, maxBytes: number): Promise<Uint8Array> {
  if (!/^https?:\/\//u.test(file.url)) throw new UserError('That attachment cannot be downloaded.');
  const response = await fetch(file.url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) }).catch(() => {
    throw new UserError('I could not download that file from Discord. Please try again.');
  });
  if (!response.ok) throw new UserError('I could not download that file from Discord. Please try again.');
  return readAtMost(response, maxBytes);
}

const TOO_LARGE = 'That file is too large to be a lesson file.';

/**
 * The body, read only as far as `maxBytes`: the size an upload declares is checked before, but what the CDN
 * sends is what fills memory, so a larger body is cut off at the limit rather than read whole.
 */
async function readAtMost(response: Response, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new UserError(TOO_LARGE);
  }
  const chunks: Uint8Array[] = [];
  let length = 0;
  try {
    for await (const chunk of response.body ?? []) {
      length += chunk.byteLength;
      if (length > maxBytes) throw new UserError(TOO_LARGE);
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError('I could not download that file from Discord. Please try again.');
  }
  return Buffer.concat(chunks, length);
}

/**
 * An uploaded file's name made safe to show and log: letters and digits of any script, dots, dashes and underscores, at
 * most 100 characters (never half of one). `\w` kept only ASCII: `レッスン.txt` showed as `_.txt`.
 */
export function safeFileName(file: Attachment): string {
  return [...file.name.replace(/[^\p{L}\p{M}\p{N}._-]+/gu, '_')].slice(0, 100).join('') || 'upload';
}
