import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { createInterface } from 'node:readline';
import { parentPort, workerData } from 'node:worker_threads';
import type { LessonText } from '../db/vocabulary.js';
import { createVocabularyComputer } from './computer.js';
import type { ComputedVocabularyLine, FileWorkerMessage } from './file-computer.js';
import { lexiconVersion } from './version.js';

// The worker thread behind file-computer.ts: reads lessons' texts from one file and writes their
// vocabularies to another, a line each, so neither crosses between threads (a structured clone costs as
// much as the computation saves).
const { input, output } = workerData as { input: string; output: string };
const computer = createVocabularyComputer();
const version = lexiconVersion();
const out = createWriteStream(output);
const post = (message: FileWorkerMessage) => parentPort?.postMessage(message);
let done = 0;
for await (const line of createInterface({ input: createReadStream(input, 'utf8'), crlfDelay: Infinity })) {
  if (line === '') continue;
  const lesson = JSON.parse(line) as LessonText;
  let record: ComputedVocabularyLine;
  try {
    const vocabulary = computer.compute(lesson);
    record = { lessonId: lesson.id, contentHash: lesson.contentHash, lexiconVersion: version, entries: vocabulary.entries, level: vocabulary.level };
  } catch (error) {
    record = { lessonId: lesson.id, failed: (error as Error).message };
  }
  if (!out.write(`${JSON.stringify(record)}\n`)) await once(out, 'drain');
  done += 1;
  if (done % 25 === 0) post({ done });
}
out.end();
await finished(out);
computer.close();
post({ done, finished: true });
