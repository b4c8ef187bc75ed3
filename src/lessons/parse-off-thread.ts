import { Worker } from 'node:worker_threads';
import { UserError } from '../user-error.js';
import { parseSources, type ParsedBatch } from './import.js';
import type { ParseJob } from './parse-worker.js';
import type { LessonSource } from './sources.js';

export interface OffThreadLimits {
  /** A parse still running after this long is stopped (a pathological file). */
  readonly timeoutMs: number;
  /** The worker's heap limit: a file that needs more is refused instead of growing the bot. */
  readonly maxHeapMb: number;
  /** Parses running at once; more wait their turn, so memory stays bounded. */
  readonly concurrency: number;
}

export const DEFAULT_LIMITS: OffThreadLimits = { timeoutMs: 30_000, maxHeapMb: 256, concurrency: 2 };

/**
 * The worker's module next to this one: `.js` when the project runs compiled from dist/, `.ts` when it
 * runs from source (`node --import tsx`, vitest). On Node 20 a worker does not get tsx's loader from
 * `--import tsx` in its execArgv, so from source a small bootstrap loads the module through tsx's API.
 */
function workerOptions(): { script: string | URL; eval: boolean } {
  if (!import.meta.url.endsWith('.ts')) return { script: new URL('./parse-worker.js', import.meta.url), eval: false };
  const module = new URL('./parse-worker.ts', import.meta.url).href;
  const api = import.meta.resolve('tsx/esm/api');
  return { script: `import(${JSON.stringify(api)}).then(({ tsImport }) => tsImport(${JSON.stringify(module)}, ${JSON.stringify(import.meta.url)}))`, eval: true };
}

let running = 0;
const waiting: (() => void)[] = [];

async function turn(concurrency: number): Promise<() => void> {
  if (running >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
  running += 1;
  return () => {
    running -= 1;
    waiting.shift()?.();
  };
}

/**
 * Smaller inputs are parsed right here: every real export is a few kilobytes, starting a worker costs
 * more than parsing them, and the worst 8 KiB file (2,700 empty lessons, 30,000 problems) takes about
 * 30 ms on an idle core.
 */
export const IN_THREAD_MAX_CHARS = 8 * 1024;

/**
 * parseSources in a worker thread (in this thread for small inputs, see IN_THREAD_MAX_CHARS). A hostile
 * file (millions of problems, deep nesting, megabytes on one line) costs the worker's time and memory, never the event loop's; a parse that runs too long or
 * needs too much memory is stopped and reported as a member-facing problem.
 */
export async function parseSourcesOffThread(
  sources: readonly LessonSource[],
  options: { importTimeZone: string },
  limits: OffThreadLimits = DEFAULT_LIMITS,
): Promise<ParsedBatch> {
  const size = sources.reduce((sum, source) => sum + source.text.length, 0);
  if (size <= IN_THREAD_MAX_CHARS) return parseSources(sources, options);
  const done = await turn(limits.concurrency);
  try {
    return await runWorker({ sources, importTimeZone: options.importTimeZone }, limits);
  } finally {
    done();
  }
}

function runWorker(job: ParseJob, limits: OffThreadLimits): Promise<ParsedBatch> {
  const { script, eval: isCode } = workerOptions();
  return new Promise<ParsedBatch>((resolve, reject) => {
    const worker = new Worker(script, {
      eval: isCode,
      workerData: job,
      resourceLimits: { maxOldGenerationSizeMb: limits.maxHeapMb },
      stdout: false,
      stderr: false,
    });
    let settled = false;
    const settle = (action: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      action();
    };
    const timer = setTimeout(
      () => settle(() => reject(new UserError(`Checking that file took longer than ${Math.round(limits.timeoutMs / 1000)} s, so I stopped. Split it into smaller files.`))),
      limits.timeoutMs,
    );
    worker.once('message', (batch: ParsedBatch) => settle(() => resolve(batch)));
    worker.once('error', (error: Error & { code?: string }) =>
      settle(() =>
        reject(
          error.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new UserError('That file needs too much memory to check. Split it into smaller files.')
            : error,
        ),
      ),
    );
    worker.once('exit', (code) => settle(() => reject(new Error(`the lesson parser worker stopped (exit code ${code}) without an answer`))));
  });
}
