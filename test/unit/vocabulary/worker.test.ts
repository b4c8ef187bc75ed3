import { fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { createVocabularyComputer } from '../../../src/vocabulary/computer.js';
import { createWorkerVocabularyComputer } from '../../../src/vocabulary/worker-computer.js';
import { MALLOC_MMAP_THRESHOLD } from '../../../src/malloc-setting.js';
import { VOCABULARY_PROCESS_HEAP_GROWING_PERCENT, VOCABULARY_PROCESS_NICENESS } from '../../../src/vocabulary/thread.js';
import { formsLesson } from '../../support/vocabulary-lessons.js';
import { until } from '../../support/ports.js';

describe.each(['process', 'thread'] as const)('the worker computer in a %s (the bot: a child process)', (kind) => {
  const worker = createWorkerVocabularyComputer(kind);
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

describe('the worker computer’s child process', () => {
  it('runs at a lower CPU priority than the bot and gets none of its environment', async () => {
    process.env.NEWSDESK_TEST_SECRET = 'not-for-the-worker';
    const worker = createWorkerVocabularyComputer('process');
    try {
      await worker.compute(formsLesson);
      const pid = worker.workerPid!;
      expect(getPriority(pid)).toBe(getPriority(process.pid) + VOCABULARY_PROCESS_NICENESS);
      expect(readFileSync(`/proc/${pid}/environ`, 'latin1')).not.toContain('NEWSDESK_TEST_SECRET');
    } finally {
      delete process.env.NEWSDESK_TEST_SECRET;
      await worker.close();
    }
  }, 60_000);

  it('runs with its heap growth bounded and glibc’s mmap threshold fixed (the bot’s own threshold wins)', async () => {
    const saved = process.env.MALLOC_MMAP_THRESHOLD_;
    const started = async (): Promise<{ environ: string[]; argv: string[] }> => {
      const worker = createWorkerVocabularyComputer('process');
      try {
        await worker.compute(formsLesson);
        const pid = worker.workerPid!;
        return {
          environ: readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0'),
          argv: readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0'),
        };
      } finally {
        await worker.close();
      }
    };
    try {
      delete process.env.MALLOC_MMAP_THRESHOLD_;
      const own = await started();
      expect(own.environ).toContain(`MALLOC_MMAP_THRESHOLD_=${MALLOC_MMAP_THRESHOLD}`);
      expect(own.argv).toContain(`--heap-growing-percent=${VOCABULARY_PROCESS_HEAP_GROWING_PERCENT}`);

      process.env.MALLOC_MMAP_THRESHOLD_ = '65536';
      expect((await started()).environ).toContain('MALLOC_MMAP_THRESHOLD_=65536');
    } finally {
      if (saved === undefined) delete process.env.MALLOC_MMAP_THRESHOLD_;
      else process.env.MALLOC_MMAP_THRESHOLD_ = saved;
    }
  }, 60_000);

  it('exits when stopped, and when the bot that started it is killed', async () => {
    const worker = createWorkerVocabularyComputer('process');
    await worker.compute(formsLesson);
    const stopped = worker.workerPid!;
    await worker.close();
    expect(alive(stopped)).toBe(false);

    // A bot process killed with SIGKILL (no chance to stop its worker): the worker sees its channel close.
    const bot = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', KILLED_BOT], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    bot.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await once(bot, 'exit');
    const orphan = Number(/worker (\d+)/u.exec(output)?.[1]);
    expect(orphan).toBeGreaterThan(0);
    expect(await until(async () => alive(orphan), (up) => !up, 10_000)).toBe(false);
  }, 60_000);

  it.each(['SIGINT', 'SIGTERM'] as const)(
    'a %s to the bot’s whole process group is the bot’s: the worker answers on, and ends when the bot stops it',
    async (signal) => {
      // Ctrl+C in a terminal (SIGINT) or systemd's stop (SIGTERM) signals every process of the group. The worker
      // died of it and the bot's catch-up counted its lesson as failed; now the bot's shutdown stops it.
      const bot = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', groupSignalledBot(signal)], {
        stdio: ['ignore', 'pipe', 'inherit'],
        detached: true,
      });
      let output = '';
      bot.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = once(bot, 'exit');
      await until(async () => output, (text) => /worker \d+\n/u.test(text), 30_000);
      const pid = Number(/worker (\d+)/u.exec(output)?.[1]);
      process.kill(-bot.pid!, signal);
      const [code] = await exited;
      expect({ code, output: output.trim().split('\n').slice(1) }).toEqual({ code: 0, output: ['same worker answered after the signal', 'closed'] });
      expect(await until(async () => alive(pid), (up) => !up, 10_000)).toBe(false);
    },
    60_000,
  );

  it.each(['process', 'thread'] as const)(
    'close() of an idle %s worker settles in a program with nothing else to keep it running',
    async (kind) => {
      // The worker is unreferenced once idle; a script whose last step is close() ended with exit code 13 (a
      // top-level await never settled) while the kill of the worker was still under way.
      const script = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', closingScript(kind)], { stdio: ['ignore', 'pipe', 'inherit'] });
      let output = '';
      script.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const [code] = await once(script, 'exit');
      expect({ code, output: output.trim() }).toEqual({ code: 0, output: 'closed' });
    },
    60_000,
  );

  it('exits quietly when the bot goes away while it computes (no EPIPE stack on the shared stderr)', async () => {
    // The bot's stop (or its death) closes the channel while the worker is in a lesson: the answer has nowhere
    // to go. Without a callback, process.send reports that as an 'error' event: an uncaught EPIPE, its stack
    // printed beside the bot's log lines.
    const child = fork(new URL('../../../src/vocabulary/worker.ts', import.meta.url), [], {
      execArgv: ['--import', 'tsx'],
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = once(child, 'exit');
    // A first lesson, answered: the model and word lists are loaded.
    child.send({ id: 1, lesson: formsLesson });
    await once(child, 'message');
    // A long one (a few hundred milliseconds of analysis), and the channel closes while the worker is in it.
    const longArticle = Array.from({ length: 300 }, () => formsLesson.article).flat();
    child.send({ id: 2, lesson: { ...formsLesson, article: longArticle } });
    child.disconnect();
    const [code] = await exited;
    expect(stderr).toBe('');
    expect(code).toBe(0);
  }, 60_000);
});

const closingScript = (kind: 'process' | 'thread') => `
  const { createWorkerVocabularyComputer } = await import(${JSON.stringify(new URL('../../../src/vocabulary/worker-computer.ts', import.meta.url).href)});
  const worker = createWorkerVocabularyComputer(${JSON.stringify(kind)});
  await worker.compute({ id: 'x', article: ['A short article about the weather.'], dialogue: [] });
  await worker.close();
  console.log('closed');
`;

/** A bot that, on `signal`, has its worker compute once more (the same worker: it did not die of it), then closes it. */
const groupSignalledBot = (signal: string) => `
  const { createWorkerVocabularyComputer } = await import(${JSON.stringify(new URL('../../../src/vocabulary/worker-computer.ts', import.meta.url).href)});
  const worker = createWorkerVocabularyComputer('process');
  const lesson = { id: 'x', article: ['A short article about the weather.'], dialogue: [] };
  await worker.compute(lesson);
  const pid = worker.workerPid;
  const keepAlive = setInterval(() => undefined, 1000);
  process.once(${JSON.stringify(signal)}, async () => {
    // The signal reached the worker too; had it died of it, its exit would be seen within this wait.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await worker.compute(lesson);
    console.log(worker.workerPid === pid ? 'same worker answered after the signal' : 'a new worker answered: the first died');
    await worker.close();
    console.log('closed');
    clearInterval(keepAlive);
  });
  console.log('worker ' + pid);
`;

const KILLED_BOT = `
  const { createWorkerVocabularyComputer } = await import(${JSON.stringify(new URL('../../../src/vocabulary/worker-computer.ts', import.meta.url).href)});
  const worker = createWorkerVocabularyComputer('process');
  await worker.compute({ id: 'x', article: ['A short article about the weather.'], dialogue: [] });
  console.log('worker ' + worker.workerPid);
  process.kill(process.pid, 'SIGKILL');
`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A zombie (exited, not yet reaped by a parent that is gone) counts as gone.
    return !/^State:\s+Z/mu.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}
