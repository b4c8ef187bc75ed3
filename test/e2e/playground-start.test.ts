import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeArgsFor } from '../support/built.js';
import { childrenOf, processGroupAlive, startInProcessGroup } from '../support/process-group.js';
import { PROJECT_ROOT, runScript } from '../support/run-cli.js';

describe('npm start without a token in production', () => {
  let dataDir: string | undefined;
  afterEach(() => {
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('stays an error: it explains what to do before it opens the database, exits 1, and opens no playground', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'newsdesk-production-'));
    const result = await runScript('src/main.ts', [], { DATA_DIR: dataDir, DISCORD_TOKEN: '', NODE_ENV: 'production' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('DISCORD_TOKEN is not set');
    // A container restarting on the missing token migrated and tidied the database every time (until 2026-12-07).
    expect(readdirSync(dataDir)).toEqual([]);
    expect(result.stdout).not.toContain('database ready');
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

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('the playground killed outright (kill -9)', () => {
  let dataDir: string | undefined;
  afterEach(() => {
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('takes its bot with it within seconds, and the next start opens the same database', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'newsdesk-playground-killed-'));
    const env = { LOG_LEVEL: 'warn', PLAYGROUND_PORT: '0', DATA_DIR: dataDir, DISCORD_TOKEN: '' };
    const first = startInProcessGroup('src/main.ts', env);
    try {
      await first.waitFor('Playground ready');
      // The bot is the playground's child process (the commands' registration has ended by now).
      const bots = childrenOf(first.group).filter(alive);
      expect(bots).toHaveLength(1);
      const bot = bots[0]!;
      first.signal('SIGKILL', 'process');
      expect(await first.exitWithin(5_000)).toBeNull();
      // It stops as on SIGTERM: the database closed (its lock released), within seconds.
      const killedAt = Date.now();
      await expect.poll(() => alive(bot), { timeout: 30_000, interval: 200 }).toBe(false);
      console.log(`the bot stopped ${Date.now() - killedAt} ms after its playground was killed`);
      // The database is free for the next program: the lessons CLI opens it (a second playground, as a start would,
      // took ~15 s more of the suite's time; the CLI meets the same lock).
      const next = await runScript('src/cli/lessons.ts', ['list'], { DATA_DIR: dataDir });
      expect(next.stderr).not.toContain('in use by process');
      expect(next.code).toBe(0);
    } finally {
      first.killGroup();
    }
  }, 180_000);
});

describe('the program that started the playground ended (kill <npm pid>)', () => {
  let dataDir: string | undefined;
  afterEach(() => {
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('stops the playground and its bot within seconds, when the shell npm started it with is killed', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'newsdesk-playground-orphan-'));
    // As `npm start` runs it: npm → sh -c "node …" → the playground → its bot. npm passes SIGTERM to the shell,
    // which dies of it without passing it on.
    const command = [process.execPath, ...nodeArgsFor('src/main.ts')].map((part) => `'${part}'`).join(' ');
    const shell = spawn('sh', ['-c', `${command}; exit $?`], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', PLAYGROUND_PORT: '0', DATA_DIR: dataDir, DISCORD_TOKEN: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const group = shell.pid!;
    let output = '';
    shell.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const groupAlive = () => processGroupAlive(group);
    try {
      await expect.poll(() => output, { timeout: 120_000, interval: 200 }).toContain('Playground ready');
      const [playground] = childrenOf(group);
      expect(childrenOf(playground!).filter(alive)).toHaveLength(1);
      shell.kill('SIGTERM');
      // The shell is gone; the playground notices it has a new parent, stops its bot and ends: nothing is left.
      await expect.poll(() => groupAlive(), { timeout: 30_000, interval: 250 }).toBe(false);
    } finally {
      if (groupAlive()) process.kill(-group, 'SIGKILL');
    }
  }, 180_000);
});
