import { readFileSync } from 'node:fs';

/**
 * The node flags production runs the bot with: those of `npm start` in package.json (the Dockerfile's CMD has the
 * same, test/unit/deployment-files.test.ts checks it), or `override` when set (space separated; empty for none)
 * to measure what a flag costs or saves.
 */
export function productionNodeFlags(override: string | undefined): string[] {
  if (override !== undefined) return override.split(/\s+/u).filter(Boolean);
  const start = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts.start ?? '';
  return start.split(/\s+/u).filter((word) => word.startsWith('--'));
}
