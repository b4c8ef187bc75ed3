import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { PROJECT_ROOT } from './run-cli.js';

/**
 * Vitest's global setup: the sources compiled once for the run's child processes (test/support/built.ts), inside
 * the project so that they find its packages as dist/ does, in a folder of this run's own (two runs in one
 * checkout do not share it); built again before each rerun of watch mode, removed at the end.
 */
export default function setup(project: TestProject): () => void {
  const out = join(PROJECT_ROOT, 'node_modules', '.cache', `newsdesk-test-build-${process.pid}`);
  const build = () => {
    rmSync(out, { recursive: true, force: true });
    execFileSync(process.execPath, ['scripts/build-fast.mjs', out], { cwd: PROJECT_ROOT, stdio: 'inherit' });
  };
  build();
  project.provide('builtSources', out);
  project.onTestsRerun(() => build());
  return () => rmSync(out, { recursive: true, force: true });
}
