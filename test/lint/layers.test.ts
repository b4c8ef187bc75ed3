import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

/*
 * The layer walls of eslint.config.js, proved with the project's own config: each case lints a small
 * file placed (by path only, nothing is written) in the folder the rule guards.
 */
const ROOT = resolve(import.meta.dirname, '../..');
let eslint: ESLint;

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(ROOT, filePath) });
  return (result?.messages ?? []).filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message);
}

beforeAll(() => {
  eslint = new ESLint({ cwd: ROOT });
});

describe('lint keeps the layers', () => {
  it.each([
    ['commands/example.ts', "import { findLesson } from '../src/db/lessons.js';\nexport const x = findLesson;\n"],
    ['commands/example.ts', "import type { Kysely } from 'kysely';\nexport type X = Kysely<never>;\n"],
  ])('a command module may not reach the database (%s)', async (path, code) => {
    expect(await restrictedImports(path, code)).toEqual([expect.stringContaining('Only feature services')]);
  });

  it('a command module may call a service and use the adapter', async () => {
    const code =
      "import { createLessonsService } from '../src/lessons/service.js';\nimport { defineCommand } from '../src/discord/command-module.js';\nexport const x = [createLessonsService, defineCommand];\n";
    expect(await restrictedImports('commands/example.ts', code)).toEqual([]);
  });

  it.each([
    ["import { Client } from 'discord.js';\nexport const x = Client;\n"],
    ["import { EPHEMERAL } from '../discord/reply.js';\nexport const x = EPHEMERAL;\n"],
  ])('src/db may not import Discord (%#)', async (code) => {
    expect(await restrictedImports('src/db/example.ts', code)).toEqual([expect.stringContaining('knows nothing of Discord')]);
  });

  it.each([
    ["import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n"],
    ["import { sql } from 'kysely';\nexport const x = sql;\n"],
    ["import { findLesson } from '../../db/lessons.js';\nexport const x = findLesson;\n"],
    ["import { Reply } from '../../discord/reply.js';\nexport const x = Reply;\n"],
    ["import { createLogger } from '../../logger.js';\nexport const x = createLogger;\n"],
  ])('src/domain may not import anything with I/O (%#)', async (code) => {
    expect(await restrictedImports('src/domain/schedule/example.ts', code)).toEqual([expect.stringContaining('src/domain/ is pure')]);
  });

  it('src/domain may import pure code', async () => {
    const code = "import { DateTime } from 'luxon';\nimport { isUuid } from '../uuid.js';\nexport const x = [DateTime, isUuid];\n";
    expect(await restrictedImports('src/domain/schedule/example.ts', code)).toEqual([]);
  });

  it.each(['src/lessons/example.ts', 'src/delivery/example.ts', 'src/reading/example.ts', 'src/vocabulary/example.ts', 'src/services.ts'])(
    '%s may not import a command module',
    async (path) => {
      const code = "import { lessonModule } from '../../commands/lesson.js';\nexport const x = lessonModule;\n";
      expect(await restrictedImports(path, code)).toEqual([expect.stringContaining('never import command modules')]);
    },
  );

  it('a feature service may call the database', async () => {
    const code = "import { findLesson } from '../db/lessons.js';\nexport const x = findLesson;\n";
    expect(await restrictedImports('src/delivery/example.ts', code)).toEqual([]);
  });

  it('the Discord adapter knows no SQL', async () => {
    const code = "import { guildSettings } from '../db/guild-settings.js';\nexport const x = guildSettings;\n";
    expect(await restrictedImports('src/discord/example.ts', code)).toEqual([expect.stringContaining('Only feature services')]);
  });
});
