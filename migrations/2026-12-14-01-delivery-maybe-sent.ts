import { sql, type Kysely } from 'kysely';

// Frozen in time: this file describes the schema as it was on its date and never imports src/.

/*
 * A failed daily post whose send may have reached Discord (no answer, or a 5xx): its retry resends what was sent, in
 * the channel it was sent to, with its nonce, so Discord returns that message instead of posting another. Until
 * 2026-12-08 a failed post's retry took the schedule's channel and the day's lesson as they were at the retry: a
 * `/schedule set` to another channel in between posted the lesson twice (once in each), and a lesson planned or
 * imported in between was recorded against the message Discord returned, which showed the first one.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table deliveries add column maybe_sent boolean not null default false`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table deliveries drop column maybe_sent`.execute(db);
}
