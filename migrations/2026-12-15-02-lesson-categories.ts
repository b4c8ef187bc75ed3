import { sql, type Kysely } from 'kysely';

// Frozen in time: this file describes the schema as it was on its date and never imports src/.

/*
 * The library's categories, each with its number of lessons, for the category autocomplete and a search's category
 * filter. They were read from `lessons` by a loose index scan, one probe per category: ~300 ms at 10,000 distinct
 * categories, seconds at 100,000 (past an autocomplete's 3 s). Kept by triggers in the transaction of every write
 * to `lessons` (the import, an operator's SQL): statement-level for inserts and deletes (one upsert per category
 * of the statement, however many lessons), row-level for an update that changes a lesson's category (rare).
 * A count, not a mark: concurrent writers of one category queue on its row, so the last lesson's delete cannot
 * miss a lesson inserted meanwhile. The trigram index finds the names that contain typed text (a regular
 * expression of each character's case forms: PostgreSQL's own case folding depends on the locale).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table lesson_categories (
      name text primary key,
      lessons integer not null check (lessons >= 0)
    )`.execute(db);
  await sql`create index lesson_categories_name_trgm_idx on lesson_categories using gin (name gin_trgm_ops)`.execute(db);
  await sql`
    insert into lesson_categories (name, lessons)
    select category, count(*)::int from lessons group by category`.execute(db);

  await sql`
    create function lesson_categories_added() returns trigger language plpgsql as $$
    begin
      insert into lesson_categories (name, lessons)
      select category, count(*)::int from added group by category order by category
      on conflict (name) do update set lessons = lesson_categories.lessons + excluded.lessons;
      return null;
    end $$`.execute(db);
  await sql`
    create function lesson_categories_removed() returns trigger language plpgsql as $$
    begin
      update lesson_categories c set lessons = c.lessons - r.lessons
      from (select category, count(*)::int as lessons from removed group by category order by category) r
      where c.name = r.category;
      delete from lesson_categories c where c.name in (select category from removed) and c.lessons = 0;
      return null;
    end $$`.execute(db);
  await sql`
    create function lesson_category_changed() returns trigger language plpgsql as $$
    begin
      insert into lesson_categories (name, lessons) values (new.category, 1)
      on conflict (name) do update set lessons = lesson_categories.lessons + 1;
      update lesson_categories set lessons = lessons - 1 where name = old.category;
      delete from lesson_categories where name = old.category and lessons = 0;
      return null;
    end $$`.execute(db);
  await sql`
    create function lesson_categories_emptied() returns trigger language plpgsql as $$
    begin
      delete from lesson_categories;
      return null;
    end $$`.execute(db);

  await sql`
    create trigger lessons_categories_added after insert on lessons
    referencing new table as added for each statement execute function lesson_categories_added()`.execute(db);
  await sql`
    create trigger lessons_categories_removed after delete on lessons
    referencing old table as removed for each statement execute function lesson_categories_removed()`.execute(db);
  await sql`
    create trigger lessons_category_changed after update of category on lessons
    for each row when (old.category is distinct from new.category) execute function lesson_category_changed()`.execute(db);
  await sql`
    create trigger lessons_categories_emptied after truncate on lessons
    for each statement execute function lesson_categories_emptied()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger lessons_categories_emptied on lessons`.execute(db);
  await sql`drop trigger lessons_category_changed on lessons`.execute(db);
  await sql`drop trigger lessons_categories_removed on lessons`.execute(db);
  await sql`drop trigger lessons_categories_added on lessons`.execute(db);
  await sql`drop function lesson_categories_emptied()`.execute(db);
  await sql`drop function lesson_category_changed()`.execute(db);
  await sql`drop function lesson_categories_removed()`.execute(db);
  await sql`drop function lesson_categories_added()`.execute(db);
  await sql`drop table lesson_categories`.execute(db);
}
