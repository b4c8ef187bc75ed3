import { sql, type Kysely } from 'kysely';

// Frozen in time: this file describes the schema as it was on its date and never imports src/.

export async function up(db: Kysely<unknown>): Promise<void> {
  // One row per lesson whose vocabulary was computed: for which content and which word lists, and its level.
  await db.schema
    .createTable('lesson_vocabularies')
    .addColumn('lesson_id', 'uuid', (col) => col.primaryKey().references('lessons.id').onDelete('cascade'))
    .addColumn('content_hash', 'text', (col) => col.notNull())
    .addColumn('lexicon_version', 'text', (col) => col.notNull())
    .addColumn('level', 'text', (col) => col.notNull().check(sql`level in ('A2', 'B1', 'B2', 'C1')`))
    .addColumn('outside_2k', 'real', (col) => col.notNull())
    .addColumn('outside_5k', 'real', (col) => col.notNull())
    .addColumn('counted_words', 'integer', (col) => col.notNull())
    .addColumn('computed_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('lesson_vocabulary_words')
    .addColumn('lesson_id', 'uuid', (col) => col.notNull().references('lesson_vocabularies.lesson_id').onDelete('cascade'))
    .addColumn('position', 'smallint', (col) => col.notNull())
    .addColumn('word', 'text', (col) => col.notNull())
    .addColumn('lemma', 'text', (col) => col.notNull())
    .addColumn('pos', 'text', (col) => col.notNull().check(sql`pos in ('noun', 'verb', 'adjective', 'adverb')`))
    .addColumn('definition', 'text', (col) => col.notNull())
    .addColumn('sentence', 'text', (col) => col.notNull())
    .addColumn('source', 'text', (col) => col.notNull().check(sql`source in ('article', 'dialogue')`))
    .addColumn('frequency', 'integer', (col) => col.notNull())
    .addColumn('distractors', 'jsonb', (col) => col.notNull())
    .addPrimaryKeyConstraint('lesson_vocabulary_words_pk', ['lesson_id', 'position'])
    .execute();

  // One row per quiz a member started; attempts are numbered per member and lesson.
  await db.schema
    .createTable('quiz_attempts')
    .addColumn('id', 'integer', (col) => col.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('lesson_id', 'uuid', (col) => col.notNull().references('lessons.id').onDelete('cascade'))
    .addColumn('guild_id', 'text', (col) => col.notNull())
    .addColumn('user_id', 'text', (col) => col.notNull())
    .addColumn('attempt_number', 'integer', (col) => col.notNull())
    .addColumn('question_count', 'smallint', (col) => col.notNull())
    .addColumn('score', 'smallint', (col) => col.notNull().defaultTo(0))
    .addColumn('started_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('finished_at', 'timestamptz')
    .addUniqueConstraint('quiz_attempts_member_lesson_number_key', ['guild_id', 'user_id', 'lesson_id', 'attempt_number'])
    .execute();

  // The questions of an attempt as they were asked (a later recomputation of the vocabulary changes nothing
  // here), and the member's answer to each, with its time.
  await db.schema
    .createTable('quiz_questions')
    .addColumn('attempt_id', 'integer', (col) => col.notNull().references('quiz_attempts.id').onDelete('cascade'))
    .addColumn('position', 'smallint', (col) => col.notNull())
    .addColumn('lemma', 'text', (col) => col.notNull())
    .addColumn('prompt', 'text', (col) => col.notNull())
    .addColumn('answer', 'text', (col) => col.notNull())
    .addColumn('choices', 'jsonb', (col) => col.notNull())
    .addColumn('chosen', 'text')
    .addColumn('correct', 'boolean')
    .addColumn('answered_at', 'timestamptz')
    .addPrimaryKeyConstraint('quiz_questions_pk', ['attempt_id', 'position'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('quiz_questions').execute();
  await db.schema.dropTable('quiz_attempts').execute();
  await db.schema.dropTable('lesson_vocabulary_words').execute();
  await db.schema.dropTable('lesson_vocabularies').execute();
}
