import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { PROJECT_ROOT } from './run-cli.js';
import { nodeArgsFor } from './built.js';

export interface GroupedProcess {
  /** The process's id, which is also its group's. */
  readonly group: number;
  output(): string;
  /** Until the output (stdout and stderr) holds `text`; rejects if the process exits first. */
  waitFor(text: string): Promise<void>;
  /** `signal` to the process alone, or to its whole group as a terminal's Ctrl+C does. */
  signal(signal: NodeJS.Signals, to: 'process' | 'group'): void;
  /** The exit code, or 'still running' after `ms`: a process kept alive fails an assertion rather than hangs a test. */
  exitWithin(ms: number): Promise<number | null | 'still running'>;
  /** Some process of the group (the process, or one it started) is still running. */
  groupAlive(): boolean;
  /** SIGKILL to whatever of the group is left (a test's cleanup). */
  killGroup(): void;
}

/**
 * Runs a project script (compiled: built.ts) in a process group of its own, as a terminal or a service manager
 * starts a program: whatever it starts shares the group, so a test can signal all of it and see whether any is left.
 */
export function startInProcessGroup(script: string, env: Record<string, string | undefined>): GroupedProcess {
  const child = spawn(process.execPath, nodeArgsFor(script), {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const group = child.pid!;
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of [...listeners]) listener();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const groupAlive = () => processGroupAlive(group);
  return {
    group,
    output: () => output,
    waitFor: (text) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!output.includes(text)) return;
          listeners.delete(check);
          resolve();
        };
        listeners.add(check);
        check();
        void exited.then((code) => reject(new Error(`${script} exited (${code}) before printing ${text}:\n${output}`)));
      }),
    signal: (signal, to) => (to === 'group' ? process.kill(-group, signal) : child.kill(signal)),
    exitWithin: (ms) => Promise.race([exited, sleep(ms).then(() => 'still running' as const)]),
    groupAlive,
    killGroup: () => {
      if (groupAlive()) process.kill(-group, 'SIGKILL');
    },
  };
}

/** Whether any process of the group is still there (signal 0 tests without sending). */
export function processGroupAlive(group: number): boolean {
  try {
    process.kill(-group, 0);
    return true;
  } catch {
    return false;
  }
}

/** The processes whose parent is `pid` (from /proc: Linux). */
export function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/u.test(name))
    .filter((name) => {
      try {
        // pid (comm) state ppid …: comm may hold spaces and parentheses, so read after the last ')'.
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}
