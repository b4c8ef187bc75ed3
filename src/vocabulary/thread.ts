import { fork, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { mallocMmapThreshold } from '../malloc-setting.js';

const typescript = import.meta.url.endsWith('.ts');
const entryOf = (name: string) => new URL(`./${name}${typescript ? '.ts' : '.js'}`, import.meta.url);

/**
 * A worker thread running one of this folder's modules (`name` without extension). Compiled (dist/), the
 * worker is JavaScript. Under tsx (the tests) it is TypeScript, and tsx's loader is not inherited by worker
 * threads on Node 20: a small bootstrap registers it first.
 */
export function startVocabularyThread(name: string, options: WorkerOptions = {}): Worker {
  const entry = entryOf(name);
  if (!typescript) return new Worker(entry, options);
  return new Worker(
    `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`,
    { ...options, eval: true },
  );
}

/** How much lower than the bot the vocabulary process runs (nice): members' commands come first. */
export const VOCABULARY_PROCESS_NICENESS = 10;

/**
 * How much V8 lets the vocabulary process's heap grow past what its last full collection kept (as the lessons
 * CLI's: V8's own default picks up to ×4 when collecting is cheap). Computing vocabularies makes garbage steadily
 * while keeping the model and word lists: a catch-up of 5,000 lessons peaked at 227–244 MB with V8's default and
 * 124–126 MB with it, for ~10 % more time in the background (BENCHMARKS.md, "The vocabulary process").
 */
export const VOCABULARY_PROCESS_HEAP_GROWING_PERCENT = 20;

/**
 * A child process running one of this folder's modules, talking over Node's IPC channel (structured clone,
 * as a thread's messages). Its memory is its own and goes back to the system when it exits; it gets none of
 * the bot's environment (the Discord token, the database URL: it needs neither) but NODE_ENV and glibc's mmap
 * threshold, and a lower CPU priority. Its heap's growth bounded; young generation as the bot's
 * (`--max-semi-space-size=4`); under tsx (the tests) tsx's loader.
 */
export function startVocabularyProcess(name: string): ChildProcess {
  const env: NodeJS.ProcessEnv = mallocMmapThreshold();
  if (process.env.NODE_ENV !== undefined) env.NODE_ENV = process.env.NODE_ENV;
  const heapGrowth = `--heap-growing-percent=${VOCABULARY_PROCESS_HEAP_GROWING_PERCENT}`;
  const child = fork(entryOf(name), [], {
    execArgv: typescript ? ['--import', 'tsx', heapGrowth] : ['--max-semi-space-size=4', heapGrowth],
    env,
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    if (child.pid !== undefined) setPriority(child.pid, VOCABULARY_PROCESS_NICENESS);
  } catch {
    // Not allowed here (some containers): it runs at the bot's priority, as a thread would.
  }
  return child;
}
