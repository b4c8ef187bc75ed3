import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * A worker thread running one of this folder's modules (`name` without extension). Compiled (dist/), the
 * worker is JavaScript. Under tsx (the tests) it is TypeScript, and tsx's loader is not inherited by worker
 * threads on Node 20: a small bootstrap registers it first.
 */
export function startVocabularyThread(name: string, options: WorkerOptions = {}): Worker {
  const typescript = import.meta.url.endsWith('.ts');
  const entry = new URL(`./${name}${typescript ? '.ts' : '.js'}`, import.meta.url);
  if (!typescript) return new Worker(entry, options);
  return new Worker(
    `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`,
    { ...options, eval: true },
  );
}
