import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { lexemeDocCounts, lexemesOf, librarySize } from '../../src/db/lexeme-docs.js';
import { HEADLINE_CANDIDATES_AT_MOST, headlineCandidates } from '../../src/domain/discovery/headline.js';
import { importLessons } from '../../src/lessons/import.js';
import { testDatabaseTargets, useTestDatabase } from '../support/databases.js';
import { makeLesson } from '../support/lessons.js';

/*
 * Lessons that share one summary (a template with only a number in the title, as a load test's may be) and a
 * similar-reading title made of that summary's words: all of its words are in every lesson, so asking for all of
 * them still found the whole library, and each such title was scored against every lesson (the import grew with
 * the square of the library: 2,000 such files took 23.9 s, 4,000 89.2 s; and 2,000 of those titles were each linked
 * to one of the 2,000 lessons, all scoring alike). Past HEADLINE_CANDIDATES_AT_MOST lessons expected it has no
 * candidates and is left unlinked; a title that names one lesson still finds and names it.
 */
const LESSONS = HEADLINE_CANDIDATES_AT_MOST + 44;
const COMMON_TITLE = 'Japan, US defense chiefs agree to strengthen alliance';

function templatedLibrary() {
  return Array.from({ length: LESSONS }, (_, index) =>
    makeLesson({
      title: `Generated lesson ${index + 1}`,
      // makeLesson's one summary, in every lesson; a second title naming the next lesson by its own title.
      similarReadings: [COMMON_TITLE, `Generated lesson ${((index + 1) % LESSONS) + 1}`],
    }),
  );
}

describe.each(testDatabaseTargets())('similar-reading titles in lessons that share a summary on $kind', (target) => {
  const database = useTestDatabase(target);

  it('a title made of words every lesson has is looked up nowhere and left unlinked; one that names a lesson still names it', async () => {
    const { db } = database();
    await importLessons(db, templatedLibrary());
    const library = await librarySize(db);
    expect(library).toBe(LESSONS);

    // The candidates' condition, with the library's own counts (rarest first, as the import orders them).
    const [commonWords = [], namingWords = []] = await lexemesOf(db, [COMMON_TITLE, 'Generated lesson 17']);
    const docs = await lexemeDocCounts(db, [...commonWords, ...namingWords]);
    const counted = (words: readonly string[]) =>
      words
        .map((lexeme) => ({ lexeme, docs: docs.get(lexeme) ?? 0 }))
        .filter((word) => word.docs > 0)
        .sort((a, b) => a.docs - b.docs || a.lexeme.localeCompare(b.lexeme));
    // Five of the common title's words are in every lesson's summary.
    expect(counted(commonWords).filter((word) => word.docs === LESSONS).length).toBeGreaterThanOrEqual(5);
    expect(headlineCandidates(counted(commonWords), library)).toBeUndefined();
    const naming = headlineCandidates(counted(namingWords), library);
    const found = await sql<{ title: string }>`select title from lessons where head_vector @@ ${naming ?? ''}::tsquery`.execute(db);
    expect(found.rows.map((row) => row.title)).toContain('Generated lesson 17');
    expect(found.rows.length).toBeLessThanOrEqual(HEADLINE_CANDIDATES_AT_MOST);

    const titles = await db
      .selectFrom('similar_readings as s')
      .leftJoin('lessons as m', 'm.id', 's.matched_lesson_id')
      .select(['s.title', 's.matched_lesson_id', 'm.title as matched_title'])
      .execute();
    const common = titles.filter((title) => title.title === COMMON_TITLE);
    expect(common).toHaveLength(LESSONS);
    expect(common.filter((title) => title.matched_lesson_id !== null)).toEqual([]);
    const namingTitles = titles.filter((title) => title.title !== COMMON_TITLE);
    expect(namingTitles).toHaveLength(LESSONS);
    expect(namingTitles.filter((title) => title.matched_title !== title.title)).toEqual([]);
  });
});
