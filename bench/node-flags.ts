import { readFileSync } from 'node:fs';

/**
 * The node flags production runs the bot with: those of `npm start` in package.json (the Dockerfile's CMD has the
 * same, test/unit/deployment-files.test.ts checks it), or `override` when set (space separated; empty for none)
 * to measure what a flag costs or saves.
 */
export function productionNodeFlags(override: string | undefined): string[] {
  if (override !== undefined) return override.split(/\s+/u).filter(Boolean);
  return scriptNodeFlags('start');
}

/** The node flags `npm run lessons` runs the lessons CLI with (package.json). */
export function lessonsCliNodeFlags(): string[] {
  return scriptNodeFlags('lessons');
}

function scriptNodeFlags(script: string): string[] {
  const command = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts[script] ?? '';
  return command.split(/\s+/u).filter((word) => word.startsWith('--'));
}
