import { afterAll, describe, expect, it } from 'vitest';
import { createVocabularyComputer } from '../../../src/vocabulary/computer.js';
import { createWorkerVocabularyComputer } from '../../../src/vocabulary/worker-computer.js';
import { formsLesson } from '../../support/vocabulary-lessons.js';

describe('the worker-thread computer (what the bot uses)', () => {
  const worker = createWorkerVocabularyComputer();
  const local = createVocabularyComputer();
  afterAll(async () => {
    await worker.close();
    local.close();
  });

  it('gives exactly what the in-process computer gives, and serves several requests at once', async () => {
    const [a, b] = await Promise.all([worker.compute(formsLesson), worker.compute({ ...formsLesson, dialogue: [] })]);
    expect(a).toEqual(local.compute(formsLesson));
    expect(b.entries.length).toBeGreaterThan(0);
  }, 60_000);

  it('starts again after being closed', async () => {
    await worker.close();
    expect((await worker.compute(formsLesson)).entries.length).toBeGreaterThanOrEqual(8);
  }, 60_000);

  it('a worker that exits after the next one started fails none of the new one’s requests', async () => {
    await worker.compute(formsLesson);
    const closing = worker.close(); // the old worker exits while the new one is already working
    const computed = worker.compute(formsLesson);
    await closing;
    expect(await computed).toEqual(local.compute(formsLesson));
  }, 60_000);

  it('release() stops the worker once the work in flight is answered, not an idle minute later', async () => {
    await worker.compute(formsLesson);
    expect(worker.running).toBe(true);
    worker.release();
    expect(worker.running).toBe(false);

    const inFlight = worker.compute(formsLesson);
    worker.release();
    expect(worker.running).toBe(true);
    expect((await inFlight).entries.length).toBeGreaterThanOrEqual(8);
    expect(worker.running).toBe(false);
  }, 60_000);
});
