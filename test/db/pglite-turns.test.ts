import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { testDatabaseTargets, useTestDatabase } from '../support/databases.js';

const pglite = testDatabaseTargets().filter((target) => target.kind === 'pglite');

/*
 * PGlite runs in the bot's process. A transaction's statements ran back to back in one turn of the event loop: an
 * upload's import held it for seconds, and no interaction, timer or heartbeat ran meanwhile.
 */
describe.runIf(pglite.length > 0)('the embedded database between statements', () => {
  const database = useTestDatabase(pglite[0] ?? testDatabaseTargets()[0]!);

  it('lets timers run between the statements of a transaction', async () => {
    let ticks = 0;
    const timer = setInterval(() => (ticks += 1), 5);
    try {
      await database().db.transaction().execute(async (trx) => {
        // Each statement a few tens of milliseconds of PGlite's work, one after the other.
        for (let i = 0; i < 8; i += 1) await sql`select count(*) from generate_series(1, 200000)`.execute(trx);
      });
    } finally {
      clearInterval(timer);
    }
    expect(ticks).toBeGreaterThan(0);
  });
});
