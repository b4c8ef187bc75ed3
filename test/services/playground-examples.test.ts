import { readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { importExamplesIfEmpty } from '../../src/playground/example-lessons.js';
import { createLessonsService } from '../../src/lessons/service.js';
import { openMigratedDatabase } from '../../src/db/open-from-config.js';
import { relatedToJson } from '../../src/discovery/related.js';
import { createDiscoveryService } from '../../src/discovery/service.js';
import { botDatabaseKinds, createBotDatabase, type BotDatabase } from '../support/bot-process.js';

const REFERENCE_ID = 'add8c4f2-5778-47a5-bd18-2492841fbc6e';
const LIBRARY_FILES = readdirSync('examples/library').filter((name) => /\.(txt|json)$/u.test(name));

describe.each(botDatabaseKinds())('playground first start on %s', (kind) => {
  let database: BotDatabase | undefined;
  afterEach(async () => {
    await database?.dispose();
    database = undefined;
  });

  it('imports examples/lessons and examples/library into an empty library, and leaves a library with lessons as it is', async () => {
    database = await createBotDatabase(kind);
    const config = { DATA_DIR: './data', DATABASE_URL: undefined, IMPORT_TIMEZONE: 'UTC', ...database.env };
    const count = 1 + LIBRARY_FILES.length;
    expect(LIBRARY_FILES.length).toBeGreaterThanOrEqual(8);
    expect(await importExamplesIfEmpty(config)).toBe(
      `library was empty: examples/lessons and examples/library imported ${count}, updated 0, unchanged 0`,
    );
    expect(await importExamplesIfEmpty(config)).toBe(`library: ${count} lessons`);

    // The reference export stays today's lesson without a schedule (the newest by article date), and the
    // library's similar readings link its lessons to each other.
    const opened = await openMigratedDatabase(config);
    try {
      const lessons = createLessonsService({ db: opened.db, now: () => new Date(), importTimeZone: 'UTC' });
      expect((await lessons.today('playground')).lesson.id).toBe(REFERENCE_ID);
      const discovery = createDiscoveryService({ db: opened.db });
      const { lessons: all } = await lessons.list(count);
      for (const lesson of all.filter((l) => l.id !== REFERENCE_ID)) {
        const related = relatedToJson(await discovery.related(lesson.id));
        // First the example lessons its similar readings name, then one title that names nothing here.
        expect(related[0], lesson.title).toMatchObject({ reason: 'similar-reading', id: expect.any(String) });
        expect(related.filter((r) => r.id === null), lesson.title).toHaveLength(1);
        expect(related.some((r) => r.id === lesson.id)).toBe(false);
      }
    } finally {
      await opened.close();
    }
  }, 120_000); // two first opens of an embedded database, on a busy machine
});
