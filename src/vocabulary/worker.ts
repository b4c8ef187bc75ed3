import { parentPort } from 'node:worker_threads';
import { createVocabularyComputer, type VocabularyInput } from './computer.js';

// The worker behind worker-computer.ts, as a thread or as a child process: the model and word lists live
// here, not in the bot's thread.
const computer = createVocabularyComputer();
type Message = { id: number; lesson: VocabularyInput };
const reply = (message: unknown) => {
  if (parentPort) parentPort.postMessage(message);
  // The bot may have gone while this lesson was computed: the answer has nowhere to go, and the 'disconnect'
  // handler below ends the process. Without the callback the failed write (EPIPE) is an uncaught 'error'.
  else if (process.connected) process.send?.(message, undefined, undefined, () => undefined);
};
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
  // The bot is gone, or stops this worker (it closes the channel): nothing is left to answer.
  process.on('disconnect', () => process.exit(0));
  // A signal to the bot's whole process group (Ctrl+C in a terminal, systemd stopping the service) is for the bot,
  // which stops this worker itself once the work in flight is answered. Dying of it here failed that lesson in the
  // bot's start-up catch-up ("vocabulary worker exited (code null)").
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => undefined);
}
