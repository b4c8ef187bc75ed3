import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScript } from '../support/run-cli.js';

/*
 * `npm run migrate` changes the database (one migration rewrites `lessons`: README, Database). It took no arguments
 * and read none, so `npm run migrate -- --dry-run` (or `--help`) migrated the database it was asked to look at.
 */
describe('npm run migrate', () => {
  it('refuses an argument it does not know as wrong usage (exit 2), and --help prints its usage, the database untouched', async () => {
    const work = mkdtempSync(join(tmpdir(), 'newsdesk-migrate-'));
    const dataDir = join(work, 'data');
    try {
      const dryRun = await runScript('src/cli/migrate.ts', ['--dry-run'], { DATA_DIR: dataDir });
      expect(dryRun.code).toBe(2);
      expect(dryRun.stderr).toContain("error: Unknown option '--dry-run'");
      expect(dryRun.stderr).toContain('Usage: npm run migrate');
      const help = await runScript('src/cli/migrate.ts', ['--help'], { DATA_DIR: dataDir });
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('Usage: npm run migrate');
      expect(existsSync(dataDir)).toBe(false);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 60_000);
});
