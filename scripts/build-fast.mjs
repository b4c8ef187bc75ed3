// What `npm start`, `npm run lessons` and the other run scripts build before they run: dist/ from the TypeScript
// sources, file by file with esbuild (tsx's own compiler), without type-checking. A first `tsc -b` of the project
// takes ~10 s and ~520 MB (TypeScript reads every declaration the code imports, discord.js's included), more than
// the bot or the CLI it starts, and a tool measuring a command's peak memory counts it; this takes under a second
// and ~60 MB. Type-checking stays where a mistake should stop the work: `npm run typecheck`, `npm run build`
// (`tsc -b`, the image's build), CI. The output is what tsc emits for this project (ES modules, ES2022, source
// maps, one file per source: tsconfig.json sets isolatedModules and verbatimModuleSyntax, so each file compiles alone).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import console from 'node:console';
import process from 'node:process';

const SOURCES = ['src', 'commands', 'migrations'];
/** dist/ unless told otherwise (a test builds elsewhere). */
const OUT_DIR = process.argv[2] ?? 'dist';

/** Every TypeScript source under `dir` (not declaration files), as a path from the project's root. */
const typescriptFiles = (dir) =>
  readdirSync(dir, { recursive: true })
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
    .map((name) => join(dir, name));

/**
 * esbuild is a development dependency: with `NODE_ENV=production npm ci` (or `npm ci --omit=dev`) it is not installed.
 * A dist/ built earlier (`npm run build` before the dev dependencies were pruned) is then run as it is; without one,
 * one line says what to do, instead of Node's stack trace for a missing package.
 */
async function esbuildOrNothing() {
  try {
    return await import('esbuild');
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
    const entry = join(OUT_DIR, 'src', 'main.js');
    if (existsSync(entry)) {
      console.error(`esbuild (a development dependency) is not installed: running the build already in ${OUT_DIR}/ (of ${statSync(entry).mtime.toISOString()}).`);
      return undefined;
    }
    console.error(
      `Cannot build ${OUT_DIR}/: esbuild, a development dependency, is not installed (NODE_ENV=production or --omit=dev). ` +
        'Run `npm ci` with the development dependencies, or build where they are (`npm run build`) and run `node dist/src/main.js`.',
    );
    process.exit(1);
  }
}

const esbuild = await esbuildOrNothing();
if (esbuild) await esbuild.build({
  entryPoints: SOURCES.flatMap(typescriptFiles),
  outdir: OUT_DIR,
  outbase: '.',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  tsconfig: 'tsconfig.build.json',
  logLevel: 'warning',
});
