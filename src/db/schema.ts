import type { ColumnType, Generated, Insertable, Kysely, Selectable, Transaction } from 'kysely';

/** Timestamps are read as Date and may be written as Date or ISO string. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** `date` columns are read as 'YYYY-MM-DD' strings (a type parser is installed for both drivers). */
type CalendarDate = ColumnType<string, string, string>;
/** jsonb columns: written as JSON text, read back parsed. */
type Json<T> = ColumnType<T, string, string>;

export interface LessonsTable {
  id: string;
  category: string;
  url: string;
  article_date: CalendarDate;
  title: string;
  summary: string;
  article: Json<string[]>;
  dialogue: Json<{ speaker: string; text: string }[]>;
  similar_readings: Json<string[]>;
  source_words: number;
  source_read_count: number;
  source_created_at: Timestamp;
  source_updated_at: Timestamp;
  source_last_read_at: ColumnType<Date | null, Date | string | null, Date | string | null>;
  article_words: number;
  dialogue_words: number;
  content_hash: string;
  imported_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
  read_count: ColumnType<number, number | undefined, number>;
  last_read_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface LessonReadersTable {
  lesson_id: string;
  guild_id: string;
  user_id: string;
  first_read_at: Timestamp;
  last_read_at: Timestamp;
  dialogue_read_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  article_read_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  finished_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** The latest open of each part (maintained by a trigger from reading_events). */
  dialogue_last_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  article_last_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export type ReadingKind = 'dialogue' | 'article' | 'finished';

export interface ReadingEventsTable {
  id: Generated<string>;
  lesson_id: string;
  guild_id: string;
  user_id: string;
  kind: ReadingKind;
  occurred_at: DefaultedTimestamp;
}

/** A member's own settings, the same in every server. */
export interface MemberSettingsTable {
  user_id: string;
  timezone: string | null;
  leaderboard_visible: ColumnType<boolean, boolean | undefined, boolean>;
  updated_at: DefaultedTimestamp;
}

/** Lessons and words read per member and server, kept by triggers from lesson_readers. */
export interface MemberReadingTotalsTable {
  guild_id: string;
  user_id: string;
  lessons_read: ColumnType<number, number | undefined, number>;
  /** bigint: read as a string by the drivers. */
  words_read: ColumnType<string, number | string | undefined, number | string>;
  last_read_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

/** Per server and window length (days): totals below count lesson_readers rows read at or after `boundary`. */
export interface LeaderboardWindowsTable {
  guild_id: string;
  days: number;
  boundary: Timestamp;
}

/** Lessons and words read per member in a server's window, kept by triggers and the window's boundary moves. */
export interface MemberWindowTotalsTable {
  guild_id: string;
  days: number;
  user_id: string;
  lessons_read: ColumnType<number, number | undefined, number>;
  words_read: ColumnType<string, number | string | undefined, number | string>;
}

/** Members per number of lessons read, per board (days 0: all time); kept by triggers. */
export interface LeaderboardCountsTable {
  guild_id: string;
  days: number;
  lessons_read: number;
  members: number;
}

type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface GuildSettingsTable {
  guild_id: string;
  alerts_channel_id: string | null;
  moderator_role_id: string | null;
  updated_at: DefaultedTimestamp;
}

export interface SchedulesTable {
  guild_id: string;
  channel_id: string;
  /** 'HH:MM:SS' as PostgreSQL prints a `time`. */
  post_time: string;
  timezone: string;
  role_id: string | null;
  create_thread: ColumnType<boolean, boolean | undefined, boolean>;
  paused: ColumnType<boolean, boolean | undefined, boolean>;
  effective_from: DefaultedTimestamp;
  failure_count: ColumnType<number, number | undefined, number>;
  retry_at: NullableTimestamp;
  last_failure_at: NullableTimestamp;
  last_failure_reason: string | null;
  last_posted_at: NullableTimestamp;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

export interface LessonPlansTable {
  guild_id: string;
  local_date: CalendarDate;
  lesson_id: string;
  planned_by: string;
  created_at: DefaultedTimestamp;
}

export type DeliveryStatus = 'claimed' | 'sent' | 'failed';

export interface DeliveriesTable {
  guild_id: string;
  local_date: CalendarDate;
  sequence: ColumnType<number, number | undefined, number>;
  lesson_id: string;
  channel_id: string;
  status: DeliveryStatus;
  nonce: string;
  claimed_by: string;
  claimed_at: Timestamp;
  attempts: ColumnType<number, number | undefined, number>;
  message_id: string | null;
  thread_id: string | null;
  sent_at: NullableTimestamp;
  sent_payload: ColumnType<unknown, string | null | undefined, string | null>;
  last_error: string | null;
}

export interface AlertsSentTable {
  guild_id: string;
  kind: string;
  key: string;
  sent_at: DefaultedTimestamp;
}

export interface LessonVocabulariesTable {
  lesson_id: string;
  content_hash: string;
  lexicon_version: string;
  level: 'A2' | 'B1' | 'B2' | 'C1';
  outside_2k: number;
  outside_5k: number;
  counted_words: number;
  computed_at: DefaultedTimestamp;
}

export interface LessonVocabularyWordsTable {
  lesson_id: string;
  position: number;
  word: string;
  lemma: string;
  pos: 'noun' | 'verb' | 'adjective' | 'adverb';
  definition: string;
  sentence: string;
  source: 'article' | 'dialogue';
  frequency: number;
  distractors: Json<string[]>;
}

export interface QuizAttemptsTable {
  id: Generated<number>;
  lesson_id: string;
  guild_id: string;
  user_id: string;
  attempt_number: number;
  question_count: number;
  score: ColumnType<number, number | undefined, number>;
  started_at: DefaultedTimestamp;
  finished_at: NullableTimestamp;
}

export interface QuizQuestionsTable {
  attempt_id: number;
  position: number;
  lemma: string;
  prompt: string;
  answer: string;
  choices: Json<string[]>;
  chosen: ColumnType<string | null, string | null | undefined, string | null>;
  correct: ColumnType<boolean | null, boolean | null | undefined, boolean | null>;
  answered_at: NullableTimestamp;
}

export interface DB {
  lessons: LessonsTable;
  lesson_readers: LessonReadersTable;
  reading_events: ReadingEventsTable;
  guild_settings: GuildSettingsTable;
  schedules: SchedulesTable;
  lesson_plans: LessonPlansTable;
  deliveries: DeliveriesTable;
  alerts_sent: AlertsSentTable;
  member_settings: MemberSettingsTable;
  member_reading_totals: MemberReadingTotalsTable;
  leaderboard_windows: LeaderboardWindowsTable;
  member_window_totals: MemberWindowTotalsTable;
  leaderboard_counts: LeaderboardCountsTable;
  lesson_vocabularies: LessonVocabulariesTable;
  lesson_vocabulary_words: LessonVocabularyWordsTable;
  quiz_attempts: QuizAttemptsTable;
  quiz_questions: QuizQuestionsTable;
}

export type LessonRow = Selectable<LessonsTable>;
export type NewLessonRow = Insertable<LessonsTable>;

/** What query functions take: the database, or the caller's transaction (the caller owns it). */
export type Executor = Kysely<DB> | Transaction<DB>;
