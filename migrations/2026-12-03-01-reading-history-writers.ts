import { sql, type Kysely } from 'kysely';

// Frozen in time: this file describes the schema as it was on its date and never imports src/.

/*
 * reading_events is the record of who read what, and anything may write it: the bot, a script importing
 * old history, an operator correcting it. What is derived from it (lesson_readers, then the totals, the
 * lessons' read counts and the rank counts) follows every kind of write, and writers never deadlock one
 * another on the shared rows (issue 10).
 *
 * 1. Events are turned into lesson_readers rows by a statement-level trigger (one upsert per member and
 *    lesson, whatever the number of events). A statement that writes more than one event (history written
 *    by a script) first takes lesson_readers in SHARE ROW EXCLUSIVE mode: it waits for the reads in flight
 *    and holds new ones off until its transaction ends. A bulk write touches the running totals and the
 *    rank-count rows of many members in whatever order its rows come; a member's read touches the same
 *    count rows in ascending order; the two could each hold a row the other waits for.
 * 2. Deleting or changing events (not only inserting them) recomputes the lesson_readers rows they belong
 *    to from the events left (a row whose events are all gone is deleted), under the same lock; TRUNCATE
 *    empties lesson_readers. lesson_reader_changed handles any change of a row: a part that is no longer
 *    read takes its words away, a latest read that moves back is recomputed.
 * 3. lesson_reader_changed visits a server's leaderboard windows in order of their length. Without the
 *    order a window's rows came in the table's physical order, which a boundary move changes (the moved row
 *    gets a new place): two reads, one before and one after a move, could then update the two windows'
 *    count rows in opposite orders and deadlock.
 * 4. A re-import that changes a lesson's word counts moves its readers' words when its transaction commits
 *    (a deferred constraint trigger), alone among the totals' writers (SHARE ROW EXCLUSIVE on lesson_readers
 *    and both totals tables, for the moment it takes): it updates many members' totals in one go, in no
 *    particular order. Before, it did so at once and held those members' rows until the import committed (a
 *    whole import), could deadlock with their reads, and reads committed in between added the old word
 *    counts, which the change never reached. A read that has begun (it holds lesson_readers) is waited for;
 *    one that begins later waits, and then sees the new counts.
 * 5. Words read follow the issue's definition to the letter: a lesson's dialogue words count when the member
 *    opened or finished its dialogue, its article words when they opened or finished its article, and
 *    "Mark as read" (kind 'finished') finishes the lesson, both parts. So a 'finished' event now sets the
 *    parts' first and latest times as well as finished_at (dialogue_read_at, article_read_at,
 *    dialogue_last_at, article_last_at: "opened or finished"); rows already marked are brought up to date
 *    here, and their readers' totals, windows and counts follow through the triggers. Before, a lesson only
 *    marked as read added no words.
 */

const LESSON_READER_CHANGED = (windowOrder: string, anyChange: boolean) => sql`
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
    went_back boolean := false;
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
      ${
        anyChange
          ? sql.raw(`word_delta := case when new.dialogue_read_at is not null then d_words else 0 end
                  - case when old.dialogue_read_at is not null then d_words else 0 end
                  + case when new.article_read_at is not null then a_words else 0 end
                  - case when old.article_read_at is not null then a_words else 0 end;
      went_back := new.last_read_at < old.last_read_at;`)
          : sql.raw(`word_delta := case when old.dialogue_read_at is null and new.dialogue_read_at is not null then d_words else 0 end
                  + case when old.article_read_at is null and new.article_read_at is not null then a_words else 0 end;`)
      }
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
      if went_back then
        update member_reading_totals set last_read_at =
          (select max(x.last_read_at) from lesson_readers x where x.guild_id = member_guild and x.user_id = member_user)
        where guild_id = member_guild and user_id = member_user;
        update lesson_read_totals set last_read_at = (select max(x.last_read_at) from lesson_readers x where x.lesson_id = lesson)
        where lesson_id = lesson;
      end if;
    end if;

    -- Each window of this server: the row's contribution before and after (0 when absent). FOR SHARE
    -- waits for a boundary move in progress and keeps the boundary still until this write commits.
    for w in select days, boundary from leaderboard_windows where guild_id = member_guild ${sql.raw(windowOrder)} for share loop
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
  end $$`;

