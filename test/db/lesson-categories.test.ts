import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { categoriesContaining, categoriesNamed, libraryCategories } from '../../src/db/lesson-search.js';
import { upsertLessons } from '../../src/db/lessons.js';
import { testDatabaseTargets, useTestDatabase } from '../support/databases.js';
import { makeLesson } from '../support/lessons.js';

/**
 * The category autocomplete and filter read `lesson_categories`, which triggers on `lessons` keep in the writing
 * transaction: after any write, it holds each category of the library once, with its number of lessons.
 */
describe.each(testDatabaseTargets())('the library’s categories on $kind', (target) => {
  const database = useTestDatabase(target);
  const db = () => database().db;

  /** `lesson_categories` as stored, and as counted from `lessons`: the two must be equal. */
  async function kept(): Promise<{ stored: [string, number][]; counted: [string, number][] }> {
    const stored = await sql<{ name: string; lessons: number }>`select name, lessons from lesson_categories order by name`.execute(db());
    const counted = await sql<{ name: string; lessons: number }>`
      select category as name, count(*)::int as lessons from lessons group by category order by category`.execute(db());
    return { stored: stored.rows.map((row) => [row.name, row.lessons]), counted: counted.rows.map((row) => [row.name, row.lessons]) };
  }

  async function expectCategories(expected: [string, number][]): Promise<void> {
    const { stored, counted } = await kept();
    expect(counted).toEqual(expected);
    expect(stored).toEqual(expected);
  }

  it('follows imports: new lessons, a lesson moved to another category, an unchanged one', async () => {
    const a = makeLesson({ category: 'nhk' });
    const b = makeLesson({ category: 'nhk' });
    const c = makeLesson({ category: 'easy-news' });
    await upsertLessons(db(), [a, b, c]);
    await expectCategories([['easy-news', 1], ['nhk', 2]]);
    expect(await libraryCategories(db())).toEqual(['easy-news', 'nhk']);

    // c moves to a new category (its old one then has no lesson), a to one that exists; b is imported unchanged.
    await upsertLessons(db(), [{ ...c, category: 'World' }, { ...a, category: 'World' }, b]);
    await expectCategories([['World', 2], ['nhk', 1]].sort() as [string, number][]);
    expect(await categoriesContaining(db(), 'WOR', 10)).toEqual(['World']);
    expect(await categoriesContaining(db(), 'news', 10)).toEqual([]);
    expect(await categoriesNamed(db(), 'world')).toEqual(['World']);
  });

  it('follows an operator’s SQL: updates, deletes (the last lesson of a category, and not the last), a truncate', async () => {
    const lessons = ['nhk', 'nhk', 'NHK', 'easy-news', 'Ειδήσεις'].map((category) => makeLesson({ category }));
    await upsertLessons(db(), lessons);
    await sql`update lessons set category = 'nhk' where category = 'NHK'`.execute(db());
    await sql`update lessons set category = 'Sports', title = title || '!' where category in ('easy-news', 'Ειδήσεις')`.execute(db());
    // Nothing of a category changes: no count either.
    await sql`update lessons set title = title || '?', category = category`.execute(db());
    await expectCategories([['Sports', 2], ['nhk', 3]]);

    await sql`delete from lessons where id = ${lessons[0]!.id}::uuid`.execute(db());
    await expectCategories([['Sports', 2], ['nhk', 2]]);
    await sql`delete from lessons where category = 'Sports'`.execute(db());
    await expectCategories([['nhk', 2]]);
    expect(await categoriesContaining(db(), 'sp', 10)).toEqual([]);
    expect(await categoriesNamed(db(), 'sports')).toEqual([]);

    // A write that fails leaves the categories as they were (the same transaction).
    await expect(
      db().transaction().execute(async (trx) => {
        await sql`update lessons set category = 'Gone'`.execute(trx);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await expectCategories([['nhk', 2]]);

    await sql`truncate lessons cascade`.execute(db());
    await expectCategories([]);
    await upsertLessons(db(), [makeLesson({ category: 'nhk' })]);
    await expectCategories([['nhk', 1]]);
  });

  // On PGlite, one connection: the import waits for the whole transaction. On PostgreSQL, for the category's row.
  it('a lesson imported while another transaction deletes its category’s last lesson keeps the category', async () => {
    const last = makeLesson({ category: 'Harbour' });
    await upsertLessons(db(), [last]);
    let deleted!: () => void;
    const deletedYet = new Promise<void>((resolve) => (deleted = resolve));
    let commit!: () => void;
    const committing = new Promise<void>((resolve) => (commit = resolve));
    const deleting = db().transaction().execute(async (trx) => {
      await sql`delete from lessons where id = ${last.id}::uuid`.execute(trx);
      deleted();
      await committing;
    });
    await deletedYet;
    // The import queues on the category's row until the delete commits, then finds it gone and adds it again.
    const importing = upsertLessons(db(), [makeLesson({ category: 'Harbour' })]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    commit();
    await Promise.all([deleting, importing]);
    await expectCategories([['Harbour', 1]]);
  });
});
