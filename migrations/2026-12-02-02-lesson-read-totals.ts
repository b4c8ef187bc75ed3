import { sql, type Kysely } from 'kysely';

// Frozen in time: this file describes the schema as it was on its date and never imports src/.

/*
 * A lesson's read count and latest read move out of `lessons` into `lesson_read_totals` (issue 13).
 *
 * The trigger on lesson_readers kept them on the lesson's own row, so every first read of a lesson, and
 * every later read, rewrote that row: the widest row of the database (article, dialogue and three search
 * vectors), whose page has no room for a HOT update, so each read added a new row version to every index of
 * `lessons`, its three GIN indexes included (hundreds of entries for the article's search vector, queued
 * in GIN's pending list until a member's read happened to pay for merging them). Under load that was most
 * of the database's work on the read path, and the dead versions bloated the table that autocomplete and
 * related readings read. `lessons` is now written by imports only.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('lesson_read_totals')
    .addColumn('lesson_id', 'uuid', (col) => col.primaryKey().references('lessons.id').onDelete('cascade'))
    // Members (server + user) who opened or finished the lesson, and the latest time one of them did.
    .addColumn('read_count', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('last_read_at', 'timestamptz')
    .execute();
  await sql`
    insert into lesson_read_totals (lesson_id, read_count, last_read_at)
    select id, read_count, last_read_at from lessons where read_count > 0 or last_read_at is not null`.execute(db);

  // lesson_reader_changed of 2026-12-01-03-progress, with the lesson's counters in lesson_read_totals.
  await sql`
    create or replace function lesson_reader_changed() returns trigger language plpgsql as $$
    declare
      d_words integer := 0;
      a_words integer := 0;
      lesson_delta integer := 0;
      word_delta bigint := 0;
      member_guild text;
      member_user text;
      lesson uuid;
      latest timestamptz;
      w record;
    begin
      if tg_op = 'DELETE' then
        lesson := old.lesson_id; member_guild := old.guild_id; member_user := old.user_id;
      else
        lesson := new.lesson_id; member_guild := new.guild_id; member_user := new.user_id;
      end if;
      select dialogue_words, article_words into d_words, a_words from lessons where id = lesson;
      d_words := coalesce(d_words, 0);
      a_words := coalesce(a_words, 0);

      if tg_op = 'INSERT' then
        lesson_delta := 1;
        word_delta := case when new.dialogue_read_at is not null then d_words else 0 end
                    + case when new.article_read_at is not null then a_words else 0 end;
        latest := new.last_read_at;
      elsif tg_op = 'UPDATE' then
        word_delta := case when old.dialogue_read_at is null and new.dialogue_read_at is not null then d_words else 0 end
                    + case when old.article_read_at is null and new.article_read_at is not null then a_words else 0 end;
        latest := new.last_read_at;
      else
        lesson_delta := -1;
        word_delta := -(case when old.dialogue_read_at is not null then d_words else 0 end
                       + case when old.article_read_at is not null then a_words else 0 end);
      end if;

      if tg_op = 'DELETE' then
        update member_reading_totals set
          lessons_read = lessons_read - 1,
          words_read = words_read + word_delta
        where guild_id = member_guild and user_id = member_user;
        update lesson_read_totals set
          read_count = greatest(read_count - 1, 0),
          last_read_at = case when last_read_at <= old.last_read_at
            then (select max(x.last_read_at) from lesson_readers x where x.lesson_id = lesson)
            else last_read_at end
        where lesson_id = lesson;
      else
        insert into member_reading_totals as t (guild_id, user_id, lessons_read, words_read, last_read_at)
        values (member_guild, member_user, lesson_delta, word_delta, latest)
        on conflict (guild_id, user_id) do update set
          lessons_read = t.lessons_read + excluded.lessons_read,
          words_read = t.words_read + excluded.words_read,
          last_read_at = greatest(t.last_read_at, excluded.last_read_at);
        insert into lesson_read_totals as t (lesson_id, read_count, last_read_at)
        values (lesson, lesson_delta, latest)
        on conflict (lesson_id) do update set
          read_count = t.read_count + excluded.read_count,
          last_read_at = greatest(t.last_read_at, excluded.last_read_at)
        where excluded.read_count <> 0 or t.last_read_at is null or t.last_read_at < excluded.last_read_at;
      end if;

      -- Each window of this server: the row's contribution before and after (0 when absent). FOR SHARE
      -- waits for a boundary move in progress and keeps the boundary still until this write commits.
      for w in select days, boundary from leaderboard_windows where guild_id = member_guild for share loop
        lesson_delta := 0;
        word_delta := 0;
        if tg_op <> 'INSERT' then
          lesson_delta := lesson_delta - (case when old.last_read_at >= w.boundary then 1 else 0 end);
          word_delta := word_delta - (case when old.dialogue_last_at >= w.boundary then d_words else 0 end)
                                   - (case when old.article_last_at >= w.boundary then a_words else 0 end);
        end if;
        if tg_op <> 'DELETE' then
          lesson_delta := lesson_delta + (case when new.last_read_at >= w.boundary then 1 else 0 end);
          word_delta := word_delta + (case when new.dialogue_last_at >= w.boundary then d_words else 0 end)
                                   + (case when new.article_last_at >= w.boundary then a_words else 0 end);
        end if;
        if lesson_delta <> 0 or word_delta <> 0 then
          if tg_op = 'DELETE' then
            update member_window_totals set lessons_read = lessons_read + lesson_delta, words_read = words_read + word_delta
            where guild_id = member_guild and days = w.days and user_id = member_user;
          else
            insert into member_window_totals as t (guild_id, days, user_id, lessons_read, words_read)
            values (member_guild, w.days, member_user, lesson_delta, word_delta)
            on conflict (guild_id, days, user_id) do update set
              lessons_read = t.lessons_read + excluded.lessons_read,
              words_read = t.words_read + excluded.words_read;
          end if;
        end if;
      end loop;
      return null;
    end $$`.execute(db);

  await sql`alter table lessons drop column read_count, drop column last_read_at`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table lessons add column read_count integer not null default 0, add column last_read_at timestamptz`.execute(db);
  await sql`
    update lessons l set read_count = t.read_count, last_read_at = t.last_read_at
    from lesson_read_totals t where t.lesson_id = l.id`.execute(db);
  // The function as 2026-12-01-03-progress left it: the counters on the lesson's row.
  await sql`
    create or replace function lesson_reader_changed() returns trigger language plpgsql as $$
    declare
      d_words integer := 0;
      a_words integer := 0;
      lesson_delta integer := 0;
      word_delta bigint := 0;
      member_guild text;
      member_user text;
      lesson uuid;
      latest timestamptz;
      w record;
    begin
      if tg_op = 'DELETE' then
        lesson := old.lesson_id; member_guild := old.guild_id; member_user := old.user_id;
      else
        lesson := new.lesson_id; member_guild := new.guild_id; member_user := new.user_id;
      end if;
      select dialogue_words, article_words into d_words, a_words from lessons where id = lesson;
      d_words := coalesce(d_words, 0);
      a_words := coalesce(a_words, 0);

      if tg_op = 'INSERT' then
        lesson_delta := 1;
        word_delta := case when new.dialogue_read_at is not null then d_words else 0 end
                    + case when new.article_read_at is not null then a_words else 0 end;
        latest := new.last_read_at;
      elsif tg_op = 'UPDATE' then
        word_delta := case when old.dialogue_read_at is null and new.dialogue_read_at is not null then d_words else 0 end
                    + case when old.article_read_at is null and new.article_read_at is not null then a_words else 0 end;
        latest := new.last_read_at;
      else
        lesson_delta := -1;
        word_delta := -(case when old.dialogue_read_at is not null then d_words else 0 end
                       + case when old.article_read_at is not null then a_words else 0 end);
      end if;

      if tg_op = 'DELETE' then
        update member_reading_totals set
          lessons_read = lessons_read - 1,
          words_read = words_read + word_delta
        where guild_id = member_guild and user_id = member_user;
        update lessons set
          read_count = greatest(read_count - 1, 0),
          last_read_at = case when last_read_at <= old.last_read_at
            then (select max(x.last_read_at) from lesson_readers x where x.lesson_id = lesson)
            else last_read_at end
        where id = lesson;
      else
        insert into member_reading_totals as t (guild_id, user_id, lessons_read, words_read, last_read_at)
        values (member_guild, member_user, lesson_delta, word_delta, latest)
        on conflict (guild_id, user_id) do update set
          lessons_read = t.lessons_read + excluded.lessons_read,
          words_read = t.words_read + excluded.words_read,
          last_read_at = greatest(t.last_read_at, excluded.last_read_at);
        update lessons set
          read_count = read_count + lesson_delta,
          last_read_at = greatest(last_read_at, latest)
        where id = lesson and (lesson_delta <> 0 or last_read_at is null or last_read_at < latest);
      end if;

      for w in select days, boundary from leaderboard_windows where guild_id = member_guild for share loop
        lesson_delta := 0;
        word_delta := 0;
        if tg_op <> 'INSERT' then
          lesson_delta := lesson_delta - (case when old.last_read_at >= w.boundary then 1 else 0 end);
          word_delta := word_delta - (case when old.dialogue_last_at >= w.boundary then d_words else 0 end)
                                   - (case when old.article_last_at >= w.boundary then a_words else 0 end);
        end if;
        if tg_op <> 'DELETE' then
          lesson_delta := lesson_delta + (case when new.last_read_at >= w.boundary then 1 else 0 end);
          word_delta := word_delta + (case when new.dialogue_last_at >= w.boundary then d_words else 0 end)
                                   + (case when new.article_last_at >= w.boundary then a_words else 0 end);
        end if;
        if lesson_delta <> 0 or word_delta <> 0 then
          if tg_op = 'DELETE' then
            update member_window_totals set lessons_read = lessons_read + lesson_delta, words_read = words_read + word_delta
            where guild_id = member_guild and days = w.days and user_id = member_user;
          else
            insert into member_window_totals as t (guild_id, days, user_id, lessons_read, words_read)
            values (member_guild, w.days, member_user, lesson_delta, word_delta)
            on conflict (guild_id, days, user_id) do update set
              lessons_read = t.lessons_read + excluded.lessons_read,
              words_read = t.words_read + excluded.words_read;
          end if;
        end if;
      end loop;
      return null;
    end $$`.execute(db);
  await db.schema.dropTable('lesson_read_totals').execute();
}
