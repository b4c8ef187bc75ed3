import { afterEach, describe, expect, it } from 'vitest';
import { importExamplesIfEmpty } from '../../src/playground/example-lessons.js';
import { botDatabaseKinds, createBotDatabase, type BotDatabase } from '../support/bot-process.js';

describe.each(botDatabaseKinds())('playground first start on %s', (kind) => {
  let database: BotDatabase | undefined;
  afterEach(async () => {
    await database?.dispose();
    database = undefined;
  });

  it('imports examples/lessons into an empty library, and leaves a library with lessons as it is', async () => {
    database = await createBotDatabase(kind);
    const config = { DATA_DIR: './data', DATABASE_URL: undefined, IMPORT_TIMEZONE: 'UTC', ...database.env };
    expect(await importExamplesIfEmpty(config)).toBe('library was empty: examples/lessons imported 1, updated 0, unchanged 0');
    expect(await importExamplesIfEmpty(config)).toBe('library: 1 lesson');
  }, 120_000); // two first opens of an embedded database, on a busy machine
});
