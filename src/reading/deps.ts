import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';

/** What the reading services need: the database and the clock. */
export interface ReadingDeps {
  readonly db: Kysely<DB>;
  readonly now: () => Date;
}
