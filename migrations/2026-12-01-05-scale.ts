import { sql, type Kysely } from 'kysely';

// Frozen in time: this file describes the schema as it was on its date and never imports src/.

export async function up(db: Kysely<unknown>): Promise<void> {
  // Claims still open (a post being sent, or left by a process that died): the scheduler asks when the
  // oldest one runs out, to take it over then instead of at a later tick. Small, since sent posts leave it.
  await db.schema
    .createIndex('deliveries_open_claims_idx')
    .on('deliveries')
    .column('claimed_at')
    .where(sql.ref('status'), '=', 'claimed')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('deliveries_open_claims_idx').execute();
}
