import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createBotDatabase, botDatabaseKinds } from '../support/bot-process.js';
import { PROJECT_ROOT } from '../support/run-cli.js';
import { nodeArgsFor } from '../support/built.js';

const HIDE_CURSOR = '\x1b[?25l';
const SHOW_CURSOR = '\x1b[?25h';
const NO_WRAP = '\x1b[?7l';
const WRAP = '\x1b[?7h';

/*
 * The import's progress bar in a terminal (a pseudo-terminal from util-linux's `script`). The bar hides the
 * cursor and turns line wrapping off only where Ctrl+C turns them back on (PostgreSQL, src/cli/interrupted.ts): on
 * PGlite the signal ends the process itself, which left the terminal without a cursor and without wrapping.
 */
describe('the lessons CLI in a terminal: the progress bar and the cursor', () => {
  it.each(botDatabaseKinds())('on %s: the bar is drawn, and the cursor hidden and wrapping off only where an interruption turns them back on', async (kind) => {
    const database = await createBotDatabase(kind, { migrated: true });
    const folder = await mkdtemp(join(tmpdir(), 'newsdesk-cursor-'));
    try {
      await writeLessonCopies(folder, 60);
      const output = await inTerminal([process.execPath, ...nodeArgsFor('src/cli/lessons.ts'), 'import', folder], { LOG_LEVEL: 'warn', ...database.env });
      expect(output.code).toBe(0);
      expect(output.text).toContain('imported 60, updated 0, unchanged 0');
      expect(output.text).toMatch(/\] 60\/60 (files|lessons)/u);
      if (kind === 'pglite') {
        expect(output.text).not.toContain(HIDE_CURSOR);
        expect(output.text).not.toContain(NO_WRAP);
      } else {
        expect(output.text).toContain(HIDE_CURSOR);
        expect(output.text.lastIndexOf(SHOW_CURSOR)).toBeGreaterThan(output.text.lastIndexOf(HIDE_CURSOR));
        expect(output.text).toContain(NO_WRAP);
        expect(output.text.lastIndexOf(WRAP)).toBeGreaterThan(output.text.lastIndexOf(NO_WRAP));
      }
    } finally {
      await rm(folder, { recursive: true, force: true });
      await database.dispose();
    }
  }, 120_000);
});

/** The example lesson `count` times, each with an id and address of its own (the bar appears from 50 lessons). */
async function writeLessonCopies(folder: string, count: number): Promise<void> {
  const lesson = await readFile(join(PROJECT_ROOT, 'examples/lessons/nhk-2025-05-31-japan-us-cyber.txt'), 'utf8');
  for (let index = 0; index < count; index += 1) {
    const suffix = String(index).padStart(4, '0');
    const copy = lesson.replace(/^ID: (.{32}).{4}$/mu, `ID: $1${suffix}`).replace(/^URL: .*$/mu, `URL: https://example.com/lessons/${suffix}`);
    expect(copy).not.toBe(lesson);
    await writeFile(join(folder, `lesson-${suffix}.txt`), copy);
  }
}

/** Runs a command under a pseudo-terminal, so that its stderr is a TTY; the terminal's whole output. */
function inTerminal(command: readonly string[], env: Record<string, string | undefined>): Promise<{ code: number | null; text: string }> {
  const quoted = command.map((part) => `'${part.replaceAll("'", `'\\''`)}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['--quiet', '--return', '--command', quoted, '/dev/null'], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, TERM: 'xterm', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, text }));
  });
}
