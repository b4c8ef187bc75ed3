import { describe, expect, it } from 'vitest';
import { MAX_PROBLEMS_PER_FILE } from '../../src/domain/lesson-parser/index.js';
import { parseSources } from '../../src/lessons/import.js';
import { IN_THREAD_MAX_CHARS, parseSourcesOffThread } from '../../src/lessons/parse-off-thread.js';
import { referenceText } from '../fixtures/lessons/reference.js';
import { UserError } from '../../src/user-error.js';

/** 2 MiB of `{"id":1}`: each of ~233,000 lessons has eleven problems. */
const HOSTILE_LESSONS = Math.floor((2 * 1024 * 1024) / 9) - 1;
const hostile = `[${Array.from({ length: HOSTILE_LESSONS }, () => '{"id":1}').join(',')}]`;

/**
 * The longest the event loop was held up while `work` ran, in milliseconds: a timer meant to fire every
 * 5 ms records the longest gap between its ticks (a stall shows up as one long gap, once the loop is free).
 */
async function longestStall(work: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last - 5);
    last = now;
  }, 5);
  try {
    await work();
    await new Promise((resolve) => setTimeout(resolve, 30));
  } finally {
    clearInterval(timer);
  }
  return Math.max(longest, performance.now() - last - 5);
}

describe('parsing an upload off the event loop', () => {
  it('parses valid files in the worker exactly as in the process', async () => {
    // Padded past the in-thread limit with trailing blank lines, so the worker does the parse.
    const sources = [{ path: 'reference.txt', text: referenceText + '\n'.repeat(IN_THREAD_MAX_CHARS) }];
    expect(await parseSourcesOffThread(sources, { importTimeZone: 'UTC' })).toEqual(parseSources(sources, { importTimeZone: 'UTC' }));
  });

  it('reports a hostile 2 MiB file with the first problems and a count of the rest', async () => {
    const batch = await parseSourcesOffThread([{ path: 'hostile.json', text: hostile }], { importTimeZone: 'UTC' });
    expect(batch.ok).toBe(false);
    if (batch.ok) return;
    expect(batch.problems).toHaveLength(MAX_PROBLEMS_PER_FILE + 1);
    expect(batch.problems[0]).toEqual({ path: 'hostile.json', line: 1, message: 'lesson 1: id: expected a UUID' });
    expect(batch.problems.at(-1)).toEqual({
      path: 'hostile.json',
      line: null,
      message: expect.stringMatching(/^and \d+ more problems not listed/u),
      omitted: HOSTILE_LESSONS * 11 - MAX_PROBLEMS_PER_FILE,
    });
    expect(batch.problemCount).toBe(HOSTILE_LESSONS * 11);
  }, 120_000);

  it('never holds up the event loop for long (target ~100 ms) while a hostile 2 MiB upload is parsed', async () => {
    // A timer that should fire every 5 ms keeps firing: other members' answers are not held up.
    const started = performance.now();
    const stall = await longestStall(() => parseSourcesOffThread([{ path: 'hostile.json', text: hostile }], { importTimeZone: 'UTC' }));
    // On a shared, busy machine the process itself is sometimes not scheduled for a while: measure that
    // noise over as long a time doing nothing, and allow it on top of the 100 ms (parsing in this thread
    // stalls for seconds).
    const idle = await longestStall(() => new Promise((resolve) => setTimeout(resolve, performance.now() - started)));
    console.log(`longest event-loop stall while parsing 2 MiB off-thread: ${stall.toFixed(1)} ms (idle as long: ${idle.toFixed(1)} ms)`);
    // The target is ~100 ms (measured 44–89 ms on a quiet machine); on this shared 2-core machine under a
    // load of 20 the worker's start-up has cost the main thread up to ~200 ms, hence the margin. Parsing
    // in this thread stalls for seconds.
    expect(stall).toBeLessThan(250 + idle);
  }, 120_000);

  it('stops a parse that runs too long, with a message for the moderator', async () => {
    const slow = parseSourcesOffThread([{ path: 'hostile.json', text: hostile }], { importTimeZone: 'UTC' }, { timeoutMs: 50, maxHeapMb: 256, concurrency: 2 });
    await expect(slow).rejects.toThrow(UserError);
    await expect(slow).rejects.toThrow(/took longer than/u);
  });
});
