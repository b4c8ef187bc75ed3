import type { Attachment } from 'discord.js';
import { UserError } from '../user-error.js';

const DOWNLOAD_TIMEOUT_MS = 15_000;

/** Downloads a member's upload from Discord's CDN, within a time and a size limit. */
export async function downloadAttachment(file: Attachment, maxBytes: number): Promise<Uint8Array> {
  if (!/^https?:\/\//u.test(file.url)) throw new UserError('That attachment cannot be downloaded.');
  const response = await fetch(file.url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) }).catch(() => {
    throw new UserError('I could not download that file from Discord. Please try again.');
  });
  if (!response.ok) throw new UserError('I could not download that file from Discord. Please try again.');
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.byteLength > maxBytes) throw new UserError('That file is too large to be a lesson file.');
  return bytes;
}

/** An uploaded file's name made safe to show and log: word characters, dots and dashes, at most 100. */
export function safeFileName(file: Attachment): string {
  return file.name.replace(/[^\w.-]+/gu, '_').slice(0, 100) || 'upload';
}
