import type { IncomingMessage } from 'node:http';
import type { APIAttachment } from 'discord.js';
import { apiErrors } from './errors.js';
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

/** Reads a JSON body, or a multipart body whose `payload_json` field holds the JSON (files alongside). */
export async function readBody(request: IncomingMessage): Promise<ParsedBody> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  const contentType = request.headers['content-type'] ?? '';
  if (raw.length === 0) return { body: null, files: [] };
  if (contentType.startsWith('multipart/form-data')) return parseMultipart(raw, contentType);
  if (contentType.startsWith('application/json')) return { body: parseJson(raw.toString('utf8')), files: [] };
  return { body: null, files: [] };
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
