import { sql, type Kysely } from 'kysely';

// Frozen in time: this file describes the schema as it was on its date and never imports src/.

/*
 * A caller's rank on a leaderboard from counts alone (issue 10's p95 target). The rank of a member with L
 * lessons and W words is 1 + the members with more lessons + the members with L lessons and more words.
 * `leaderboard_counts` already kept the first part; the second was an index range over the whole tie group
 * (about 12,000 members with one lesson in a week, with 50,000 members), and the members who hid
 * themselves were subtracted with a key lookup per hidden member. Now:
 *  - `leaderboard_word_counts` keeps how many members have each (lessons, words) pair, so the second part
 *    is a sum over the distinct word totals above W (a few dozen rows). A pair whose count drops to zero is
 *    deleted, so the table holds only pairs some member has now.
 *  - Both count tables count visible members only: the trigger that keeps them (now also on a change of
 *    words_read alone) skips a member who hid themselves, and a trigger on member_settings moves a member's
 *    rows in or out of the counts when they hide or show themselves. That trigger first locks both totals
 *    tables in SHARE ROW EXCLUSIVE mode (waiting for writes in flight, holding off new ones until it
 *    commits), so a totals write and a visibility change never interleave: each sees the other done, or
 *    not begun. The mode also conflicts with itself, so two visibility changes run one after the other
 *    (they would update the same count rows, possibly in opposite orders). Hiding is rare; the wait is
 *    the length of one member's few rows.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('leaderboard_word_counts')
    .addColumn('guild_id', 'text', (col) => col.notNull())
    .addColumn('days', 'integer', (col) => col.notNull())
    .addColumn('lessons_read', 'integer', (col) => col.notNull())
    .addColumn('words_read', 'bigint', (col) => col.notNull())
    .addColumn('members', 'integer', (col) => col.notNull())
    .addPrimaryKeyConstraint('leaderboard_word_counts_pk', ['guild_id', 'days', 'lessons_read', 'words_read'])
    .execute();

  await sql`
    create or replace function board_member_changed() returns trigger language plpgsql as $$
    declare
      board_days integer := 0;
      board_guild text;
      old_lessons integer := 0;
      old_words bigint := 0;
      new_lessons integer := 0;
      new_words bigint := 0;
    begin
      if tg_op = 'DELETE' then
        board_guild := old.guild_id;
        if tg_table_name = 'member_window_totals' then board_days := old.days; end if;
      else
        board_guild := new.guild_id;
        if tg_table_name = 'member_window_totals' then board_days := new.days; end if;
        new_lessons := new.lessons_read;
        new_words := new.words_read;
      end if;
      if tg_op <> 'INSERT' then
        old_lessons := old.lessons_read;
        old_words := old.words_read;
      end if;
      if old_lessons = new_lessons and old_words = new_words then
        return null;
      end if;
      -- Members who hid themselves are not counted (see member_visibility_changed).
      if exists (select 1 from member_settings s
                 where s.user_id = case when tg_op = 'DELETE' then old.user_id else new.user_id end
                   and not s.leaderboard_visible) then
        return null;
      end if;
      -- Members per number of lessons (0 lessons: not on the board).
      if old_lessons <> new_lessons then
        if old_lessons > 0 then
          update leaderboard_counts set members = members - 1
          where guild_id = board_guild and days = board_days and lessons_read = old_lessons;
        end if;
        if new_lessons > 0 then
          insert into leaderboard_counts as c (guild_id, days, lessons_read, members)
          values (board_guild, board_days, new_lessons, 1)
          on conflict (guild_id, days, lessons_read) do update set members = c.members + 1;
        end if;
      end if;
      -- Members per (lessons, words) pair.
      if old_lessons > 0 then
        update leaderboard_word_counts set members = members - 1
        where guild_id = board_guild and days = board_days and lessons_read = old_lessons and words_read = old_words;
        delete from leaderboard_word_counts
        where guild_id = board_guild and days = board_days and lessons_read = old_lessons and words_read = old_words
          and members <= 0;
      end if;
      if new_lessons > 0 then
        insert into leaderboard_word_counts as c (guild_id, days, lessons_read, words_read, members)
        values (board_guild, board_days, new_lessons, new_words, 1)
        on conflict (guild_id, days, lessons_read, words_read) do update set members = c.members + 1;
      end if;
      return null;
    end $$`.execute(db);

  // A member hiding or showing themselves: their rows leave or join the counts.
  await sql`
    create function member_visibility_changed() returns trigger language plpgsql as $$
    declare
      was_visible boolean := true;
      now_visible boolean := true;
      member text;
      delta integer;
      t record;
    begin
      if tg_op <> 'INSERT' then was_visible := old.leaderboard_visible; member := old.user_id; end if;
      if tg_op <> 'DELETE' then now_visible := new.leaderboard_visible; member := new.user_id; end if;
      if was_visible = now_visible then
        return null;
      end if;
      delta := case when now_visible then 1 else -1 end;
      -- Waits for totals writes in flight and holds new ones off until this commits (see above).
      lock table member_reading_totals, member_window_totals in share row exclusive mode;
      for t in
        select guild_id, 0 as days, lessons_read, words_read from member_reading_totals
          where user_id = member and lessons_read > 0
        union all
        select guild_id, days, lessons_read, words_read from member_window_totals
          where user_id = member and lessons_read > 0
      loop
        insert into leaderboard_counts as c (guild_id, days, lessons_read, members)
        values (t.guild_id, t.days, t.lessons_read, delta)
        on conflict (guild_id, days, lessons_read) do update set members = c.members + delta;
        insert into leaderboard_word_counts as c (guild_id, days, lessons_read, words_read, members)
        values (t.guild_id, t.days, t.lessons_read, t.words_read, delta)
        on conflict (guild_id, days, lessons_read, words_read) do update set members = c.members + delta;
        delete from leaderboard_word_counts
        where guild_id = t.guild_id and days = t.days and lessons_read = t.lessons_read and words_read = t.words_read
          and members <= 0;
      end loop;
      return null;
    end $$`.execute(db);

  await sql`drop trigger member_reading_totals_to_counts on member_reading_totals`.execute(db);
  await sql`drop trigger member_window_totals_to_counts on member_window_totals`.execute(db);
  // No write slips between the counts below and the triggers that keep them from now on.
  await sql`lock table member_settings, member_reading_totals, member_window_totals in share mode`.execute(db);
  await sql`
    create trigger member_settings_to_counts
    after insert or delete or update of leaderboard_visible on member_settings
    for each row execute function member_visibility_changed()`.execute(db);
  await sql`
    create trigger member_reading_totals_to_counts
    after insert or delete or update of lessons_read, words_read on member_reading_totals
    for each row execute function board_member_changed()`.execute(db);
  await sql`
    create trigger member_window_totals_to_counts
    after insert or delete or update of lessons_read, words_read on member_window_totals
    for each row execute function board_member_changed()`.execute(db);
  // Both counts, afresh, of visible members.
  await sql`delete from leaderboard_counts`.execute(db);
  await sql`
    insert into leaderboard_word_counts (guild_id, days, lessons_read, words_read, members)
    select guild_id, days, lessons_read, words_read, count(*)
    from (
      select guild_id, 0 as days, user_id, lessons_read, words_read from member_reading_totals
      union all
      select guild_id, days, user_id, lessons_read, words_read from member_window_totals
    ) t
    where lessons_read > 0
      and not exists (select 1 from member_settings s where s.user_id = t.user_id and not s.leaderboard_visible)
    group by guild_id, days, lessons_read, words_read`.execute(db);
  await sql`
    insert into leaderboard_counts (guild_id, days, lessons_read, members)
    select guild_id, days, lessons_read, sum(members) from leaderboard_word_counts
    group by guild_id, days, lessons_read`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger member_settings_to_counts on member_settings`.execute(db);
  await sql`drop function member_visibility_changed()`.execute(db);
  await sql`drop trigger member_reading_totals_to_counts on member_reading_totals`.execute(db);
  await sql`drop trigger member_window_totals_to_counts on member_window_totals`.execute(db);
  // The function as 2026-12-01-03-progress defined it.
  await sql`
    create or replace function board_member_changed() returns trigger language plpgsql as $$
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
  await db.schema.dropTable('leaderboard_word_counts').execute();
  // The counts as that migration kept them: every member, hidden or not.
  await sql`lock table member_reading_totals, member_window_totals in share mode`.execute(db);
  await sql`delete from leaderboard_counts`.execute(db);
  await sql`
    insert into leaderboard_counts (guild_id, days, lessons_read, members)
    select guild_id, days, lessons_read, count(*)
    from (
      select guild_id, 0 as days, lessons_read from member_reading_totals
      union all
      select guild_id, days, lessons_read from member_window_totals
    ) t
    where lessons_read > 0
    group by guild_id, days, lessons_read`.execute(db);
}
