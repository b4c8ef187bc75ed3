import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createBotDatabase } from '../support/bot-process.js';
import { PROJECT_ROOT, runScript } from '../support/run-cli.js';
import { nodeArgsFor } from '../support/built.js';

// Ctrl+C in the middle of an import on PostgreSQL: the CLI says what is kept and exits as the shell expects for
// the signal (on PGlite the signal ends the process itself, as before: src/cli/lessons.ts says why).
describe.runIf(Boolean(process.env.TEST_DATABASE_URL))('the lessons CLI on PostgreSQL stopped by Ctrl+C', () => {
  it('in an import: says an import keeps nothing until it prints its counts, exits 130, and the library is still empty', async () => {
    const database = await createBotDatabase('postgres', { migrated: true });
    try {
      const env = { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', ...database.env };
      const child = spawn(process.execPath, [...nodeArgsFor('src/cli/lessons.ts'), 'import', '-'], { cwd: PROJECT_ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
      // Half of an export on standard input, which stays open: the import is under way, reading it.
      const lesson = readFileSync(join(PROJECT_ROOT, 'examples/lessons/nhk-2025-05-31-japan-us-cyber.txt'), 'utf8');
      child.stdin.write(lesson.slice(0, lesson.length / 2));
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      child.kill('SIGINT');

      const { code, signal } = await closed;
      expect({ code, signal }).toEqual({ code: 130, signal: null });
      expect(stdout).toBe('');
      expect(stderr).toContain('interrupted (SIGINT): an import keeps its lessons only once it has printed its counts');
      // Not a terminal: no cursor codes in the output.
      expect(stderr).not.toContain('\x1b');
      const list = await runScript('src/cli/lessons.ts', ['list'], database.env);
      expect(list.code).toBe(0);
      expect(list.stdout).toContain('The library is empty.');
    } finally {
      await database.dispose();
    }
  }, 120_000);
});
