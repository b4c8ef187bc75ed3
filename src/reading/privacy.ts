import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { deleteMemberRows, memberRows, type MemberRows } from '../db/privacy.js';
import { UserError } from '../user-error.js';
import type { ReadingDeps } from './deps.js';
import { exportJson } from './export-json.js';
import { retryIfAborted } from './retry.js';

const gzipAsync = promisify(gzip);

/** How long the forget-me confirm button works. */
export const FORGET_CONFIRM_SECONDS = 120;

export interface MemberExport {
  readonly format: 'newsdesk-member-export';
  readonly version: 1;
  readonly userId: string;
  readonly exportedAt: string;
  /** Every row about the member, in every server, by table. */
  readonly tables: MemberRows;
}

/** Everything stored about a member, in every server, as one JSON document. */
export async function exportMember(deps: ReadingDeps, userId: string): Promise<{ json: string; rows: number }> {
  const { document, rows } = await memberExport(deps, userId);
  return { json: `${await documentJson(document, true)}\n`, rows };
}

async function memberExport(deps: ReadingDeps, userId: string): Promise<{ document: MemberExport; rows: number }> {
  const tables = await deps.db.transaction().execute((trx) => memberRows(trx, userId));
  const document: MemberExport = { format: 'newsdesk-member-export', version: 1, userId, exportedAt: deps.now().toISOString(), tables };
  return { document, rows: Object.values(tables).reduce((sum, list) => sum + list.length, 0) };
}

/** The export as the file a reply attaches: indented JSON, else JSON on one line, else that gzipped. */
export interface ExportFile {
  readonly name: string;
  readonly data: Buffer;
  readonly form: 'json' | 'compact json' | 'gzip';
  readonly rows: number;
}

/**
 * The member's export as one file of at most `maxBytes` (Discord's upload limit for the interaction): indented
 * JSON while it fits (~260 bytes a reading event: 8 MiB at ~32,000), then on one line (~30 % smaller), then
 * gzipped (~10× smaller); a history too big even then is told, never sent to be refused whole.
 */
export async function memberExportFile(deps: ReadingDeps, userId: string, maxBytes: number): Promise<ExportFile> {
  const { document, rows } = await memberExport(deps, userId);
  const name = `newsdesk-data-${userId}.json`;
  const pretty = Buffer.from(`${await documentJson(document, true)}\n`, 'utf8');
  if (pretty.length <= maxBytes) return { name, data: pretty, form: 'json', rows };
  const compact = Buffer.from(`${await documentJson(document, false)}\n`, 'utf8');
  if (compact.length <= maxBytes) return { name, data: compact, form: 'compact json', rows };
  // Off the event loop: a few MB take tens of milliseconds to compress.
  const zipped = await gzipAsync(compact);
  if (zipped.length <= maxBytes) return { name: `${name}.gz`, data: zipped, form: 'gzip', rows };
  throw new UserError(
    `Your data (${rows} records, ${megabytes(zipped.length)} MB even compressed) is larger than the ${megabytes(maxBytes)} MB Discord lets me attach here. Ask the bot's operator for a copy.`,
  );
}

const megabytes = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);

/** The document's JSON, written a slice of rows at a time between turns of the event loop (export-json.ts). */
function documentJson(document: MemberExport, pretty: boolean): Promise<string> {
  return exportJson(document, { pretty, replacer: jsonValue, pause: () => new Promise((resolve) => setImmediate(resolve)) });
}

/** bigint columns arrive as strings already; Dates become ISO strings. */
function jsonValue(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

export interface ForgetOutcome {
  /** Rows deleted (or anonymised) per table; tables with none are left out. */
  readonly deleted: Readonly<Record<string, number>>;
  readonly total: number;
}

/** What a forget-me confirmation came to: Delete's outcome, or Cancel (nothing deleted). */
export type ForgetDecision = { readonly cancelled: true } | { readonly cancelled: false; readonly outcome: ForgetOutcome };

export const CANCELLED: ForgetDecision = { cancelled: true };

/** Deletes every row about the member in every table, in one transaction. */
export async function forgetMember(deps: ReadingDeps, userId: string): Promise<ForgetOutcome> {
  const counts = await retryIfAborted(() => deps.db.transaction().execute((trx) => deleteMemberRows(trx, userId)));
  const deleted = Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));
  return { deleted, total: Object.values(deleted).reduce((sum, n) => sum + n, 0) };
}

/** When a forget-me confirmation asked for now stops working (unix seconds). */
export function forgetConfirmationExpiry(deps: ReadingDeps): number {
  return Math.floor(deps.now().getTime() / 1000) + FORGET_CONFIRM_SECONDS;
}

/** The confirm button pressed: forgets the member unless the confirmation expired. */
export async function confirmForget(deps: ReadingDeps, userId: string, expiresAt: number): Promise<ForgetOutcome> {
  if (deps.now().getTime() / 1000 > expiresAt) {
    throw new UserError('This confirmation has expired: nothing was deleted. Run `/privacy forget-me` again.');
  }
  return forgetMember(deps, userId);
}
