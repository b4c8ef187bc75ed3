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

/**
 * The environment `npm run lessons` gives the lessons CLI: the script's `NAME=value` words before `node` (glibc's
 * malloc setting, README "Memory and speed at scale"), so the bench runs it as npm does.
 */
export function lessonsCliEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const word of scriptWords('lessons')) {
    const assignment = /^([A-Z_][A-Z0-9_]*)=(\S*)$/u.exec(word);
    if (!assignment) break;
    env[assignment[1] as string] = assignment[2] as string;
  }
  return env;
}

function scriptNodeFlags(script: string): string[] {
  return scriptWords(script).filter((word) => word.startsWith('--'));
}

function scriptWords(script: string): string[] {
  const command = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts[script] ?? '';
  return command.split(/\s+/u).filter(Boolean);
}
