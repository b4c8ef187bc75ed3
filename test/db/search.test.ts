import { CompiledQuery, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { AUTOCOMPLETE_SCANNED, newestLessonWords } from '../../src/db/lesson-search.js';
import { upsertLesson, upsertLessons } from '../../src/db/lessons.js';
import { lessonsTitledExactly, searchLibrary, suggestLessons } from '../../src/discovery/search.js';
import { createDiscoveryService, NOTHING_TO_SEARCH } from '../../src/discovery/service.js';
import { RECENT_WORDS_PER_LESSON, RecentSuggestions, suggestionWords } from '../../src/domain/discovery/recent-suggestions.js';
import { autocompleteQueryParts, parseQueryTerms, searchTsQuery } from '../../src/domain/discovery/text-query.js';
import { categoryInId, decodeDiscoveryId, isCategoryDigest } from '../../src/domain/discovery/custom-ids.js';
import { renderSearchPage } from '../../src/discovery/views.js';
import { UserError } from '../../src/user-error.js';
import { testDatabaseTargets, useTestDatabase } from '../support/databases.js';
import { importDiscoveryLibrary, LIBRARY } from '../support/discovery-library.js';
import { makeLesson } from '../support/lessons.js';
import type { Lesson } from '../../src/domain/lesson.js';
import { recordQueries } from '../support/query-plans.js';

describe.each(testDatabaseTargets())('search on $kind', (target) => {
  const database = useTestDatabase(target);
  const search = async (text: string, options: Parameters<typeof searchLibrary>[2] = {}) =>
    (await searchLibrary(database().db, text, options)).results.map((r) => r.id);

  it('ranks the lessons about the query first, ignoring case and accents', async () => {
    await importDiscoveryLibrary(database());
    expect((await search('rice prices')).slice(0, 3).sort()).toEqual([LIBRARY.ricePrices, LIBRARY.farmers, LIBRARY.stockpile].sort());
    expect(await search('ZURICH')).toEqual([LIBRARY.zurich]);
    expect(await search('zürich café')).toEqual([LIBRARY.zurich]);
    expect(await search('creme')).toEqual([LIBRARY.zurich]);
    expect(await search('robot')).toEqual(expect.arrayContaining([LIBRARY.robot, LIBRARY.zurich]));
  });

  it('a title match outranks a summary match, which outranks an article match', async () => {
    const inArticle = makeLesson({ title: 'Town council meets', summary: 'The council met.', article: ['Volcano experts spoke about the volcano, the volcano and the volcano.'] });
    const inSummary = makeLesson({ title: 'Island news today', summary: 'A volcano erupted near the island.', article: ['Residents left.'] });
    const inTitle = makeLesson({ title: 'Volcano erupts', summary: 'Ash fell on the town.', article: ['Residents left.'] });
    for (const lesson of [inArticle, inSummary, inTitle]) await upsertLesson(database().db, lesson);
    expect(await search('volcano')).toEqual([inTitle.id, inSummary.id, inArticle.id]);
  });

  it('matches word starts, and "quoted words" only together and in order', async () => {
    await importDiscoveryLibrary(database());
    expect(await search('cyber')).toEqual([LIBRARY.cyber]);
    expect(await search('stockpil')).toEqual([LIBRARY.stockpile]);
    const together = await search('"defense chiefs"');
    expect(together).toEqual(expect.arrayContaining([LIBRARY.cyber, LIBRARY.peace, LIBRARY.alliance]));
    // "chiefs defense" never appears in that order.
    expect(await search('"chiefs defense"')).toEqual([]);
    expect(await search('volcano')).toEqual([]);
  });

  it('a search of only words too common to be searched says so; one that matches nothing, or a later page, does not', async () => {
    await importDiscoveryLibrary(database());
    const page = (text: string, options: Parameters<typeof searchLibrary>[2] = {}) => searchLibrary(database().db, text, options);
    for (const text of ['the', 'The OF it', '"of the"']) {
      expect(await page(text)).toMatchObject({ results: [], onlyCommonWords: true });
    }
    expect((await page('volcano')).onlyCommonWords).toBeUndefined();
    expect((await page('the volcano')).onlyCommonWords).toBeUndefined();
    expect((await page('the', { page: 2 })).onlyCommonWords).toBeUndefined();
    expect((await page('rice')).results.length).toBeGreaterThan(0);
  });

  it('a search with no word at all (punctuation, emoji, signs PostgreSQL reads as blanks) is told so, not "no lesson matches"', async () => {
    await importDiscoveryLibrary(database());
    const page = (text: string) => searchLibrary(database().db, text);
    // `½`, `²` and `①` are Unicode digits, so they pass for words until PostgreSQL's parser reads them as blanks: they
    // were told "Those words are too common to search for (the, of, is…)".
    for (const text of ['🎉', '—', '!!!', '""', '"!!"', '½', '² ①', '"½ ①"']) {
      const found = await page(text);
      expect(found, text).toMatchObject({ results: [], nothingSearchable: true });
      expect(found.onlyCommonWords, text).toBeUndefined();
    }
    expect(await page('the ½')).toMatchObject({ results: [], onlyCommonWords: true });
    expect((await page('the ½')).nothingSearchable).toBeUndefined();
    expect((await page('volcano')).nothingSearchable).toBeUndefined();
    expect((await page('½ rice')).results.length).toBeGreaterThan(0);
    // A member is told privately, as for punctuation alone; paging a search never meets it (a page past the first had results).
    const service = createDiscoveryService({ db: database().db });
    for (const text of ['🎉', '—', '!!!', '""', '"!!"', '½', '① ②']) {
      await expect(service.search(text, undefined), text).rejects.toThrow(new UserError(NOTHING_TO_SEARCH));
    }
    await expect(service.search('½', 'nhk')).rejects.toThrow(NOTHING_TO_SEARCH);
  });

  it('a word of one or two letters matches the whole word, and is left out of "some of them"', async () => {
    const eu = makeLesson({ title: 'EU leaders meet on tariffs', summary: 'The EU talks continue.', article: ['Leaders met.'] });
    const europe = makeLesson({ title: 'Europe braces for a heat wave', summary: 'Euro area cities prepare.', article: ['It is hot.'] });
    const ai = makeLesson({ title: 'Schools try AI tutors', summary: 'Pupils use AI at home.', article: ['Teachers watch.'] });
    const aid = makeLesson({ title: 'Aid reaches the airport', summary: 'Aircraft bring supplies.', article: ['Volunteers help.'] });
    await upsertLessons(database().db, [eu, europe, ai, aid]);
    expect(await search('EU')).toEqual([eu.id]);
    expect(await search('ai')).toEqual([ai.id]);
    expect(await search('eur')).toEqual([europe.id]);
    // No lesson has both: the "some of them" are those with "tutors", not every lesson with a word starting "eu".
    expect(await searchLibrary(database().db, 'eu tutors')).toMatchObject({ results: [{ id: ai.id }], partial: true });
    // Only short words, none in any lesson together: nothing, rather than every lesson with one of them.
    expect(await searchLibrary(database().db, 'ai eu')).toMatchObject({ results: [], partial: false });
  });

  it('filters by category and pages without repeating or losing a result', async () => {
    await importDiscoveryLibrary(database());
    expect((await search('robot', { category: 'EASY-NEWS' })).sort()).toEqual([LIBRARY.robot, LIBRARY.zurich].sort());
    expect(await search('robot', { category: 'nhk' })).toEqual([]);
    const all = await search('japan', { pageSize: 100 });
    expect(all.length).toBeGreaterThan(4);
    const pages: string[] = [];
    for (let page = 1; ; page++) {
      const result = await searchLibrary(database().db, 'japan', { page, pageSize: 2 });
      pages.push(...result.results.map((r) => r.id));
      if (!result.hasNext) break;
    }
    expect(pages).toEqual(all);
  });

  it('when no lesson has every word, the lessons with some of them (more of them first), said to be partial', async () => {
    await importDiscoveryLibrary(database());
    const some = await searchLibrary(database().db, 'stockpiled volcano rice');
    expect(some.partial).toBe(true);
    // Two of the words in its title come first; the other rice lessons follow; nothing without any of them.
    expect(some.results[0]?.id).toBe(LIBRARY.stockpile);
    expect(some.results.map((r) => r.id).sort()).toEqual([LIBRARY.stockpile, LIBRARY.ricePrices, LIBRARY.farmers].sort());
    // Every word somewhere: not partial.
    expect((await searchLibrary(database().db, 'rice prices')).partial).toBe(false);
    // One word, or a phrase, found nowhere: nothing (there is nothing to relax).
    expect(await searchLibrary(database().db, 'volcano')).toMatchObject({ results: [], partial: false });
    expect(await searchLibrary(database().db, '"prices rice"')).toMatchObject({ results: [], partial: false });
    // Pages of a partial search go on with the partial results, and a page past the end is empty.
    const first = await searchLibrary(database().db, 'stockpiled volcano rice', { pageSize: 2 });
    const second = await searchLibrary(database().db, 'stockpiled volcano rice', { pageSize: 2, page: 2 });
    expect([...first.results, ...second.results].map((r) => r.id)).toEqual(some.results.map((r) => r.id));
    expect(second).toMatchObject({ partial: true, hasNext: false });
    expect((await searchLibrary(database().db, 'rice prices', { page: 9 })).results).toEqual([]);
  });

  it('treats what a member types as words, never as query syntax', async () => {
    await importDiscoveryLibrary(database());
    for (const text of ["rice' & !prices", 'rice:* | (prices', '\\\\', "'", '<->', 'rice\u0000']) {
      await expect(searchLibrary(database().db, text)).resolves.toBeDefined();
    }
    expect(await search("rice' & !prices")).toEqual(await search('rice prices'));
    const service = createDiscoveryService({ db: database().db });
    await expect(service.search('&&& ???', undefined)).rejects.toBeInstanceOf(UserError);
    await expect(service.search('rice', 'no such: category')).rejects.toBeInstanceOf(UserError);
  });

  it('finds numbers and abbreviations written with dots or slashes (0.5, 9/11, U.S.) as the lessons hold them', async () => {
    const rate = makeLesson({ title: 'U.S. economy grows 0.5 percent', summary: 'Output rose in the third quarter.', article: ['Economists expected more.'] });
    const memorial = makeLesson({ title: 'Memorial marks 9/11 anniversary', summary: 'Families gathered in New York.', article: ['Names were read.'] });
    const prices = makeLesson({ title: 'Inflation hits 3.5% in March', summary: 'Shops open 24/7 raise prices.', article: ['Food costs more.'] });
    await upsertLessons(database().db, [rate, memorial, prices]);
    for (const [typed, id] of [['0.5', rate.id], ['U.S.', rate.id], ['U.S. economy', rate.id], ['"0.5 percent"', rate.id], ['9/11', memorial.id], ['3.5%', prices.id], ['24/7', prices.id]] as const) {
      expect(await searchLibrary(database().db, typed), typed).toMatchObject({ results: [{ id }], partial: false });
      expect((await suggestLessons(database().db, typed)).map((l) => l.id), typed).toEqual([id]);
    }
    // A whole title typed without picking a suggestion is that lesson.
    for (const lesson of [rate, memorial]) expect((await lessonsTitledExactly(database().db, lesson.title, 2)).map((l) => l.id)).toEqual([lesson.id]);
    // Kept whole, each is one word to PostgreSQL: no start of one character reaches the index.
    for (const typed of ['0.5', 'U.S.', '9/11', 'a.m.', '12/07/2026']) {
      const parsed = await sql<{ q: string }>`select to_tsquery('newsdesk_english', ${searchTsQuery(typed)!})::text as q`.execute(database().db);
      expect(parsed.rows[0]!.q, typed).toMatch(/^'[^']{3,}':\*$/u);
    }
  });

  it('finds names written with slashes or dots (AC/DC, HIV/AIDS, km/h, Amazon.com) as the lessons hold them, and by their parts', async () => {
    const band = makeLesson({ title: 'AC/DC plays Tokyo', summary: 'The HIV/AIDS charity concert sold out.', article: ['Cars drove at 40 km/h.'] });
    const shop = makeLesson({ title: 'Amazon.com opens a store', summary: 'Buyers visited node.js meetups at www.nhk.or.jp.', article: ['x'] });
    const apart = makeLesson({ title: 'Israel and Gaza talks resume', summary: 'Envoys met.', article: ['x'] });
    await upsertLessons(database().db, [band, shop, apart]);
    for (const [typed, id] of [['AC/DC', band.id], ['HIV/AIDS', band.id], ['km/h', band.id], ['"AC/DC plays"', band.id], ['Amazon.com', shop.id], ['node.js', shop.id], ['www.nhk.or.jp', shop.id], ['Israel/Gaza', apart.id]] as const) {
      expect(await searchLibrary(database().db, typed), typed).toMatchObject({ results: [{ id }], partial: false });
    }
    for (const [typed, id] of [['AC/DC', band.id], ['ac/d', band.id], ['Amazon.com', shop.id], ['Israel/Gaza', apart.id]] as const) {
      expect((await suggestLessons(database().db, typed)).map((l) => l.id), typed).toEqual([id]);
    }
    for (const lesson of [band, shop]) expect((await lessonsTitledExactly(database().db, lesson.title, 2)).map((l) => l.id)).toEqual([lesson.id]);
  });

  it('every name kept whole with its slashes or dots is one word to PostgreSQL, never one-letter starts', async () => {
    // ASCII letters and digits joined by slashes, or by dots with parts of two or more ending in letters, as a member
    // may type them: PostgreSQL's parser reads each as one word (a file path, a host name).
    let seed = 20261208;
    const random = (n: number) => {
      seed = (seed * 48271) % 2147483647;
      return seed % n;
    };
    const alphabet = 'abxyzAZ0189';
    const part = (min: number) => Array.from({ length: min + random(4) }, () => alphabet[random(alphabet.length)]).join('');
    const words: string[] = [];
    for (let index = 0; index < 3000; index++) {
      const parts = Array.from({ length: 2 + random(3) }, () => part(index % 2 === 0 ? 1 : 2));
      words.push(index % 2 === 0 ? parts.join('/') : `${parts.slice(0, -1).join('.')}.${'abxyzAZ'[random(7)]}${'abxyzAZ'[random(7)]}`);
    }
    const kept = words.filter((word) => parseQueryTerms(word).words.length === 1);
    expect(kept).toEqual(words);
    const { rows } = await sql<{ word: string; english: number; words: number }>`select word,
        numnode(to_tsquery('newsdesk_english', quote_literal(word) || ':*'))::int as english,
        numnode(to_tsquery('newsdesk_words', quote_literal(word) || ':*'))::int as words
      from unnest(${words}::text[]) as word`.execute(database().db);
    const split = rows.filter((row) => row.english !== 1 || row.words !== 1);
    expect(split).toEqual([]);
  });

  it('a word of two Japanese, Chinese or Korean characters matches as a start, as autocomplete finds it', async () => {
    const tokyo = makeLesson({ title: '東京で大雨、交通に影響', summary: '電車が止まりました。', article: ['雨は夜まで続きます。'] });
    const seoul = makeLesson({ title: '서울에서 지진이 발생했다', summary: '피해는 없었다.', article: ['주민들이 놀랐다.'] });
    const beijing = makeLesson({ title: '北京市 天气', summary: '明天下雪。', article: ['气温很低。'] });
    await upsertLessons(database().db, [tokyo, seoul, beijing]);
    for (const [typed, id] of [['東京', tokyo.id], ['서울', seoul.id], ['지진', seoul.id], ['北京', beijing.id], ['天气', beijing.id]] as const) {
      expect((await suggestLessons(database().db, typed)).map((l) => l.id), typed).toEqual([id]);
      expect(await search(typed), typed).toEqual([id]);
    }
    // One character is still a whole word, as one letter is.
    expect(await search('東')).toEqual([]);
  });

  it('a category with spaces, slashes or more than 20 characters filters searches, and its pages find it again', async () => {
    const category = 'World News / Asia (easy)';
    const lessons = Array.from({ length: 7 }, (_, index) =>
      makeLesson({ category, title: `Harbour festival day ${index + 1}`, summary: 'Boats sailed in the harbour.', date: `2026-11-${String(10 + index)}` }),
    );
    const elsewhere = makeLesson({ category: 'nhk', title: 'Harbour closes', summary: 'The harbour closed for repairs.' });
    await upsertLessons(database().db, [...lessons, elsewhere]);
    const service = createDiscoveryService({ db: database().db });

    expect((await service.categoryChoices('world')).map((choice) => choice.value)).toEqual([category]);
    const first = await service.search('harbour', 'world news / ASIA (easy)');
    expect(first.results.map((r) => r.category)).toEqual(Array(5).fill(category));
    expect(first.hasNext).toBe(true);

    // The paging button's id carries a digest of the category (it is not plain enough to ride as it is).
    const next = renderSearchPage(first, { query: 'harbour', category: 'world news / ASIA (easy)' });
    const rows = (next.components ?? []) as unknown as { components: { custom_id?: string }[] }[];
    const button = rows.flatMap((row) => row.components.map((c) => decodeDiscoveryId(c.custom_id ?? ''))).find((decoded) => decoded?.page === 2);
    expect(button?.category).toBe(categoryInId(category));
    expect(isCategoryDigest(button!.category)).toBe(true);
    const second = await service.searchPage(button!.query, button!.category, button!.page);
    expect(second.category).toBe(category);
    // Together the two pages are the category's seven lessons, each once.
    expect([...first.results, ...second.results].map((r) => r.id).sort()).toEqual(lessons.map((l) => l.id).sort());

    // A plain category still rides as it is, and a digest the library no longer has is explained.
    expect((await service.searchPage('harbour', 'nhk', 1)).results.map((r) => r.id)).toEqual([elsewhere.id]);
    await expect(service.searchPage('harbour', categoryInId('Sports & Leisure / Europe'), 1)).rejects.toThrow(/no longer in the library/u);
  });

  it('tells a member which categories there are, each shown as it is named', async () => {
    await upsertLessons(database().db, [makeLesson({ category: 'a_b' }), makeLesson({ category: 'with `ticks`' })]);
    const service = createDiscoveryService({ db: database().db });
    await expect(service.search('rice', 'sports_news')).rejects.toThrow('There is no category `sports_news`. The library has: `a_b`, with \\`ticks\\`.');
  });

  it('category answers fit Discord whatever the categories hold: no blank or over-long choice, a refusal under 2,000 characters', async () => {
    const hostile = Array.from({ length: 12 }, (_, index) => `${'`a*_'.repeat(24)}${index}`.padEnd(100, '|'));
    // Stored as an older import left them: one showing nothing, one of 100 emoji (200 UTF-16 units).
    const lessons = [...hostile, '\u202E', '😀'.repeat(100)].map((category) => makeLesson({ category }));
    await upsertLessons(database().db, lessons);
    const service = createDiscoveryService({ db: database().db });
    const choices = await service.categoryChoices('');
    expect(choices.length).toBeGreaterThan(0);
    for (const choice of choices) {
      expect(choice.name.trim().length).toBeGreaterThan(0);
      expect(choice.name.length).toBeLessThanOrEqual(100);
      expect(choice.value.length).toBeLessThanOrEqual(100);
    }
    expect(choices.map((choice) => choice.value)).not.toContain('\u202E');
    const refusal = await service.search('rice', `${'x'.repeat(39)}😀 more`).then(
      () => '',
      (error: Error) => error.message,
    );
    expect(refusal).toMatch(/^There is no category /u);
    expect(refusal.length).toBeLessThanOrEqual(2000);
    expect(refusal).not.toMatch(/[\uD800-\uDFFF]/u);
    expect(refusal).not.toContain('``');
  });

  it('a category suggested has its mentions broken in the name shown, as a lesson suggestion has, and is sent back as it is', async () => {
    const categories = ['@everyone news', '<@&123> picks', `${'x'.repeat(90)} @here`];
    await upsertLessons(database().db, categories.map((category) => makeLesson({ category })));
    const choices = await createDiscoveryService({ db: database().db }).categoryChoices('');
    expect(choices.map((choice) => choice.value).sort()).toEqual([...categories].sort());
    for (const choice of choices) {
      expect(choice.name).not.toMatch(/@(?:everyone|here)|<@[!&]?[0-9]/u);
      expect(choice.name.length).toBeLessThanOrEqual(100);
    }
    expect(choices.find((choice) => choice.value === '@everyone news')?.name).toBe('@\u200beveryone news');
  });

  it('more matches than a search ranks: the best of the newest, pages that follow each other, and "more than N" told', async () => {
    const day = (n: number) => `2026-10-${String(n).padStart(2, '0')}`;
    const about = (n: number, where: 'title' | 'summary' | 'article', word: string) =>
      makeLesson({
        date: day(n),
        title: where === 'title' ? `${word} report ${n}` : `Town report ${n}`,
        summary: where === 'summary' ? `The ${word} was busy.` : 'People met.',
        article: [where === 'article' ? `Boats left the ${word} early.` : 'Nothing else happened.'],
      });
    // "Harbour" in 5 titles or summaries (the oldest title among them); "lantern" in 1 title and 4 articles only.
    const [h1, h2, h3, h4, h5]: Lesson[] = [about(1, 'title', 'Harbour'), about(2, 'summary', 'harbour'), about(3, 'title', 'Harbour'), about(4, 'summary', 'harbour'), about(5, 'summary', 'harbour')];
    const lantern = about(6, 'title', 'Lantern');
    const [a1, a2, a3, a4]: Lesson[] = [1, 2, 3, 4].map((n) => about(n, 'article', 'lantern'));
    await upsertLessons(database().db, [h1!, h2!, h3!, h4!, h5!, lantern, a1!, a2!, a3!, a4!]);
    const candidates = { head: 3, article: 2 };
    const pages = async (text: string, options: Parameters<typeof searchLibrary>[2]) => {
      const found = [];
      for (let page = 1; ; page++) {
        const result = await searchLibrary(database().db, text, { pageSize: 2, ...options, page });
        found.push(result);
        if (!result.hasNext) return found;
      }
    };

    // Ordinary sizes: every match ranked (titles first, then newest), nothing said.
    expect(await search('harbour')).toEqual([h3!.id, h1!.id, h5!.id, h4!.id, h2!.id]);
    expect((await searchLibrary(database().db, 'harbour')).bound).toBeUndefined();
    // Three ranked: the newest three (h5, h4, h3), the title first; h1, older, is left out. Every page says so.
    const harbour = await pages('harbour', { candidates });
    expect(harbour.map((page) => page.results.map((r) => r.id))).toEqual([[h3!.id, h5!.id], [h4!.id]]);
    for (const page of harbour) expect(page.bound).toEqual({ moreThan: 3, newest: 3, tier: 'head' });
    expect((await searchLibrary(database().db, 'harbour', { candidates, pageSize: 2, page: 3 })).results).toEqual([]);
    const note = renderSearchPage(harbour[0]!, { query: 'harbour', category: '' }).embeds?.[0] as { description?: string } | undefined;
    expect(note?.description).toContain('More than 3 lessons match: these are the best of the newest 3. Add a word to narrow the search.');

    // The title match, then the newest two of the four article-only matches.
    const lanterns = await pages('lantern', { candidates });
    expect(lanterns.flatMap((page) => page.results.map((r) => r.id))).toEqual([lantern.id, a4!.id, a3!.id]);
    expect(lanterns[0]?.bound).toEqual({ moreThan: 3, newest: 2, tier: 'article' });
    expect(await search('lantern')).toEqual([lantern.id, a4!.id, a3!.id, a2!.id, a1!.id]);
  });

  it('a category stored in two spellings (NHK, nhk) is one filter, ranked as one list', async () => {
    const upper = makeLesson({ category: 'NHK', title: 'Harbour opens', date: '2026-10-01' });
    const lower = makeLesson({ category: 'nhk', title: 'Harbour closes', date: '2026-10-02' });
    const inSummary = makeLesson({ category: 'nhk', title: 'Town news', summary: 'The harbour was busy.', date: '2026-10-03' });
    const other = makeLesson({ category: 'easy-news', title: 'Harbour news', date: '2026-10-04' });
    await upsertLessons(database().db, [upper, lower, inSummary, other]);
    expect(await search('harbour', { category: 'Nhk' })).toEqual([lower.id, upper.id, inSummary.id]);
    expect(await search('harbour', { category: 'Nhk', candidates: { head: 2, article: 2 } })).toEqual([lower.id, inSummary.id]);
    expect(await search('harbour', { category: 'sports' })).toEqual([]);
  });

  it('a category whose lower case JavaScript and PostgreSQL spell apart (a final Σ, İ) filters searches as picked from its suggestions', async () => {
    const greek = makeLesson({ category: 'ΕΙΔΗΣΕΙΣ', title: 'Harbour opens in Piraeus' });
    const turkish = makeLesson({ category: 'İSTANBUL', title: 'Harbour ferry returns' });
    const other = makeLesson({ category: 'nhk', title: 'Harbour closes' });
    await upsertLessons(database().db, [greek, turkish, other]);
    const service = createDiscoveryService({ db: database().db });
    expect((await service.categoryChoices('')).map((choice) => choice.value)).toEqual(expect.arrayContaining(['ΕΙΔΗΣΕΙΣ', 'İSTANBUL']));
    for (const [category, id] of [['ΕΙΔΗΣΕΙΣ', greek.id], ['ειδησεις', greek.id], ['İSTANBUL', turkish.id]] as const) {
      expect((await service.search('harbour', category)).results.map((r) => r.id), category).toEqual([id]);
      expect((await service.searchPage('harbour', categoryInId(category), 2)).results, category).toEqual([]);
      expect((await service.searchPage('harbour', categoryInId(category), 1)).results.map((r) => r.id), category).toEqual([id]);
    }
  });

  it('a library of hundreds of categories offers and searches each of them, found by what was typed, case aside', async () => {
    // 300 categories, one lesson each: "Region 001" … "Region 300" (in order), and a Greek one in capitals past them.
    const lessons = Array.from({ length: 300 }, (_, index) =>
      makeLesson({ category: `Region ${String(index + 1).padStart(3, '0')}`, title: `Harbour news ${index + 1}`, summary: 'The harbour was busy.' }),
    );
    const greek = makeLesson({ category: 'ΩΡΑ ΕΙΔΗΣΕΙΣ', title: 'Harbour news in Greek' });
    await upsertLessons(database().db, [...lessons, greek]);
    const service = createDiscoveryService({ db: database().db });
    const values = async (typed: string) => (await service.categoryChoices(typed)).map((choice) => choice.value);

    expect(await values('')).toHaveLength(25);
    expect(await values('region 250')).toEqual(['Region 250']);
    expect(await values('REGION 29')).toEqual(['Region 290', 'Region 291', 'Region 292', 'Region 293', 'Region 294', 'Region 295', 'Region 296', 'Region 297', 'Region 298', 'Region 299']);
    // Those starting with it first, then those containing it, each in order.
    expect(await values('ion 30')).toEqual(['Region 300']);
    expect(await values('ειδησεις')).toEqual(['ΩΡΑ ΕΙΔΗΣΕΙΣ']);
    expect(await values('ΕΙΔΗΣ')).toEqual(['ΩΡΑ ΕΙΔΗΣΕΙΣ']);
    expect(await values('ώρα')).toEqual([]);
    // What was typed is text, not a pattern.
    for (const typed of ['.*', 'Region [0-9]', '(', '\\', 'region 2%', 'region 2_0']) expect(await values(typed), typed).toEqual([]);

    const [wanted] = lessons.filter((lesson) => lesson.category === 'Region 250');
    expect((await service.search('harbour', 'region 250')).results.map((r) => r.id)).toEqual([wanted!.id]);
    expect((await service.searchPage('harbour', categoryInId('Region 250'), 1)).results.map((r) => r.id)).toEqual([wanted!.id]);
    await expect(service.search('harbour', 'ειδησεις')).rejects.toThrow(/^There is no category /u);
    expect((await service.search('harbour', 'ωρα ειδησεις')).results.map((r) => r.id)).toEqual([greek.id]);
    await expect(service.search('harbour', 'Region 301')).rejects.toThrow(/^There is no category `Region 301`\. The library has: `Region 001`/u);
  });

  it('a search counts its characters as Discord does (an emoji is one), and pages by its words when the typed text is too long for a button', async () => {
    const lessons = Array.from({ length: 7 }, (_, index) => makeLesson({ title: `Rice harvest report ${index + 1}`, summary: 'Farmers harvested rice.' }));
    await upsertLessons(database().db, lessons);
    const service = createDiscoveryService({ db: database().db });
    const query = `${'😀'.repeat(45)} rice`;
    const first = await service.search(query, undefined);
    expect(first.results).toHaveLength(5);
    const rendered = renderSearchPage(first, { query, category: '' });
    const rows = (rendered.components ?? []) as unknown as { components: { custom_id?: string }[] }[];
    const next = rows.flatMap((row) => row.components.map((c) => decodeDiscoveryId(c.custom_id ?? ''))).find((button) => button?.page === 2);
    expect(next?.query).toBe('rice');
    const second = await service.searchPage(next!.query, next!.category, 2);
    expect([...first.results, ...second.results].map((r) => r.id).sort()).toEqual(lessons.map((l) => l.id).sort());
    await expect(service.search('😀'.repeat(71), undefined)).rejects.toThrow('Search for at most 70 characters.');
  });

  it('autocomplete finds any words of title or summary, word starts included, titles first', async () => {
    await importDiscoveryLibrary(database());
    const suggest = async (typed: string) => (await suggestLessons(database().db, typed)).map((l) => l.id);
    // "Hegseth" is in two summaries (and in an article, which autocomplete does not look at).
    expect((await suggest('hegseth')).sort()).toEqual([LIBRARY.cyber, LIBRARY.peace].sort());
    expect(await suggest('stockpiled ri')).toEqual([LIBRARY.stockpile]);
    // A short word is checked on what the longer one found: it still has to match.
    expect(await suggest('hegseth zq')).toEqual([]);
    expect(await suggest('Zur')).toEqual([LIBRARY.zurich]);
    expect((await suggest('robot'))[0]).toBe(LIBRARY.robot);
    expect(await suggest('add8c4f2')).toEqual([LIBRARY.cyber]);
    expect(await suggest('no-such-word-anywhere')).toEqual([]);
    expect(await suggestLessons(database().db, '', 3)).toHaveLength(3);
  });

  it('suggestions from the newest lessons in memory are the database’s own, for every word start of the library', async () => {
    await importDiscoveryLibrary(database());
    await upsertLessons(database().db, [
      makeLesson({ title: 'Crème brûlée wins the Zürich prize', summary: 'Bakers from Genève and Zürich met.', date: '2026-02-01' }),
      makeLesson({ title: 'E-mail scams rise', summary: "Don't click links, experts say; COVID19 and 2024 scams.", date: '2026-02-02' }),
    ]);
    const db = database().db;
    const recent = RecentSuggestions.build(await newestLessonWords(db, 1_000));
    const texts = await db.selectFrom('lessons').select(['title', 'summary']).execute();
    const words = [...new Set(texts.flatMap((t) => `${t.title} ${t.summary}`.split(/[^\p{L}\p{N}'’-]+/u)).filter((w) => w.length >= 2))];
    const typed = new Set<string>();
    for (const word of words) for (let end = 2; end <= word.length; end++) typed.add(word.slice(0, end));
    for (const [i, word] of words.entries()) typed.add(`${word} ${words[(i * 7) % words.length]!.slice(0, 2)}`);
    for (const extra of ['zur', 'ZUR', 'crem', 'creme brulee', 'e-m', 'don', 'dont', 'covid', 'covid19', '20', '2024', '', 'a']) typed.add(extra);
    let answeredFromMemory = 0;
    for (const text of typed) {
      for (const limit of [25, 2]) {
        const fromDatabase = (await suggestLessons(db, text, limit)).map((l) => l.id);
        const withMemory = (await suggestLessons(db, text, limit, recent)).map((l) => l.id);
        expect({ text, limit, ids: withMemory }).toEqual({ text, limit, ids: fromDatabase });
        const words = suggestionWords(text);
        if (words && recent.match(words, limit).full) answeredFromMemory += 1;
      }
    }
    expect(typed.size).toBeGreaterThan(500);
    expect(answeredFromMemory).toBeGreaterThan(100);
    // ~2,000 typed texts, each asked twice of the database twice: 8–22 s alone on this 2-core machine, near the default 30 s under load.
  }, 120_000);

  it('the newest lessons’ words are the lexemes of their word vectors, whatever the text (apostrophes, hyphens, accents, digits)', async () => {
    await upsertLessons(database().db, [
      makeLesson({ title: 'Crème brûlée wins the Zürich prize', summary: "Don't click e-mail links; COVID19 and 2024 scams.", date: '2026-03-01' }),
      makeLesson({ title: 'Ñandú', summary: '', date: '2026-03-02' }),
    ]);
    const db = database().db;
    const stored = await sql<{ id: string; words: string[]; title_words: string[] }>`
      select id, tsvector_to_array(word_vector) as words, tsvector_to_array(ts_filter(word_vector, '{a}')) as title_words from lessons`.execute(db);
    const newest = await newestLessonWords(db, 1_000);
    expect(newest).toHaveLength(stored.rows.length);
    for (const lesson of newest) {
      const row = stored.rows.find((r) => r.id === lesson.id)!;
      expect({ id: lesson.id, words: lesson.words, titleWords: lesson.titleWords }).toEqual({ id: row.id, words: row.words, titleWords: row.title_words });
      expect(lesson.words.length).toBeGreaterThan(0);
      expect(lesson.words).not.toContain('');
    }
  });

  it('a summary of thousands of words is held by its title only, and suggestions with memory stay the database’s own', async () => {
    // 30 harbour reports, then two lessons whose summaries hold ~3,000 made-up words each (the format allows 20,000
    // characters), one of them "boats": the newest lesson, and one in the middle of the reports.
    const madeUp = Array.from({ length: 3_000 }, (_, i) => `zq${i.toString(36)}x`);
    const longSummary = (extra: string) => `${madeUp.slice(0, 1_500).join(' ')} ${extra} ${madeUp.slice(1_500).join(' ')}.`;
    const reports = Array.from({ length: 30 }, (_, i) =>
      makeLesson({ title: `Harbour report number ${i}`, summary: 'Boats came and went.', date: `2025-01-${String(1 + i).padStart(2, '0')}` }),
    );
    const newest = makeLesson({ title: 'A long look at the port', summary: longSummary('boats'), date: '2025-03-01' });
    const middle = makeLesson({ title: 'The quay in winter', summary: longSummary('ferries'), date: '2025-01-15' });
    await upsertLessons(database().db, [...reports, newest, middle]);
    const db = database().db;
    const words = await newestLessonWords(db, 1_000);
    const held = words.filter((lesson) => lesson.titleOnly).map((lesson) => lesson.id);
    expect(held.sort()).toEqual([newest.id, middle.id].sort());
    expect(Math.max(...words.map((lesson) => lesson.words.length))).toBeLessThanOrEqual(RECENT_WORDS_PER_LESSON);
    expect(words.find((lesson) => lesson.id === newest.id)?.words).toEqual(['a', 'long', 'look', 'at', 'the', 'port'].sort());

    const recent = RecentSuggestions.build(words);
    const typed = ['boats', 'boa', 'bo', 'harb', 'harbour report', 'ferr', 'ferries', 'zq1', 'zq1x', 'zqa0x', 'port', 'quay', 'came went', 'numb 1', 'the'];
    for (const text of typed) {
      for (const limit of [25, 2]) {
        const fromDatabase = (await suggestLessons(db, text, limit)).map((l) => l.id);
        const withMemory = (await suggestLessons(db, text, limit, recent)).map((l) => l.id);
        expect({ text, limit, ids: withMemory }).toEqual({ text, limit, ids: fromDatabase });
      }
    }
    // The newest lesson has "boats" in its summary: found (by the database), first.
    expect((await suggestLessons(db, 'boats', 25, recent))[0]?.id).toBe(newest.id);
    // Title matches fill the answer: from memory.
    expect(recent.match(['harb'], 25).full).toBe(true);
  });

  it('suggestions for a word in more lessons than the database’s candidates are the newest, and need no round trip', async () => {
    // Stored oldest first (as a backlog is imported): the database's first 100 candidates are the oldest.
    const reports = Array.from({ length: 150 }, (_, i) =>
      makeLesson({ title: `Harbour report number ${i}`, summary: 'Boats came and went.', date: `2025-${String(1 + Math.floor(i / 28)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}` }),
    );
    for (let i = 0; i < reports.length; i += 50) await upsertLessons(database().db, reports.slice(i, i + 50));
    const newest25 = reports.slice(-25).reverse().map((l) => l.id);
    const recording = recordQueries(database().db);
    const recent = RecentSuggestions.build(await newestLessonWords(database().db, 1_000));
    recording.take();

    expect((await suggestLessons(recording.db, 'harb', 25, recent)).map((l) => l.id)).toEqual(newest25);
    expect((await suggestLessons(recording.db, 'boats came', 25, recent)).map((l) => l.id)).toEqual(newest25);
    expect(recording.take()).toEqual([]);
    // The database alone suggests the newest of the lessons its index found first: older ones.
    const fromDatabase = (await suggestLessons(database().db, 'harb', 25)).map((l) => l.id);
    expect(fromDatabase).not.toEqual(newest25);
  });

  it('autocomplete reads words joined by hyphens or apostrophes as their parts, and never asks the index for the start of a one-letter word', async () => {
    const shirt = makeLesson({ title: 'T-shirt sales rise in summer', summary: 'Shops sold more.' });
    const clock = makeLesson({ title: 'Five o’clock news returns', summary: 'The programme is back.' });
    const panic = makeLesson({ title: "Don't panic, says the mayor", summary: 'Water is safe.' });
    const covid = makeLesson({ title: 'COVID-19 cases fall in Tokyo', summary: 'Fewer people were ill.' });
    const jet = makeLesson({ title: 'F-35 jets arrive at the base', summary: 'Two planes landed. Growth of 3.5 percent.' });
    const jean = makeLesson({ title: 'Jean-Luc opens a bakery', summary: 'Bread for the village.' });
    await upsertLessons(database().db, [shirt, clock, panic, covid, jet, jean]);
    const suggest = async (typed: string) => (await suggestLessons(database().db, typed)).map((l) => l.id);
    const found: [string, string][] = [
      ['t-s', shirt.id],
      ['t-sh', shirt.id],
      ['t-shirt sa', shirt.id],
      ["o'c", clock.id],
      ["o'clo", clock.id],
      ['five o’clock', clock.id],
      ["don't pa", panic.id],
      ['covid-1', covid.id],
      ['covid-19', covid.id],
      ['covid-19 ca', covid.id],
      ['f-3', jet.id],
      ['F-35 jets', jet.id],
      ['growth 3.5', jet.id],
      ['jean-l', jean.id],
      ['Jean-Luc op', jean.id],
    ];
    for (const [typed, id] of found) expect(await suggest(typed), typed).toContain(id);
    expect(await suggest('m-d-n-s-r-t')).toEqual([]);
    expect(await suggest('ma-ni-de-lu')).toEqual([]);
    // What PostgreSQL makes of what goes to the index: no start of one character ('m':*), which matches most words.
    for (const typed of ['m-d-n-s-r-t', 'm’d’n’s', 't-s', 'f-3', "o'c", 'x-y z-w']) {
      const parts = autocompleteQueryParts(typed)!;
      const parsed = await sql<{ q: string }>`select to_tsquery('newsdesk_words', ${parts.indexed})::text as q`.execute(database().db);
      expect(parsed.rows[0]!.q, typed).not.toMatch(/'[^']':\*/u);
    }
  });

  it('a joined word whose first part is in more lessons than autocomplete reads still finds its lesson: its parts are all looked up in the index', async () => {
    const filler = Array.from({ length: AUTOCOMPLETE_SCANNED + 60 }, (_, i) =>
      makeLesson({ title: `Daily briefing ${i}`, summary: 'Well done, covid news again.', date: '2026-01-01' }),
    );
    const covid = makeLesson({ title: 'COVID-19 cases fall', summary: 'Fewer people were ill.', date: '2025-01-01' });
    const known = makeLesson({ title: 'Well-known singer returns', summary: 'A concert.', date: '2025-01-01' });
    await upsertLessons(database().db, [...filler, covid, known]);
    const suggest = async (typed: string) => (await suggestLessons(database().db, typed)).map((l) => l.id);
    for (const typed of ['covid-1', 'covid-19', 'COVID-19 ca']) expect(await suggest(typed), typed).toEqual([covid.id]);
    for (const typed of ['well-kn', 'well-known si']) expect(await suggest(typed), typed).toEqual([known.id]);
  });

  it('autocomplete with a word start beside a common word reads a bounded number of lessons, and still finds matches among them', async () => {
    const common = Array.from({ length: AUTOCOMPLETE_SCANNED + 60 }, (_, i) =>
      makeLesson({ title: `Harbour report number ${i}`, summary: 'Boats came and went.', date: '2026-01-01' }),
    );
    const early = makeLesson({ title: 'Harbour zoning plan approved', summary: 'The council voted.', date: '2025-12-01' });
    await upsertLessons(database().db, [early, ...common]);
    const recording = recordQueries(database().db);
    expect((await suggestLessons(recording.db, 'harbour zo')).map((l) => l.id)).toEqual([early.id]);
    expect((await suggestLessons(recording.db, 'harbour qx')).map((l) => l.id)).toEqual([]);

    // What the statement read: at most AUTOCOMPLETE_SCANNED lessons with "harbour", of the 561 there are.
    const statements = recording.take().filter((q) => q.sources.includes('lesson-search.autocompleteLessons'));
    expect(statements).toHaveLength(2);
    for (const { query } of statements) {
      const plan = await database().db.executeQuery<{ 'QUERY PLAN': unknown }>(
        CompiledQuery.raw(`explain (analyze, format json) ${query.sql}`, [...query.parameters]),
      );
      const rows = lessonRowsRead((plan.rows[0]!['QUERY PLAN'] as [{ Plan: PlanNode }])[0].Plan);
      expect(rows).toBeGreaterThan(0);
      expect(rows).toBeLessThanOrEqual(AUTOCOMPLETE_SCANNED);
    }
  });
});

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

/** Rows the plan's scans of `lessons` read (returned or filtered out there), past the index. */
function lessonRowsRead(node: PlanNode): number {
  const own = node['Relation Name'] === 'lessons' ? (node['Actual Rows'] + (node['Rows Removed by Filter'] ?? 0)) * node['Actual Loops'] : 0;
  return own + (node.Plans ?? []).reduce((sum, child) => sum + lessonRowsRead(child), 0);
}
