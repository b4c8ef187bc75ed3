import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../src/db/schema.js';

class RolledBack extends Error {}

/** Runs `action` in a transaction that is always rolled back: what it writes is gone after, what it returns is kept. */
export async function rolledBack<T>(db: Kysely<DB>, action: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
  let result: { value: T } | undefined;
  try {
    await db.transaction().execute(async (trx) => {
      result = { value: await action(trx) };
      throw new RolledBack();
    });
  } catch (error) {
    if (!(error instanceof RolledBack)) throw error;
  }
  if (!result) throw new Error('unreachable');
  return result.value;
}

/**
 * The test's transaction as the services' database: their own transaction() runs its callback in it
 * (the statements are the same; the test rolls everything back at the end).
 */
export function joiningTransactions(trx: Transaction<DB>): Kysely<DB> {
  const joined: Kysely<DB> = new Proxy(trx, {
    get(target, property) {
      if (property === 'transaction') return () => ({ execute: <T>(callback: (inner: Transaction<DB>) => Promise<T>) => callback(joined as Transaction<DB>) });
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return joined;
}
