import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

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

export interface DB {
  lessons: LessonsTable;
  lesson_readers: LessonReadersTable;
  reading_events: ReadingEventsTable;
}

export type LessonRow = Selectable<LessonsTable>;
export type NewLessonRow = Insertable<LessonsTable>;
