import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScript } from '../support/run-cli.js';

/*
 * One process-level smoke test of `npm run lessons`: the real entry point opens (and migrates) the
 * embedded database, imports, and lists. Its whole contract is tested in-process in test/cli/.
 */
const REFERENCE = 'examples/lessons/nhk-2025-05-31-japan-us-cyber.txt';
const REFERENCE_ID = 'add8c4f2-5778-47a5-bd18-2492841fbc6e';

// Three Node starts, two of them opening PGlite from disk: give a loaded machine room.
const PROCESS_TIMEOUT_MS = 120_000;

describe('the lessons CLI as a process', () => {
  it('imports into the embedded database and lists what it holds, with exit codes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'newsdesk-cli-'));
    try {
      const imported = await runScript('src/cli/lessons.ts', ['import', REFERENCE], { DATA_DIR: dir });
      expect(imported.stderr).toBe('');
      expect(imported.code).toBe(0);
      expect(imported.stdout.trim()).toBe('imported 1, updated 0, unchanged 0');
      const list = await runScript('src/cli/lessons.ts', ['list'], { DATA_DIR: dir });
      expect(list.code).toBe(0);
      expect(list.stdout).toContain(REFERENCE_ID);
      expect(list.stdout).toContain('(1 of 1 lessons)');
      const usage = await runScript('src/cli/lessons.ts', ['frobnicate'], {});
      expect(usage.code).toBe(2);
      expect(usage.stderr).toContain('unknown command');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, PROCESS_TIMEOUT_MS);
});
