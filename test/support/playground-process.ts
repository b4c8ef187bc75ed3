import { spawn, type ChildProcess } from 'node:child_process';
import { PROJECT_ROOT } from './run-cli.js';
import { nodeArgsFor } from './built.js';

export interface PlaygroundProcess {
  readonly child: ChildProcess;
  /** The page's address, as printed. */
  readonly url: string;
  /** The local Discord's address (REST API and gateway), as printed. */
  readonly discordUrl: string;
  output(): string;
  /** SIGTERM (as Ctrl+C would), and the exit code. */
  stop(timeoutMs?: number): Promise<number | null>;
}

/** Starts a script (`npm run playground`'s or `npm start`'s) and waits for "Playground ready: <url>". */
export async function startPlayground(script: string, env: Record<string, string>, timeoutMs = 120_000): Promise<PlaygroundProcess> {
  const child = spawn(process.execPath, nodeArgsFor(script), {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', PLAYGROUND_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the playground did not get ready; output:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Playground ready: (http:\/\/127\.0\.0\.1:\d+)/u.exec(output);
      if (match?.[1] && /local Discord \(http:/u.test(output)) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the playground exited (${code}) before it was ready; output:\n${output}`));
    });
  });
  const discordUrl = /local Discord \((http:\/\/127\.0\.0\.1:\d+)/u.exec(output)?.[1] ?? '';
  return {
    child,
    url,
    discordUrl,
    output: () => output,
    async stop(stopTimeoutMs = 30_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
