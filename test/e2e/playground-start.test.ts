import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
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
