import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT, runScript } from '../support/run-cli.js';
import { nodeArgsFor } from '../support/built.js';

/*
 * One process-level smoke test of the lessons CLI's entry point, from source (`npm run lessons` runs the
 * same module compiled; scripts/check-image-steps.sh runs that in CI): it opens (and migrates) the embedded
 * database, imports, and lists. Its whole contract is tested in-process in test/cli/.
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
      // A limit past what a list can hold is a usage error (it reached PostgreSQL: "out of range for type bigint").
      const huge = await runScript('src/cli/lessons.ts', ['list', '--limit', '99999999999999999999'], { DATA_DIR: dir });
      expect(huge.code).toBe(2);
      expect(huge.stderr).toMatch(/^error: --limit must be a whole number from 1 to 10,000\n/u);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, PROCESS_TIMEOUT_MS);
});

/** The kernel's high-water mark of a process's resident set (VmHWM), in MB; undefined once it is gone. */
function peakRssMb(pid: number): number | undefined {
  try {
    const kb = /^VmHWM:\s+(\d+) kB/mu.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

describe('the lessons CLI writing to a closed pipe', () => {
  it('ends quietly as a Unix tool ends of SIGPIPE (141) when its reader stops early (`… | head`), without a stack trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'newsdesk-cli-pipe-'));
    try {
      const child = spawn(process.execPath, [...nodeArgsFor('src/cli/lessons.ts'), 'import', '--dry-run', '--json', 'examples/library'], {
        cwd: PROJECT_ROOT,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', DATA_DIR: dir },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      // The reader is gone before the first line.
      child.stdout.destroy();
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const code = await new Promise<number | null>((resolve, reject) => {
        child.once('error', reject);
        child.once('close', resolve);
      });
      expect(stderr).toBe('');
      expect(code).toBe(141);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, PROCESS_TIMEOUT_MS);
});

/**
 * The CLI sets `--liftoff-only` and the tiering flags it implies for itself (CLI_V8_FLAGS): PGlite's WebAssembly is not also compiled by V8's
 * optimising compiler, whose memory stayed with the process. An import of the ten example lessons into a new
 * PGlite directory (from source: node with tsx, whose TypeScript compiler alone is ~90 MB) peaked at the
 * commit at 243–257 MB with the flag and 330–337 MB without it (2026-12-01, load 3–4): the bound lies between.
 * On Node 24 `--liftoff-only` set at run time alone left the optimising compiler on (551–581 MB): this test caught it.
 */
describe.runIf(process.platform === 'linux')('the lessons CLI on PGlite: memory', () => {
  it('keeps PGlite on the baseline compiler: peak RSS at the commit well under what the optimising compiler costs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'newsdesk-cli-memory-'));
    try {
      const child = spawn(process.execPath, [...nodeArgsFor('src/cli/lessons.ts'), 'import', 'examples/library'], {
        cwd: PROJECT_ROOT,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', DATA_DIR: dir },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const pid = child.pid as number;
      let stdout = '';
      let atCommit: number | undefined;
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        // Read as soon as the counts are printed: the lessons are committed and the vocabulary step not begun.
        if (atCommit === undefined && stdout.includes('imported ')) atCommit = peakRssMb(pid);
      });
      const code = await new Promise<number | null>((resolve, reject) => {
        child.once('error', reject);
        child.once('close', resolve);
      });
      expect(code).toBe(0);
      expect(stdout.trim()).toBe('imported 10, updated 0, unchanged 0');
      expect(atCommit).toBeGreaterThan(50);
      expect(atCommit).toBeLessThan(290);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, PROCESS_TIMEOUT_MS);
});
