import { parentPort } from 'node:worker_threads';
import { createVocabularyComputer, type VocabularyInput } from './computer.js';

// The worker behind worker-computer.ts, as a thread or as a child process: the model and word lists live
// here, not in the bot's thread.
const computer = createVocabularyComputer();
type Message = { id: number; lesson: VocabularyInput };
const reply = (message: unknown) => (parentPort ? parentPort.postMessage(message) : process.send?.(message));
const answer = (message: Message) => {
  try {
    reply({ id: message.id, result: computer.compute(message.lesson) });
  } catch (error) {
    reply({ id: message.id, error: (error as Error).message });
  }
};
if (parentPort) parentPort.on('message', answer);
else {
  process.on('message', answer);
  // The bot is gone (stopped, or killed): nothing is left to answer.
  process.on('disconnect', () => process.exit(0));
}
