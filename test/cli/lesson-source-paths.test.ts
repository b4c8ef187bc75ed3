import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { joinPrefix, listSources } from '../../src/lessons/sources.js';

describe('a folder’s files are named as path.join names them', () => {
  it('joinPrefix(folder) + name is join(folder, name), however the folder is spelled', () => {
    const spelled = ['examples/lessons', 'examples/lessons/', './x', '/tmp/a/', '.', './', 'x/../y', '/', 'a//b', 'v1.', '..', '../a', 'a/.', 'a/..', './.', 'x/./y/', 'a b/c'];
    for (const folder of spelled) {
      for (const name of ['f.txt', 'lesson-1.json', '..a.txt', 'ü.txt']) expect(joinPrefix(folder) + name, folder).toBe(join(folder, name));
    }
    const part = fc.constantFrom('.', '..', 'a', 'b.c', '', 'ü');
    fc.assert(
      fc.property(fc.boolean(), fc.array(part, { maxLength: 5 }), fc.boolean(), fc.stringMatching(/^[a-z0-9-]{1,8}\.txt$/u), (absolute, parts, trailing, name) => {
        const folder = `${absolute ? '/' : ''}${parts.join('/')}${trailing ? '/' : ''}` || '.';
        expect(joinPrefix(folder) + name).toBe(join(folder, name));
      }),
    );
  });

  const root = mkdtempSync(join(tmpdir(), 'newsdesk-sources-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('lists a folder named relatively, with a trailing separator or through "..", with the paths join would give', async () => {
    const folder = join(root, 'lessons');
    mkdirSync(join(folder, 'inner'), { recursive: true });
    for (const name of ['b.txt', 'a.json', 'inner/c.txt']) writeFileSync(join(folder, name), 'x');
    const fromHere = relative(process.cwd(), folder);
    for (const spelled of [folder, `${folder}/`, fromHere, `${fromHere}/../lessons`]) {
      const paths = (await listSources([spelled])).map((source) => source.path);
      expect(paths, spelled).toEqual([join(spelled, 'a.json'), join(spelled, 'b.txt'), join(spelled, 'inner', 'c.txt')]);
    }
  });
});
