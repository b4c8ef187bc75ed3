import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../support/run-cli.js';

/** One racing process, answering one line per command. */
class Racer {
  private readonly lines: Interface;
  private readonly pending: ((line: string) => void)[] = [];
  readonly child: ChildProcessWithoutNullStreams;

  constructor() {
    this.child = spawn(process.execPath, ['--import', 'tsx', 'test/support/lock-racer.ts'], { cwd: PROJECT_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    this.lines = createInterface({ input: this.child.stdout });
    this.lines.on('line', (line) => this.pending.shift()?.(line));
  }

  send(command: string): Promise<string> {
    return new Promise((resolve) => {
      this.pending.push(resolve);
      this.child.stdin.write(`${command}\n`);
    });
  }
}

describe('two processes taking over one stale PGlite lock at the same instant', () => {
  const root = mkdtempSync(join(tmpdir(), 'newsdesk-lock-race-'));
  let racers: Racer[] = [];

  beforeAll(async () => {
    racers = [new Racer(), new Racer()];
    // Both loaded and answering before the first round.
    const warm = join(root, 'warm');
    for (const racer of racers) {
      expect(await racer.send(`go ${warm}-${racer.child.pid} 0`)).toMatch(/^got /u);
      await racer.send('release');
    }
  });

  afterAll(async () => {
    for (const racer of racers) {
      racer.child.stdin.end('exit\n');
      await new Promise((resolve) => racer.child.once('exit', resolve));
    }
    rmSync(root, { recursive: true, force: true });
  });

  it('never lets both take it, over 150 rounds', async () => {
    const bothGotIt: number[] = [];
    for (let round = 0; round < 150; round += 1) {
      // A lock left by a process that died (PIDs stay below 2^22 on Linux).
      const dataDir = join(root, `round-${round}`);
      mkdirSync(dataDir);
      writeFileSync(join(dataDir, 'pglite.lock'), JSON.stringify({ pid: 2 ** 22 + 1, host: hostname(), command: 'crashed', since: '2026-01-01T00:00:00.000Z' }));
      const at = Date.now() + 30;
      const answers = await Promise.all(racers.map((racer) => racer.send(`go ${dataDir} ${at}`)));
      const got = answers.filter((answer) => answer.startsWith('got ')).length;
      expect(answers.every((answer) => /^(got|locked) /u.test(answer))).toBe(true);
      if (got !== 1) bothGotIt.push(round);
      await Promise.all(racers.map((racer) => racer.send('release')));
    }
    expect(bothGotIt).toEqual([]);
  });
});
