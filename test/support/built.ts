import { join } from 'node:path';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where test/support/build-for-tests.ts built the sources for this run (esbuild, as `npm start` builds dist/). */
    builtSources: string;
  }
}

/**
 * The node arguments that run a project script as a test's child process. A source entry point (`src/….ts`) runs
 * compiled, as `npm start` and `npm run lessons` run it (built once for the run, scripts/build-fast.mjs): under tsx
 * each start compiled and resolved every module again, ~0.8 s and ~1.3 s of CPU more a process, and a run starts
 * a hundred and more. Test helpers (`test/support/….ts`) run under tsx.
 */
export function nodeArgsFor(script: string): string[] {
  if (/^src\/.+\.ts$/u.test(script)) return [join(inject('builtSources'), script.replace(/\.ts$/u, '.js'))];
  return ['--import', 'tsx', script];
}
