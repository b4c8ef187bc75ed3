import { sql, type Kysely } from 'kysely';
import type { DB } from './schema.js';

/**
 * Jobs that one process at a time does, of the processes sharing a PostgreSQL database (`npm run start:sharded`,
 * two bots during a deploy): each an advisory lock key, an arbitrary constant no other code of the project uses.
 */
const PROCESS_LOCK_KEYS = {
  /** The table upkeep (operations/table-upkeep.ts): processes do not vacuum the same tables side by side. */
  tableUpkeep: 7_240_113_001,
  /** The vocabulary catch-up job (vocabulary/service.ts): processes do not compute the same lessons side by side. */
  vocabularyCatchUp: 7_240_113_002,
} as const;

export type ProcessLock = keyof typeof PROCESS_LOCK_KEYS;

/**
 * Takes the job's session-level lock, held until released or until the session's connection closes (a crash
 * lets it go). False when another session holds it. Run on a connection of the job's own, not a pool's: the
 * lock belongs to the connection that took it.
 */
export async function tryProcessLock(db: Kysely<DB>, lock: ProcessLock): Promise<boolean> {
  const result = await sql<{ locked: boolean }>`select pg_try_advisory_lock(${PROCESS_LOCK_KEYS[lock]}::bigint) as locked`.execute(db);
  return result.rows[0]?.locked === true;
}

export async function releaseProcessLock(db: Kysely<DB>, lock: ProcessLock): Promise<void> {
  await sql`select pg_advisory_unlock(${PROCESS_LOCK_KEYS[lock]}::bigint)`.execute(db);
}
