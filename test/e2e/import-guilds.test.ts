import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMPORT_NOT_HERE } from '../../src/lessons/service.js';
import { lessonUpload, startBotScene, type BotScene } from '../support/bot-scene.js';

/*
 * The library is every server's: with IMPORT_GUILD_IDS the operator names the servers whose moderators import
 * into it, and a moderator of any other server is told so and writes nothing.
 * The rule does not depend on the database, so one kind is enough here (the service test runs on both).
 */
const LIBRARY_SERVER = '810000000000000001';
const OTHER_SERVER = '810000000000000002';
const CYBER = 'examples/lessons/nhk-2025-05-31-japan-us-cyber.txt';

describe('/lesson import with IMPORT_GUILD_IDS set', () => {
  let scene: BotScene;

  beforeAll(async () => {
    scene = await startBotScene('pglite', { env: { IMPORT_GUILD_IDS: `${LIBRARY_SERVER}, 810000000000000003` } });
  }, 120_000);

  afterAll(async () => {
    expect(await scene?.close()).toBe(0);
  });

  it('a moderator of another server is told who imports, and nothing is written; the library’s server imports', async () => {
    const other = scene.addGuild('Another community', { id: OTHER_SERVER });
    const refused = await scene.importFile(other, lessonUpload(CYBER));
    expect(refused.content).toBe(IMPORT_NOT_HERE);
    const empty = await scene.command(other, 'lesson', 'today', []);
    expect(empty.content).toMatch(/^The lesson library is empty/u);

    const library = scene.addGuild('Library', { id: LIBRARY_SERVER });
    const imported = await scene.importFile(library, lessonUpload(CYBER));
    expect(imported.embeds?.[0]?.title).toBe('✅ imported 1, updated 0, unchanged 0');
    const today = await scene.command(other, 'lesson', 'today', []);
    expect(today.embeds?.[0]?.title).toContain('cyber');
  });
});
