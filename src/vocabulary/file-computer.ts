import type { VocabularyToStore } from '../db/vocabulary.js';
import { startVocabularyThread } from './thread.js';
import { WORKER_LIMITS } from './worker-computer.js';

/** A line of the output file: the vocabulary to store, or why the lesson's could not be computed. */
export type ComputedVocabularyLine = VocabularyToStore | { readonly lessonId: string; readonly failed: string };

/** What the file worker tells: lessons done so far, and once when it has written them all. */
export interface FileWorkerMessage {
  readonly done: number;
  readonly finished?: true;
}

/**
 * Computes the vocabulary of every lesson in `input` (a LessonText as JSON a line) into `output` (a
 * ComputedVocabularyLine a line) in a worker thread of its own, which reads and writes the files itself and
 * ends when they are done: the model and word lists (~100–150 MB) are held only meanwhile, and go with the
 * thread. For a process that must not hold them beside its database (the lessons CLI on PGlite). Resolves
 * with how many lessons were done; rejects if the thread fails (a file unreadable or unwritable).
 */
export function computeVocabularyFile(input: string, output: string, onProgress?: (done: number) => void): Promise<number> {
  const thread = startVocabularyThread('file-worker', { workerData: { input, output }, resourceLimits: WORKER_LIMITS });
  return new Promise((resolve, reject) => {
    let result: number | undefined;
    thread.on('message', (message: FileWorkerMessage) => {
      onProgress?.(message.done);
      if (message.finished) result = message.done;
    });
    thread.once('error', reject);
    thread.once('exit', (code) => {
      if (result !== undefined) resolve(result);
      else reject(new Error(`vocabulary worker exited (code ${code}) before it finished`));
    });
  });
}
