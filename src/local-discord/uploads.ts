import type { IncomingMessage } from 'node:http';
import type { APIAttachment } from 'discord.js';
import { ApiError, apiErrors } from './errors.js';
import { isObject, type JsonObject, type UploadedFile } from './objects.js';
import type { StandInState } from './state.js';

export type JsonBody = JsonObject | unknown[] | null;

/**
 * The largest file Discord takes in a message without the server's boosts (10 MiB), and what an interaction's
 * `attachment_size_limit` says here: a bigger one is refused, the whole request with it (413, 40005).
 */
export const ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024;

export interface ParsedBody {
  body: JsonBody;
  files: UploadedFile[];
}

/**
 * The largest request body read (25 MiB: Discord's own cap on a request's files without boosts, and room for a
 * file at ATTACHMENT_SIZE_LIMIT with its JSON): a longer one is refused (413, 40005) as soon as its
 * `Content-Length` says so, or while it streams in, without keeping more than this of it in memory.
 */
export const REQUEST_BODY_LIMIT = 25 * 1024 * 1024;

/** A body cut off at REQUEST_BODY_LIMIT: answered 413, and its connection closed (the rest is never read). */
export class BodyTooLargeError extends ApiError {
  constructor() {
    const refused = apiErrors.requestEntityTooLarge();
    super(refused.status, refused.code, refused.message);
  }
}

/** Reads a JSON body, or a multipart body whose `payload_json` field holds the JSON (files alongside). */
export async function readBody(request: IncomingMessage, limit = REQUEST_BODY_LIMIT): Promise<ParsedBody> {
  const raw = await readRaw(request, limit);
  const contentType = request.headers['content-type'] ?? '';
  if (raw.length === 0) return { body: null, files: [] };
  if (contentType.startsWith('multipart/form-data')) return parseMultipart(raw, contentType);
  if (contentType.startsWith('application/json')) return { body: parseJson(raw.toString('utf8')), files: [] };
  return { body: null, files: [] };
}

/** The body's bytes, up to `limit`: past it, reading stops (the request is paused, not consumed) and BodyTooLargeError is thrown. */
function readRaw(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new BodyTooLargeError());
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      request.off('data', onData).off('end', onEnd).off('error', onError);
      // The client may still reset the connection (a body cut off): nothing listens for that any more.
      request.on('error', () => undefined);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        stop();
        request.pause();
        chunks.length = 0;
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      resolve(Buffer.concat(chunks));
    };
    const onError = (error: Error) => {
      stop();
      reject(error);
    };
    request.on('data', onData).on('end', onEnd).on('error', onError);
  });
}

async function parseMultipart(raw: Buffer, contentType: string): Promise<ParsedBody> {
  const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
  let body: JsonBody = null;
  const extra: JsonObject = {};
  const files: UploadedFile[] = [];
  for (const [field, value] of form.entries()) {
    if (typeof value === 'string') {
      if (field === 'payload_json') body = parseJson(value);
      else extra[field] = value;
    } else {
      files.push({
        field,
        filename: value.name,
        contentType: value.type || 'application/octet-stream',
        data: Buffer.from(await value.arrayBuffer()),
      });
    }
  }
  if (files.some((file) => file.data.length > ATTACHMENT_SIZE_LIMIT)) throw apiErrors.requestEntityTooLarge();
  if (Object.keys(extra).length > 0) body = { ...(isObject(body) ? body : {}), ...extra };
  return { body, files };
}

function parseJson(text: string): JsonBody {
  try {
    return JSON.parse(text) as JsonBody;
  } catch {
    throw apiErrors.invalidJson();
  }
}

/**
 * Turns uploaded files into attachment objects, matching `files[n]` with the `attachments: [{ id: n }]`
 * entries of the JSON body (for filename and description), and stores their content for download.
 */
export function attachmentsFromUpload(state: StandInState, body: JsonObject, files: readonly UploadedFile[]): APIAttachment[] {
  const described = Array.isArray(body.attachments) ? body.attachments.filter(isObject) : [];
  return files.map((file, index) => {
    const slot = /\[(\d+)\]$/.exec(file.field)?.[1] ?? String(index);
    const meta = described.find((a) => String(a.id) === slot);
    return state.storeAttachment({
      filename: typeof meta?.filename === 'string' ? meta.filename : file.filename,
      data: file.data,
      contentType: file.contentType,
      ...(typeof meta?.description === 'string' ? { description: meta.description } : {}),
    });
  });
}
