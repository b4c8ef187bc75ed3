/**
 * Runs in a worker thread (see parse-off-thread.ts): parses lesson files there, so a large or hostile
 * upload never holds up the bot's event loop, which answers every other member.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { parseSources } from './import.js';
import type { LessonSource } from './sources.js';

export interface ParseJob {
  readonly sources: readonly LessonSource[];
  readonly importTimeZone: string;
}

const job = workerData as ParseJob;
parentPort?.postMessage(parseSources(job.sources, { importTimeZone: job.importTimeZone }));
