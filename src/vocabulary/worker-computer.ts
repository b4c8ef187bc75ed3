import { Worker } from 'node:worker_threads';
import type { LessonVocabulary } from '../domain/vocabulary/compute.js';
import type { VocabularyComputer, VocabularyInput } from './computer.js';

/** The worker exits after this long without work, and gives its memory back. */
const IDLE_MS = 60_000;

/**
 * Computes vocabularies in a worker thread, started on first use and stopped when idle: the bot's own
 * thread never loads the model and word lists (about a second of CPU), so no interaction waits behind
 * them, and the bot's memory only grows while there is vocabulary to compute (a Discord import, or a
 * lesson imported by an older version).
 */
export function createWorkerVocabularyComputer(): VocabularyComputer {
  let worker: Worker | undefined;
  let idle: NodeJS.Timeout | undefined;
  let next = 1;
  const pending = new Map<number, { resolve: (v: LessonVocabulary) => void; reject: (e: Error) => void }>();

  function start(): Worker {
    // Compiled (dist/), the worker is JavaScript. Under tsx (npm start, the tests) it is TypeScript, and
    // tsx's loader is not inherited by worker threads on Node 20: a small bootstrap registers it first.
    const typescript = import.meta.url.endsWith('.ts');
    const entry = new URL(typescript ? './worker.ts' : './worker.js', import.meta.url);
    const created = typescript
      ? new Worker(
          `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`,
          { eval: true },
        )
      : new Worker(entry);
    created.on('message', (message: { id: number; result?: LessonVocabulary; error?: string }) => {
      const waiting = pending.get(message.id);
      pending.delete(message.id);
      if (message.error !== undefined) waiting?.reject(new Error(message.error));
      else if (message.result !== undefined) waiting?.resolve(message.result);
      if (pending.size === 0) {
        // Idle: the worker alone must not keep the process alive.
        created.unref();
        scheduleStop();
      }
    });
    const failAll = (error: Error) => {
      for (const waiting of pending.values()) waiting.reject(error);
      pending.clear();
      if (worker === created) worker = undefined;
    };
    created.on('error', failAll);
    created.on('exit', (code) => failAll(new Error(`vocabulary worker exited (code ${code})`)));
    created.unref();
    return created;
  }

  function scheduleStop(): void {
    clearTimeout(idle);
    idle = setTimeout(() => {
      if (pending.size === 0) void stop();
    }, IDLE_MS);
    idle.unref();
  }

  async function stop(): Promise<void> {
    clearTimeout(idle);
    const current = worker;
    worker = undefined;
    await current?.terminate();
  }

  return {
    compute(lesson: VocabularyInput): Promise<LessonVocabulary> {
      clearTimeout(idle);
      worker ??= start();
      // Work in flight keeps the process alive until it is answered.
      worker.ref();
      const id = next++;
      const input: VocabularyInput = { id: lesson.id, article: [...lesson.article], dialogue: lesson.dialogue.map((t) => ({ speaker: t.speaker, text: t.text })) };
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker?.postMessage({ id, lesson: input });
      });
    },
    close: stop,
  };
}
