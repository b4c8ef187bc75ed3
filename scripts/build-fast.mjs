// What `npm start`, `npm run lessons` and the other run scripts build before they run: dist/ from the TypeScript
// sources, file by file with esbuild (tsx's own compiler), without type-checking. A first `tsc -b` of the project
// takes ~10 s and ~520 MB (TypeScript reads every declaration the code imports, discord.js's included), more than
// the bot or the CLI it starts, and a tool measuring a command's peak memory counts it; this takes under a second
// and ~60 MB. Type-checking stays where a mistake should stop the work: `npm run typecheck`, `npm run build`
// (`tsc -b`, the image's build), CI. The output is what tsc emits for this project (ES modules, ES2022, source
// maps, one file per source: tsconfig.json sets isolatedModules and verbatimModuleSyntax, so each file compiles alone).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';
import { build } from 'esbuild';

const SOURCES = ['src', 'commands', 'migrations'];
/** dist/ unless told otherwise (a test builds elsewhere). */
const OUT_DIR = process.argv[2] ?? 'dist';

/** Every TypeScript source under `dir` (not declaration files), as a path from the project's root. */
const typescriptFiles = (dir) =>
  readdirSync(dir, { recursive: true })
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
    .map((name) => join(dir, name));

await build({
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