const LESSON_WORDS_CHANGED = (alone: boolean) => sql`
  create or replace function lesson_words_changed() returns trigger language plpgsql as $$
  begin
    ${sql.raw(alone ? 'lock table lesson_readers, member_reading_totals, member_window_totals in share row exclusive mode;' : '')}
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
  end $$`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await LESSON_READER_CHANGED('order by days', true).execute(db);

  // 5. Rows marked as read: their parts are finished too (the update's triggers move the totals).
  await sql`
    update lesson_readers r set
      dialogue_read_at = least(r.dialogue_read_at, r.finished_at),
      article_read_at = least(r.article_read_at, r.finished_at),
      dialogue_last_at = greatest(r.dialogue_last_at, f.last_finish),
      article_last_at = greatest(r.article_last_at, f.last_finish)
    from (
      select m.lesson_id, m.guild_id, m.user_id,
        coalesce((select max(e.occurred_at) from reading_events e
                  where e.guild_id = m.guild_id and e.user_id = m.user_id and e.lesson_id = m.lesson_id and e.kind = 'finished'),
                 m.finished_at) as last_finish
      from lesson_readers m where m.finished_at is not null
    ) f
    where r.lesson_id = f.lesson_id and r.guild_id = f.guild_id and r.user_id = f.user_id`.execute(db);

  // 1. Inserted events, one statement at a time.
  await sql`
    create function reading_events_inserted() returns trigger language plpgsql as $$
    begin
      -- More than one event in one statement: run alone (see above).
      if (select count(*) from (select 1 from inserted_events limit 2) two) > 1 then
        lock table lesson_readers in share row exclusive mode;
      end if;
      insert into lesson_readers as r
        (lesson_id, guild_id, user_id, first_read_at, last_read_at,
         dialogue_read_at, article_read_at, finished_at, dialogue_last_at, article_last_at)
      select lesson_id, guild_id, user_id, min(occurred_at), max(occurred_at),
        min(occurred_at) filter (where kind in ('dialogue', 'finished')),
        min(occurred_at) filter (where kind in ('article', 'finished')),
        min(occurred_at) filter (where kind = 'finished'),
        max(occurred_at) filter (where kind in ('dialogue', 'finished')),
        max(occurred_at) filter (where kind in ('article', 'finished'))
      from inserted_events
      group by lesson_id, guild_id, user_id
      order by guild_id, user_id, lesson_id
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
  await sql`drop trigger reading_events_to_readers on reading_events`.execute(db);
  await sql`
    create trigger reading_events_to_readers after insert on reading_events
    referencing new table as inserted_events
    for each statement execute function reading_events_inserted()`.execute(db);

  // 2. Deleted or changed events: their members' rows recomputed from the events left.
  await sql`
    create function refresh_lesson_readers(p_lessons uuid[], p_guilds text[], p_users text[]) returns void language plpgsql as $$
    begin
      lock table lesson_readers in share row exclusive mode;
      delete from lesson_readers r
      using unnest(p_lessons, p_guilds, p_users) as k(lesson_id, guild_id, user_id)
      where r.lesson_id = k.lesson_id and r.guild_id = k.guild_id and r.user_id = k.user_id
        and not exists (select 1 from reading_events e
                        where e.guild_id = k.guild_id and e.user_id = k.user_id and e.lesson_id = k.lesson_id);
      insert into lesson_readers as r
        (lesson_id, guild_id, user_id, first_read_at, last_read_at,
         dialogue_read_at, article_read_at, finished_at, dialogue_last_at, article_last_at)
      select e.lesson_id, e.guild_id, e.user_id, min(e.occurred_at), max(e.occurred_at),
        min(e.occurred_at) filter (where e.kind in ('dialogue', 'finished')),
        min(e.occurred_at) filter (where e.kind in ('article', 'finished')),
        min(e.occurred_at) filter (where e.kind = 'finished'),
        max(e.occurred_at) filter (where e.kind in ('dialogue', 'finished')),
        max(e.occurred_at) filter (where e.kind in ('article', 'finished'))
      from (select distinct * from unnest(p_lessons, p_guilds, p_users) as k(lesson_id, guild_id, user_id)) k
      join reading_events e on e.guild_id = k.guild_id and e.user_id = k.user_id and e.lesson_id = k.lesson_id
      group by e.lesson_id, e.guild_id, e.user_id
      order by e.guild_id, e.user_id, e.lesson_id
      on conflict (lesson_id, guild_id, user_id) do update set
        first_read_at = excluded.first_read_at,
        last_read_at = excluded.last_read_at,
        dialogue_read_at = excluded.dialogue_read_at,
        article_read_at = excluded.article_read_at,
        finished_at = excluded.finished_at,
        dialogue_last_at = excluded.dialogue_last_at,
        article_last_at = excluded.article_last_at
      where (r.first_read_at, r.last_read_at, r.dialogue_read_at, r.article_read_at, r.finished_at, r.dialogue_last_at, r.article_last_at)
        is distinct from (excluded.first_read_at, excluded.last_read_at, excluded.dialogue_read_at, excluded.article_read_at,
                          excluded.finished_at, excluded.dialogue_last_at, excluded.article_last_at);
    end $$`.execute(db);
  await sql`
    create function reading_events_deleted() returns trigger language plpgsql as $$
    begin
      perform refresh_lesson_readers(array_agg(lesson_id), array_agg(guild_id), array_agg(user_id))
      from (select distinct lesson_id, guild_id, user_id from deleted_events) k
      having count(*) > 0;
      return null;
    end $$`.execute(db);
  await sql`
    create function reading_events_updated() returns trigger language plpgsql as $$
    begin
      perform refresh_lesson_readers(array_agg(lesson_id), array_agg(guild_id), array_agg(user_id))
      from (select lesson_id, guild_id, user_id from old_events union select lesson_id, guild_id, user_id from new_events) k
      having count(*) > 0;
      return null;
    end $$`.execute(db);
  await sql`
    create function reading_events_truncated() returns trigger language plpgsql as $$
    begin
      delete from lesson_readers;
      return null;
    end $$`.execute(db);
  await sql`
    create trigger reading_events_deleted_to_readers after delete on reading_events
    referencing old table as deleted_events
    for each statement execute function reading_events_deleted()`.execute(db);
  await sql`
    create trigger reading_events_updated_to_readers after update on reading_events
    referencing old table as old_events new table as new_events
    for each statement execute function reading_events_updated()`.execute(db);
  await sql`
    create trigger reading_events_truncated_to_readers after truncate on reading_events
    for each statement execute function reading_events_truncated()`.execute(db);
  // 4. Word counts changed by a re-import: moved into the totals at commit, alone.
  await LESSON_WORDS_CHANGED(true).execute(db);
  await sql`drop trigger lessons_words_to_totals on lessons`.execute(db);
  await sql`
    create constraint trigger lessons_words_to_totals after update of dialogue_words, article_words on lessons
    deferrable initially deferred
    for each row when (old.dialogue_words is distinct from new.dialogue_words or old.article_words is distinct from new.article_words)
    execute function lesson_words_changed()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // 5. undone: the parts' times from their own opens only (the triggers, still this migration's, move the totals).
  await sql`
    update lesson_readers r set
      dialogue_read_at = e.dialogue_first, article_read_at = e.article_first,
      dialogue_last_at = e.dialogue_last, article_last_at = e.article_last
    from (
      select lesson_id, guild_id, user_id,
        min(occurred_at) filter (where kind = 'dialogue') as dialogue_first,
        min(occurred_at) filter (where kind = 'article') as article_first,
        max(occurred_at) filter (where kind = 'dialogue') as dialogue_last,
        max(occurred_at) filter (where kind = 'article') as article_last
      from reading_events group by lesson_id, guild_id, user_id
    ) e
    where r.lesson_id = e.lesson_id and r.guild_id = e.guild_id and r.user_id = e.user_id and r.finished_at is not null`.execute(db);
  await sql`drop trigger lessons_words_to_totals on lessons`.execute(db);
  await LESSON_WORDS_CHANGED(false).execute(db);
  await sql`
    create trigger lessons_words_to_totals after update of dialogue_words, article_words on lessons
    for each row when (old.dialogue_words is distinct from new.dialogue_words or old.article_words is distinct from new.article_words)
    execute function lesson_words_changed()`.execute(db);
  await sql`drop trigger reading_events_truncated_to_readers on reading_events`.execute(db);
  await sql`drop trigger reading_events_updated_to_readers on reading_events`.execute(db);
  await sql`drop trigger reading_events_deleted_to_readers on reading_events`.execute(db);
  await sql`drop function reading_events_truncated()`.execute(db);
  await sql`drop function reading_events_updated()`.execute(db);
  await sql`drop function reading_events_deleted()`.execute(db);
  await sql`drop function refresh_lesson_readers(uuid[], text[], text[])`.execute(db);
  await sql`drop trigger reading_events_to_readers on reading_events`.execute(db);
  await sql`drop function reading_events_inserted()`.execute(db);
  // The row trigger of 2026-12-01-03-progress (its function, reading_event_recorded, is still there).
  await sql`
    create trigger reading_events_to_readers after insert on reading_events
    for each row execute function reading_event_recorded()`.execute(db);
  // lesson_reader_changed as 2026-12-02-02-lesson-read-totals left it.
  await LESSON_READER_CHANGED('', false).execute(db);
}
