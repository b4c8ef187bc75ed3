import { parentPort } from 'node:worker_threads';
import { createVocabularyComputer, type VocabularyInput } from './computer.js';

// The worker thread behind worker-computer.ts: the model and word lists live here, not in the bot's thread.
const computer = createVocabularyComputer();
parentPort?.on('message', (message: { id: number; lesson: VocabularyInput }) => {
  try {
    parentPort?.postMessage({ id: message.id, result: computer.compute(message.lesson) });
  } catch (error) {
    parentPort?.postMessage({ id: message.id, error: (error as Error).message });
  }
});
