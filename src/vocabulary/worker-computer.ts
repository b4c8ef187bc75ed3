import { once } from 'node:events';
import type { ResourceLimits } from 'node:worker_threads';
import type { LessonVocabulary } from '../domain/vocabulary/compute.js';
import type { VocabularyComputer, VocabularyInput } from './computer.js';
import { startVocabularyProcess, startVocabularyThread } from './thread.js';

/** The worker exits after this long without work, and gives its memory back. */
const IDLE_MS = 60_000;
/** How long a stopped worker may take to finish the lesson in hand (a long one: well under a second). */
const STOP_WAIT_MS = 5_000;

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

interface WorkerAnswer {
  id: number;
  result?: LessonVocabulary;
  error?: string;
}

/** What the computer needs of the worker, a thread or a child process running worker.ts. */
interface WorkerHandle {
  send(message: unknown): void;
  onMessage(listener: (message: WorkerAnswer) => void): void;
  onError(listener: (error: Error) => void): void;
  onExit(listener: (code: number | null) => void): void;
  /** Whether the worker alone keeps the bot's process alive (only while it owes answers). */
  ref(): void;
  unref(): void;
  stop(): Promise<void>;
  readonly pid?: number | undefined;
}

/**
 * Where the worker runs. `process` (the bot): a child process, whose memory (the model and word lists, ~100
 * MB while it runs) is never the bot's and goes back to the system when it exits, and which runs at a lower
 * CPU priority than the bot. `thread`: a worker thread of this process (tests, benchmarks).
 */
export type WorkerKind = 'process' | 'thread';

function startWorker(kind: WorkerKind): WorkerHandle {
  if (kind === 'thread') {
    const thread = startVocabularyThread('worker', { resourceLimits: WORKER_LIMITS });
    return {
      send: (message) => thread.postMessage(message),
      onMessage: (listener) => void thread.on('message', listener),
      onError: (listener) => void thread.on('error', listener),
      onExit: (listener) => void thread.on('exit', listener),
      ref: () => thread.ref(),
      unref: () => thread.unref(),
      stop: async () => void (await thread.terminate()),
    };
  }
  const child = startVocabularyProcess('worker');
  return {
    send: (message) => void child.send(message as object),
    onMessage: (listener) => void child.on('message', (message) => listener(message as WorkerAnswer)),
    onError: (listener) => void child.on('error', listener),
    onExit: (listener) => void child.on('exit', listener),
    ref() {
      child.ref();
      child.channel?.ref();
    },
    unref() {
      child.unref();
      child.channel?.unref();
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      // An idle worker is unreferenced: waiting for its exit must keep the process alive, or a caller with
      // nothing else running ends with its close() unsettled (`npm run bench:vocabulary` exited with code 13).
      child.ref();
      // Closing the channel ends the worker once its lesson in hand is done (it ignores SIGINT and SIGTERM,
      // which are the bot's: worker.ts); one that does not end within STOP_WAIT_MS is killed.
      if (child.connected) child.disconnect();
      else child.kill('SIGKILL');
      const killer = setTimeout(() => child.kill('SIGKILL'), STOP_WAIT_MS);
      await exited;
      clearTimeout(killer);
    },
    pid: child.pid,
  };
}

/** One worker and the requests it owes answers to (its own: a worker that exits late fails only these). */
interface Running {
  readonly worker: WorkerHandle;
  readonly pending: Map<number, Pending>;
}

/**
 * Computes vocabularies in a worker (a child process unless told otherwise), started on first use and
 * stopped when idle: the bot's own thread never loads the model and word lists (about a second of CPU), so
 * no interaction waits behind them, and neither the bot's memory nor its CPU carries them (a Discord
 * import, lessons written without the lessons CLI, or imported by an older version). `release()` stops it
 * as soon as the work in flight is answered (a batch job that is over), instead of after IDLE_MS.
 */
export function createWorkerVocabularyComputer(
  kind: WorkerKind = 'process',
): VocabularyComputer & { release(): void; readonly running: boolean; readonly workerPid: number | undefined } {
  let current: Running | undefined;
  let idle: NodeJS.Timeout | undefined;
  let releaseWhenIdle = false;
  let next = 1;

  function start(): Running {
    const worker = startWorker(kind);
    const running: Running = { worker, pending: new Map() };
    worker.onMessage((message) => {
      const waiting = running.pending.get(message.id);
      running.pending.delete(message.id);
      if (message.error !== undefined) waiting?.reject(new Error(message.error));
      else if (message.result !== undefined) waiting?.resolve(message.result);
      if (running.pending.size === 0) {
        // Idle: the worker alone must not keep the process alive.
        worker.unref();
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
    worker.onError(failAll);
    worker.onExit((code) => failAll(new Error(`vocabulary worker exited (code ${code})`)));
    worker.unref();
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
    await stopping?.worker.stop();
  }

  return {
    compute(lesson: VocabularyInput): Promise<LessonVocabulary> {
      clearTimeout(idle);
      releaseWhenIdle = false;
      const running = (current ??= start());
      // Work in flight keeps the process alive until it is answered.
      running.worker.ref();
      const id = next++;
      const input: VocabularyInput = { id: lesson.id, article: [...lesson.article], dialogue: lesson.dialogue.map((t) => ({ speaker: t.speaker, text: t.text })) };
      return new Promise((resolve, reject) => {
        running.pending.set(id, { resolve, reject });
        running.worker.send({ id, lesson: input });
      });
    },
    release(): void {
      if (current === undefined) return;
      if (current.pending.size === 0) void stop();
      else releaseWhenIdle = true;
    },
    close: stop,
    /** Whether a worker is up (holding the model and word lists). */
    get running(): boolean {
      return current !== undefined;
    },
    /** The worker's process id when it runs as a child process (tests). */
    get workerPid(): number | undefined {
      return current?.worker.pid;
    },
  };
}
