import { sql, type Kysely } from 'kysely';

// Frozen in time: this file describes the schema as it was on its date and never imports src/.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('lessons')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('category', 'text', (col) => col.notNull())
    .addColumn('url', 'text', (col) => col.notNull())
    .addColumn('article_date', 'date', (col) => col.notNull())
    .addColumn('title', 'text', (col) => col.notNull())
    .addColumn('summary', 'text', (col) => col.notNull())
    .addColumn('article', 'jsonb', (col) => col.notNull())
    .addColumn('dialogue', 'jsonb', (col) => col.notNull())
    .addColumn('similar_readings', 'jsonb', (col) => col.notNull())
    .addColumn('source_words', 'integer', (col) => col.notNull())
    .addColumn('source_read_count', 'integer', (col) => col.notNull())
    .addColumn('source_created_at', 'timestamptz', (col) => col.notNull())
    .addColumn('source_updated_at', 'timestamptz', (col) => col.notNull())
    .addColumn('source_last_read_at', 'timestamptz')
    .addColumn('article_words', 'integer', (col) => col.notNull())
    .addColumn('dialogue_words', 'integer', (col) => col.notNull())
    .addColumn('content_hash', 'text', (col) => col.notNull())
    .addColumn('imported_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    // Reading data recorded by the bot; an import never writes these.
    .addColumn('read_count', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('last_read_at', 'timestamptz')
    .execute();

  await db.schema.createIndex('lessons_article_date_idx').on('lessons').columns(['article_date desc', 'id']).execute();

  // One row per member (server + user) who opened or finished a lesson: read counts count members, not clicks.
  await db.schema
    .createTable('lesson_readers')
    .addColumn('lesson_id', 'uuid', (col) => col.notNull().references('lessons.id').onDelete('cascade'))
    .addColumn('guild_id', 'text', (col) => col.notNull())
    .addColumn('user_id', 'text', (col) => col.notNull())
    .addColumn('first_read_at', 'timestamptz', (col) => col.notNull())
    .addColumn('last_read_at', 'timestamptz', (col) => col.notNull())
    .addColumn('dialogue_read_at', 'timestamptz')
    .addColumn('article_read_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    .addPrimaryKeyConstraint('lesson_readers_pk', ['lesson_id', 'guild_id', 'user_id'])
    .execute();

  await db.schema.createIndex('lesson_readers_member_idx').on('lesson_readers').columns(['guild_id', 'user_id']).execute();

  // Append-only history of what each member opened, for progress and streaks.
  await db.schema
    .createTable('reading_events')
    .addColumn('id', 'bigint', (col) => col.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('lesson_id', 'uuid', (col) => col.notNull().references('lessons.id').onDelete('cascade'))
    .addColumn('guild_id', 'text', (col) => col.notNull())
    .addColumn('user_id', 'text', (col) => col.notNull())
    .addColumn('kind', 'text', (col) => col.notNull().check(sql`kind in ('dialogue', 'article', 'finished')`))
    .addColumn('occurred_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createIndex('reading_events_member_idx')
    .on('reading_events')
    .columns(['guild_id', 'user_id', 'occurred_at'])
    .execute();
  await db.schema.createIndex('reading_events_lesson_idx').on('reading_events').column('lesson_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('reading_events').execute();
  await db.schema.dropTable('lesson_readers').execute();
  await db.schema.dropTable('lessons').execute();
}
