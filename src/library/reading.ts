import type { Kysely } from 'kysely';
import { recordReading, type ReadOutcome, type ReadingEvent } from '../db/reading.js';
import type { DB } from '../db/schema.js';

/** Records a read in one transaction: the event, the member's row and the lesson's counters move together. */
export function recordRead(db: Kysely<DB>, event: ReadingEvent): Promise<ReadOutcome> {
  return db.transaction().execute((trx) => recordReading(trx, event));
}
