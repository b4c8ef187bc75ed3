import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startInProcessGroup } from '../support/process-group.js';
import { runScript } from '../support/run-cli.js';

describe('npm start without a token in production', () => {
  let dataDir: string | undefined;
  afterEach(() => {
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('stays an error: it migrates, explains what to do, exits 1, and opens no playground', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'newsdesk-production-'));
    const result = await runScript('src/main.ts', [], { DATA_DIR: dataDir, DISCORD_TOKEN: '', NODE_ENV: 'production' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('DISCORD_TOKEN is not set');
    // What works without Discord: the lessons CLI's help, loaded only on this path.
    expect(result.stderr).toContain('Usage: npm run lessons -- <command>');
    expect(result.stdout + result.stderr).not.toContain('Playground ready');
  }, 120_000);

  it('refuses a playground port that is not a port, naming the variable', async () => {
    const result = await runScript('src/playground/main.ts', [], { PLAYGROUND_PORT: '70000' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('PLAYGROUND_PORT');
  }, 120_000);
});

describe('npm start without a token, stopped while the bot is still starting', () => {
  let dataDir: string | undefined;
  afterEach(() => {
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('Ctrl+C before the bot has connected stops the playground and its bot within seconds, exit 0, nothing left running', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'newsdesk-playground-stop-'));
    const playground = startInProcessGroup('src/main.ts', { LOG_LEVEL: 'warn', PLAYGROUND_PORT: '0', DATA_DIR: dataDir, DISCORD_TOKEN: '' });
    try {
      // The commands are registered just before the page opens and the bot is started: stop it then, as a
      // terminal's Ctrl+C does (the whole group: the playground and its bot).
      await playground.waitFor('Registered ');
      playground.signal('SIGINT', 'group');
      // The bound is far under the bot's 120 s connect wait (which kept the process alive before), far over a stop's seconds.
      expect(await playground.exitWithin(45_000)).toBe(0);
      expect(playground.output()).toContain('Stopping the playground');
      expect(playground.output()).not.toContain('Playground ready');
      // Nothing of the group is left (the bot it had started included).
      await expect.poll(() => playground.groupAlive(), { timeout: 10_000 }).toBe(false);
    } finally {
      playground.killGroup();
    }
  }, 120_000);
});
