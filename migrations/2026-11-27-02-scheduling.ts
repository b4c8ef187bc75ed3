import { sql, type Kysely } from 'kysely';

// Frozen in time: this file describes the schema as it was on its date and never imports src/.

export async function up(db: Kysely<unknown>): Promise<void> {
  // Per-server settings that exist before (or without) a schedule.
  await db.schema
    .createTable('guild_settings')
    .addColumn('guild_id', 'text', (col) => col.primaryKey())
    .addColumn('alerts_channel_id', 'text')
    .addColumn('moderator_role_id', 'text')
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();

  // One daily post per server: where, when (local time in the server's zone), and its health.
  await db.schema
    .createTable('schedules')
    .addColumn('guild_id', 'text', (col) => col.primaryKey())
    .addColumn('channel_id', 'text', (col) => col.notNull())
    .addColumn('post_time', 'time', (col) => col.notNull())
    .addColumn('timezone', 'text', (col) => col.notNull())
    .addColumn('role_id', 'text')
    .addColumn('create_thread', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('paused', 'boolean', (col) => col.notNull().defaultTo(false))
    // Posts are due only for post times after this (set whenever the time or zone changes), so a new
    // schedule starts at its next post time, while a post missed during downtime is still caught up.
    .addColumn('effective_from', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('failure_count', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('retry_at', 'timestamptz')
    .addColumn('last_failure_at', 'timestamptz')
    .addColumn('last_failure_reason', 'text')
    .addColumn('last_posted_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();

  // A moderator's choice of lesson for one local day.
  await db.schema
    .createTable('lesson_plans')
    .addColumn('guild_id', 'text', (col) => col.notNull())
    .addColumn('local_date', 'date', (col) => col.notNull())
    .addColumn('lesson_id', 'uuid', (col) => col.notNull().references('lessons.id').onDelete('cascade'))
    .addColumn('planned_by', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('lesson_plans_pk', ['guild_id', 'local_date'])
    .execute();

  // Every post, claimed before it is sent: the primary key makes a server's daily post (sequence 0)
  // happen once per local day whatever the number of processes; forced extra posts take sequence 1, 2, ….
  await db.schema
    .createTable('deliveries')
    .addColumn('guild_id', 'text', (col) => col.notNull())
    .addColumn('local_date', 'date', (col) => col.notNull())
    .addColumn('sequence', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('lesson_id', 'uuid', (col) => col.notNull().references('lessons.id').onDelete('cascade'))
    .addColumn('channel_id', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull().check(sql`status in ('claimed', 'sent', 'failed')`))
    .addColumn('nonce', 'text', (col) => col.notNull())
    .addColumn('claimed_by', 'text', (col) => col.notNull())
    .addColumn('claimed_at', 'timestamptz', (col) => col.notNull())
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('message_id', 'text')
    .addColumn('thread_id', 'text')
    .addColumn('sent_at', 'timestamptz')
    .addColumn('sent_payload', 'jsonb')
    .addColumn('last_error', 'text')
    .addPrimaryKeyConstraint('deliveries_pk', ['guild_id', 'local_date', 'sequence'])
    .execute();

  await db.schema.createIndex('deliveries_lesson_idx').on('deliveries').columns(['guild_id', 'lesson_id']).execute();

  // Problems moderators were told about, so each is told once.
  await db.schema
    .createTable('alerts_sent')
    .addColumn('guild_id', 'text', (col) => col.notNull())
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('key', 'text', (col) => col.notNull())
    .addColumn('sent_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('alerts_sent_pk', ['guild_id', 'kind', 'key'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('alerts_sent').execute();
  await db.schema.dropTable('deliveries').execute();
  await db.schema.dropTable('lesson_plans').execute();
  await db.schema.dropTable('schedules').execute();
  await db.schema.dropTable('guild_settings').execute();
}
