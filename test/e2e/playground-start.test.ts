import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, runScript } from '../support/run-cli.js';

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
    // Its own process group, as a terminal's: Ctrl+C signals the whole group (the playground and its bot).
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', PLAYGROUND_PORT: '0', DATA_DIR: dataDir, DISCORD_TOKEN: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // The commands are registered just before the page opens and the bot is started: stop it then.
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Registered ')) resolve();
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      void exited.then((code) => reject(new Error(`exited (${code}) before registering its commands:\n${output}`)));
    });
    process.kill(-child.pid!, 'SIGINT');

    // The bound is far under the bot's 120 s connect wait (which kept the process alive before), far over a stop's seconds.
    const code = await Promise.race([exited, sleep(45_000).then(() => 'still running' as const)]);
    if (code === 'still running') process.kill(-child.pid!, 'SIGKILL');
    expect(code).toBe(0);
    expect(output).toContain('Stopping the playground');
    expect(output).not.toContain('Playground ready');
    // Nothing of the group is left (the bot it had started included).
    await expect.poll(() => groupAlive(child.pid!), { timeout: 10_000 }).toBe(false);
  }, 120_000);
});

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}
