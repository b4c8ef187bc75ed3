import type { ResourceLimits, Worker } from 'node:worker_threads';
import type { LessonVocabulary } from '../domain/vocabulary/compute.js';
import type { VocabularyComputer, VocabularyInput } from './computer.js';
import { startVocabularyThread } from './thread.js';

/** The worker exits after this long without work, and gives its memory back. */
const IDLE_MS = 60_000;

/**
 * The worker's heap. Its young generation (up to 2 × 16 MB semi-spaces by default on 64-bit) holds only a
 * lesson's short-lived garbage: 4 MB is enough, and the worker's peak while it runs is lower by the difference.
 * The old generation is left to V8 (the model and word lists need most of the worker's ~100 MB).
 */
export const WORKER_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 4 };

interface Pending {
  resolve: (vocabulary: LessonVocabulary) => void;
  reject: (error: Error) => void;
}

/** One worker thread and the requests it owes answers to (its own: a worker that exits late fails only these). */
interface Running {
  readonly thread: Worker;
  readonly pending: Map<number, Pending>;
}

/**
 * Computes vocabularies in a worker thread, started on first use and stopped when idle: the bot's own
 * thread never loads the model and word lists (about a second of CPU), so no interaction waits behind
 * them, and the bot's memory only grows while there is vocabulary to compute (a Discord import, or a
 * lesson imported by an older version). `release()` stops it as soon as the work in flight is answered
 * (a batch job that is over), instead of after IDLE_MS.
 */
export function createWorkerVocabularyComputer(): VocabularyComputer & { release(): void; readonly running: boolean } {
  let current: Running | undefined;
  let idle: NodeJS.Timeout | undefined;
  let releaseWhenIdle = false;
  let next = 1;

  function start(): Running {
    const thread = startVocabularyThread('worker', { resourceLimits: WORKER_LIMITS });
    const running: Running = { thread, pending: new Map() };
    thread.on('message', (message: { id: number; result?: LessonVocabulary; error?: string }) => {
      const waiting = running.pending.get(message.id);
      running.pending.delete(message.id);
      if (message.error !== undefined) waiting?.reject(new Error(message.error));
      else if (message.result !== undefined) waiting?.resolve(message.result);
      if (running.pending.size === 0) {
        // Idle: the worker alone must not keep the process alive.
        thread.unref();
        if (releaseWhenIdle) void stop();
        else scheduleStop();
      }
    });
    const failAll = (error: Error) => {
      for (const waiting of running.pending.values()) waiting.reject(error);
      running.pending.clear();
      // A worker stopped earlier may exit after a new one started: only its own requests fail, and the new one stays.
      if (current === running) current = undefined;
    };
    thread.on('error', failAll);
    thread.on('exit', (code) => failAll(new Error(`vocabulary worker exited (code ${code})`)));
    thread.unref();
    return running;
  }

  function scheduleStop(): void {
    clearTimeout(idle);
    idle = setTimeout(() => {
      if (current?.pending.size === 0) void stop();
    }, IDLE_MS);
    idle.unref();
  }

  async function stop(): Promise<void> {
    clearTimeout(idle);
    releaseWhenIdle = false;
    const stopping = current;
    current = undefined;
    await stopping?.thread.terminate();
  }

  return {
    compute(lesson: VocabularyInput): Promise<LessonVocabulary> {
      clearTimeout(idle);
      releaseWhenIdle = false;
      const running = (current ??= start());
      // Work in flight keeps the process alive until it is answered.
      running.thread.ref();
      const id = next++;
      const input: VocabularyInput = { id: lesson.id, article: [...lesson.article], dialogue: lesson.dialogue.map((t) => ({ speaker: t.speaker, text: t.text })) };
      return new Promise((resolve, reject) => {
        running.pending.set(id, { resolve, reject });
        running.thread.postMessage({ id, lesson: input });
      });
    },
    release(): void {
      if (current === undefined) return;
      if (current.pending.size === 0) void stop();
      else releaseWhenIdle = true;
    },
    close: stop,
    /** Whether a worker thread is up (holding the model and word lists). */
    get running(): boolean {
      return current !== undefined;
    },
  };
}
