import { deleteMemberRows, memberRows, type MemberRows } from '../db/privacy.js';
import { UserError } from '../user-error.js';
import type { ReadingDeps } from './deps.js';
import { retryIfAborted } from './retry.js';

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
  const tables = await deps.db.transaction().execute((trx) => memberRows(trx, userId));
  const document: MemberExport = { format: 'newsdesk-member-export', version: 1, userId, exportedAt: deps.now().toISOString(), tables };
  const rows = Object.values(tables).reduce((sum, list) => sum + list.length, 0);
  return { json: `${JSON.stringify(document, jsonValue, 2)}\n`, rows };
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
