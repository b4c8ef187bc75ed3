import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../support/run-cli.js';

/** Files under `dir`, relative to it, that `keep` accepts. */
function filesUnder(dir: string, keep: (name: string) => boolean): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && keep(entry.name))
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

/**
 * What `npm start` and `npm run lessons` build before they run (scripts/build-fast.mjs: esbuild, no type-check).
 * Built inside the project (node_modules/.cache), so the output resolves the project's packages as dist/ does.
 */
describe('the build before npm start and npm run lessons', () => {
  const out = join(PROJECT_ROOT, 'node_modules', '.cache', `newsdesk-fast-build-${process.pid}`);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('emits a module and its source map for every TypeScript source, as tsc does, and the CLI built that way runs', () => {
    execFileSync(process.execPath, ['scripts/build-fast.mjs', out], { cwd: PROJECT_ROOT });
    const sources = ['src', 'commands', 'migrations'].flatMap((dir) =>
      filesUnder(join(PROJECT_ROOT, dir), (name) => name.endsWith('.ts') && !name.endsWith('.d.ts')).map((file) => join(dir, file)),
    );
    expect(sources.length).toBeGreaterThan(100);
    const expected = sources.flatMap((file) => [file.replace(/\.ts$/u, '.js'), file.replace(/\.ts$/u, '.js.map')]).sort();
    expect(filesUnder(out, () => true)).toEqual(expected);
    // Run: the lessons CLI's help, through the built modules' imports (config, database, services).
    const help = execFileSync(process.execPath, [join(out, 'src', 'cli', 'lessons.js'), 'help'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    expect(help).toContain('Usage: npm run lessons -- <command>');
  }, 60_000);

  it('without esbuild (dev dependencies left out): runs a dist/ built before, or says in one line what to do', () => {
    // A copy of the script where no node_modules is found up the tree, as after `NODE_ENV=production npm ci`.
    const project = mkdtempSync(join(tmpdir(), 'newsdesk-no-dev-'));
    try {
      mkdirSync(join(project, 'scripts'));
      copyFileSync(join(PROJECT_ROOT, 'scripts', 'build-fast.mjs'), join(project, 'scripts', 'build-fast.mjs'));
      const run = () => spawnSync(process.execPath, ['scripts/build-fast.mjs'], { cwd: project, encoding: 'utf8' });
      const nothingBuilt = run();
      expect(nothingBuilt.status).toBe(1);
      expect(nothingBuilt.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^Cannot build dist\/: esbuild, a development dependency, is not installed/u)]);
      mkdirSync(join(project, 'dist', 'src'), { recursive: true });
      writeFileSync(join(project, 'dist', 'src', 'main.js'), '');
      const built = run();
      expect(built.status).toBe(0);
      expect(built.stderr).toMatch(/^esbuild \(a development dependency\) is not installed: running the build already in dist\//u);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});
