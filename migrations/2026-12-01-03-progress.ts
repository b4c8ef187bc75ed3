import { sql, type Kysely } from 'kysely';

// Frozen in time: this file describes the schema as it was on its date and never imports src/.

/*
 * Learner progress (issue 10). `reading_events` stays the record of who read what; anything may insert
 * into it (the bot, an import of old history, a script). Triggers keep what is derived from it exact,
 * whoever writes:
 *   reading_events  --insert-->  lesson_readers (one row per member and lesson: first/last times per part)
 *   lesson_readers  --insert/update/delete-->  member_reading_totals (lessons and words per member and server)
 *                                              and lessons.read_count / last_read_at
 *                                              and member_window_totals (per server window, see below)
 *   lessons         --update of word counts-->  member_reading_totals.words_read, member_window_totals
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // A member's own settings, the same in every server.
  await db.schema
    .createTable('member_settings')
    .addColumn('user_id', 'text', (col) => col.primaryKey())
    .addColumn('timezone', 'text')
    .addColumn('leaderboard_visible', 'boolean', (col) => col.notNull().defaultTo(true))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index member_settings_hidden_idx on member_settings (user_id) where not leaderboard_visible`.execute(db);

  // The latest open of each part, so "read in the last N days" is one index range per server.
  await db.schema
    .alterTable('lesson_readers')
    .addColumn('dialogue_last_at', 'timestamptz')
    .addColumn('article_last_at', 'timestamptz')
    .execute();
  await sql`
    update lesson_readers r set
      dialogue_last_at = e.dialogue_last_at,
      article_last_at = e.article_last_at
    from (
      select lesson_id, guild_id, user_id,
        max(occurred_at) filter (where kind = 'dialogue') as dialogue_last_at,
        max(occurred_at) filter (where kind = 'article') as article_last_at
      from reading_events group by lesson_id, guild_id, user_id
    ) e
    where r.lesson_id = e.lesson_id and r.guild_id = e.guild_id and r.user_id = e.user_id`.execute(db);

  await sql`drop index lesson_readers_member_idx`.execute(db);
  // A member's lessons, latest read first (/progress), and their rows in every server (export, forget-me).
  await sql`create index lesson_readers_member_idx on lesson_readers (guild_id, user_id, last_read_at desc)`.execute(db);
  await sql`create index lesson_readers_user_idx on lesson_readers (user_id)`.execute(db);
  // Who read anything in a server since a time (/leaderboard week and month), without visiting the table.
  await sql`
    create index lesson_readers_recent_idx on lesson_readers (guild_id, last_read_at)
    include (user_id, lesson_id, dialogue_last_at, article_last_at)`.execute(db);
  // Readers of a lesson in a server and the latest read (the card).
  await sql`create index lesson_readers_lesson_guild_idx on lesson_readers (lesson_id, guild_id, last_read_at)`.execute(db);

  // A member's events in every server (export, forget-me) and, index-only, their reading days in one server.
  await sql`create index reading_events_user_idx on reading_events (user_id, guild_id, occurred_at)`.execute(db);

  // Lessons and words read by each member of each server, ever (/leaderboard all, /progress).
  await db.schema
    .createTable('member_reading_totals')
    .addColumn('guild_id', 'text', (col) => col.notNull())
    .addColumn('user_id', 'text', (col) => col.notNull())
    .addColumn('lessons_read', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('words_read', 'bigint', (col) => col.notNull().defaultTo(0))
    .addColumn('last_read_at', 'timestamptz')
    .addPrimaryKeyConstraint('member_reading_totals_pk', ['guild_id', 'user_id'])
    .execute();
  await sql`
    create index member_reading_totals_rank_idx
    on member_reading_totals (guild_id, lessons_read desc, words_read desc, user_id)`.execute(db);
  await sql`create index member_reading_totals_user_idx on member_reading_totals (user_id)`.execute(db);

  await sql`
    insert into member_reading_totals (guild_id, user_id, lessons_read, words_read, last_read_at)
    select r.guild_id, r.user_id, count(*),
      coalesce(sum(case when r.dialogue_read_at is not null then l.dialogue_words else 0 end
                 + case when r.article_read_at is not null then l.article_words else 0 end), 0),
      max(r.last_read_at)
    from lesson_readers r join lessons l on l.id = r.lesson_id
    group by r.guild_id, r.user_id`.execute(db);

  // Leaderboards over the last N days, kept as running totals per member (issue 10's p95 target): each
  // server's window has a boundary; a member's totals count their lesson_readers rows read at or after it.
  // Triggers add reads as they come; the service moves the boundary forward before reading the board and
  // subtracts what fell out of the window (the rows between the old and the new boundary).
  await db.schema
    .createTable('leaderboard_windows')
    .addColumn('guild_id', 'text', (col) => col.notNull())
    .addColumn('days', 'integer', (col) => col.notNull())
    .addColumn('boundary', 'timestamptz', (col) => col.notNull())
    .addPrimaryKeyConstraint('leaderboard_windows_pk', ['guild_id', 'days'])
    .execute();
  await db.schema
    .createTable('member_window_totals')
    .addColumn('guild_id', 'text', (col) => col.notNull())
    .addColumn('days', 'integer', (col) => col.notNull())
    .addColumn('user_id', 'text', (col) => col.notNull())
    .addColumn('lessons_read', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('words_read', 'bigint', (col) => col.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('member_window_totals_pk', ['guild_id', 'days', 'user_id'])
    .execute();
  await sql`
    create index member_window_totals_rank_idx
    on member_window_totals (guild_id, days, lessons_read desc, words_read desc, user_id)`.execute(db);
  await sql`create index member_window_totals_user_idx on member_window_totals (user_id)`.execute(db);
  // What falls out of a window when its boundary moves: parts' last opens by server and time.
  await sql`create index lesson_readers_dialogue_last_idx on lesson_readers (guild_id, dialogue_last_at) include (user_id, lesson_id)`.execute(db);
  await sql`create index lesson_readers_article_last_idx on lesson_readers (guild_id, article_last_at) include (user_id, lesson_id)`.execute(db);

  // How many members of a board have each number of lessons read (days 0: all time): a caller's rank is
  // these counts summed above their number, plus their tie group, instead of a count over every member.
  await db.schema
    .createTable('leaderboard_counts')
    .addColumn('guild_id', 'text', (col) => col.notNull())
    .addColumn('days', 'integer', (col) => col.notNull())
    .addColumn('lessons_read', 'integer', (col) => col.notNull())
    .addColumn('members', 'integer', (col) => col.notNull())
    .addPrimaryKeyConstraint('leaderboard_counts_pk', ['guild_id', 'days', 'lessons_read'])
    .execute();
  await sql`
    create function board_member_changed() returns trigger language plpgsql as $$
    declare
      board_days integer;
    begin
      if tg_table_name = 'member_window_totals' then
        board_days := case when tg_op = 'DELETE' then old.days else new.days end;
      else
        board_days := 0;
      end if;
      if tg_op <> 'INSERT' and old.lessons_read > 0 then
        update leaderboard_counts set members = members - 1
        where guild_id = old.guild_id and days = board_days and lessons_read = old.lessons_read;
      end if;
      if tg_op <> 'DELETE' and new.lessons_read > 0 then
        insert into leaderboard_counts as c (guild_id, days, lessons_read, members)
        values (new.guild_id, board_days, new.lessons_read, 1)
        on conflict (guild_id, days, lessons_read) do update set members = c.members + 1;
      end if;
      return null;
    end $$`.execute(db);
  await sql`
    create trigger member_reading_totals_to_counts after insert or delete or update of lessons_read on member_reading_totals
    for each row execute function board_member_changed()`.execute(db);
  await sql`
    create trigger member_window_totals_to_counts after insert or delete or update of lessons_read on member_window_totals
    for each row execute function board_member_changed()`.execute(db);
  await sql`
    insert into leaderboard_counts (guild_id, days, lessons_read, members)
    select guild_id, 0, lessons_read, count(*) from member_reading_totals where lessons_read > 0
    group by guild_id, lessons_read`.execute(db);

  await sql`
    create function reading_event_recorded() returns trigger language plpgsql as $$
    begin
      insert into lesson_readers as r
        (lesson_id, guild_id, user_id, first_read_at, last_read_at,
         dialogue_read_at, article_read_at, finished_at, dialogue_last_at, article_last_at)
      values (new.lesson_id, new.guild_id, new.user_id, new.occurred_at, new.occurred_at,
        case when new.kind = 'dialogue' then new.occurred_at end,
        case when new.kind = 'article' then new.occurred_at end,
        case when new.kind = 'finished' then new.occurred_at end,
        case when new.kind = 'dialogue' then new.occurred_at end,
        case when new.kind = 'article' then new.occurred_at end)
      on conflict (lesson_id, guild_id, user_id) do update set
        -- least/greatest skip nulls: each column keeps the first (or last) time, whatever order events arrive in.
        first_read_at = least(r.first_read_at, excluded.first_read_at),
        last_read_at = greatest(r.last_read_at, excluded.last_read_at),
        dialogue_read_at = least(r.dialogue_read_at, excluded.dialogue_read_at),
        article_read_at = least(r.article_read_at, excluded.article_read_at),
        finished_at = least(r.finished_at, excluded.finished_at),
        dialogue_last_at = greatest(r.dialogue_last_at, excluded.dialogue_last_at),
        article_last_at = greatest(r.article_last_at, excluded.article_last_at);
      return null;
    end $$`.execute(db);
  await sql`
    create trigger reading_events_to_readers after insert on reading_events
    for each row execute function reading_event_recorded()`.execute(db);

  await sql`
    create function lesson_reader_changed() returns trigger language plpgsql as $$
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
  await sql`
    create trigger lesson_readers_to_totals after insert or update or delete on lesson_readers
    for each row execute function lesson_reader_changed()`.execute(db);

  // A re-import that changes a lesson's word counts moves its readers' words read with it.
  await sql`
    create function lesson_words_changed() returns trigger language plpgsql as $$
    begin
      update member_reading_totals t set words_read = t.words_read + x.delta
      from (
        select guild_id, user_id,
          sum(case when dialogue_read_at is not null then new.dialogue_words - old.dialogue_words else 0 end
            + case when article_read_at is not null then new.article_words - old.article_words else 0 end) as delta
        from lesson_readers where lesson_id = new.id
        group by guild_id, user_id
      ) x
      where t.guild_id = x.guild_id and t.user_id = x.user_id and x.delta <> 0;
      update member_window_totals t set words_read = t.words_read + x.delta
      from (
        select r.guild_id, w.days, r.user_id,
          sum(case when r.dialogue_last_at >= w.boundary then new.dialogue_words - old.dialogue_words else 0 end
            + case when r.article_last_at >= w.boundary then new.article_words - old.article_words else 0 end) as delta
        from lesson_readers r join leaderboard_windows w on w.guild_id = r.guild_id
        where r.lesson_id = new.id
        group by r.guild_id, w.days, r.user_id
      ) x
      where t.guild_id = x.guild_id and t.days = x.days and t.user_id = x.user_id and x.delta <> 0;
      return null;
    end $$`.execute(db);
  await sql`
    create trigger lessons_words_to_totals after update of dialogue_words, article_words on lessons
    for each row when (old.dialogue_words is distinct from new.dialogue_words or old.article_words is distinct from new.article_words)
    execute function lesson_words_changed()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger lessons_words_to_totals on lessons`.execute(db);
  await sql`drop trigger member_window_totals_to_counts on member_window_totals`.execute(db);
  await sql`drop trigger member_reading_totals_to_counts on member_reading_totals`.execute(db);
  await sql`drop function board_member_changed()`.execute(db);
  await db.schema.dropTable('leaderboard_counts').execute();
  await sql`drop trigger lesson_readers_to_totals on lesson_readers`.execute(db);
  await sql`drop trigger reading_events_to_readers on reading_events`.execute(db);
  await sql`drop function lesson_words_changed()`.execute(db);
  await sql`drop function lesson_reader_changed()`.execute(db);
  await sql`drop function reading_event_recorded()`.execute(db);
  await db.schema.dropTable('member_window_totals').execute();
  await db.schema.dropTable('leaderboard_windows').execute();
  await sql`drop index lesson_readers_dialogue_last_idx`.execute(db);
  await sql`drop index lesson_readers_article_last_idx`.execute(db);
  await db.schema.dropTable('member_reading_totals').execute();
  await sql`drop index reading_events_user_idx`.execute(db);
  await sql`drop index lesson_readers_lesson_guild_idx`.execute(db);
  await sql`drop index lesson_readers_recent_idx`.execute(db);
  await sql`drop index lesson_readers_user_idx`.execute(db);
  await sql`drop index lesson_readers_member_idx`.execute(db);
  await sql`create index lesson_readers_member_idx on lesson_readers (guild_id, user_id)`.execute(db);
  await db.schema.alterTable('lesson_readers').dropColumn('dialogue_last_at').dropColumn('article_last_at').execute();
  await db.schema.dropTable('member_settings').execute();
}
