import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { lessonsCliEnv, lessonsCliNodeFlags } from '../../bench/node-flags.js';
import { loadConfig } from '../../src/config.js';
import { MALLOC_MMAP_THRESHOLD } from '../../src/malloc-setting.js';

// Docker engines do not run here: these checks keep docker-compose.yml and the Dockerfile consistent with the
// project; scripts/check-image-steps.sh (run by CI) replays the Dockerfile's build and run steps by hand.
const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

interface ComposeService {
  image?: string;
  build?: string;
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  init?: boolean;
}

describe('docker-compose.yml', () => {
  const compose = parse(read('docker-compose.yml')) as { services: Record<string, ComposeService>; volumes: Record<string, unknown> };
  const { bot, postgres } = compose.services;

  it('runs the bot, built from this repository, on the PostgreSQL service once it is healthy', () => {
    expect(bot?.build).toBe('.');
    expect(bot?.depends_on?.postgres?.condition).toBe('service_healthy');
    expect(postgres?.healthcheck?.test.join(' ')).toContain('pg_isready');
  });

  it('runs the bot and its one-off CLI runs under an init that passes signals on (a CLI as PID 1 ignored Ctrl+C and SIGTERM)', () => {
    expect(bot?.init).toBe(true);
  });

  it('checks the bot’s health with the compiled healthcheck on the HEALTH_PORT it sets', () => {
    expect(bot?.healthcheck?.test).toEqual(['CMD', 'node', 'dist/src/operations/healthcheck.js']);
    expect(existsSync(new URL('src/operations/healthcheck.ts', root))).toBe(true);
    expect(Number(bot?.environment?.HEALTH_PORT)).toBeGreaterThan(0);
  });

  it('gives the bot a DATABASE_URL that matches the database service’s credentials', () => {
    const url = new URL(bot?.environment?.DATABASE_URL ?? '');
    const env = postgres?.environment ?? {};
    expect(url.hostname).toBe('postgres');
    expect(url.username).toBe(env.POSTGRES_USER);
    expect(url.password).toBe(env.POSTGRES_PASSWORD);
    expect(url.pathname).toBe(`/${env.POSTGRES_DB}`);
  });

  it('requires DISCORD_TOKEN from the operator’s environment instead of shipping one', () => {
    expect(bot?.environment?.DISCORD_TOKEN).toMatch(/^\$\{DISCORD_TOKEN:\?/u);
  });

  it('passes only variables the bot’s config schema knows, with valid values', () => {
    const env = Object.fromEntries(
      Object.entries(bot?.environment ?? {}).map(([key, value]) => [key, value.replace(/\$\{[A-Z_]+(?::-([^}]*)|:\?[^}]*)?\}/gu, (_m, fallback?: string) => fallback ?? 'token')]),
    );
    expect(() => loadConfig(env)).not.toThrow();
    const known = [...read('.env.example').matchAll(/^#?\s*([A-Z_]+)=/gmu)].map((match) => match[1]);
    for (const key of Object.keys(bot?.environment ?? {})) expect(known).toContain(key);
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  /** The exec-form CMD's words. */
  const dockerCmd = () => {
    const cmd = /^CMD (\[.*\])$/mu.exec(dockerfile)?.[1];
    return cmd === undefined ? undefined : (JSON.parse(cmd) as string[]);
  };

  it('copies only files that exist in the repository', () => {
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gmu)].flatMap((match) => match[1]!.split(/\s+/u));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) expect(existsSync(new URL(source, root)), source).toBe(true);
  });

  it('ships the embedded database’s template where the compiled code looks for it', () => {
    // dist/src/db/pglite-template.js finds the project root (package.json) and reads assets/ from there.
    const shipped = [...dockerfile.matchAll(/^COPY (?!--from)(.+) (\S+)$/gmu)].map((match) => match[2]);
    expect(shipped).toContain('./assets');
    expect(existsSync(new URL('assets/pglite/empty-cluster.tar.gz', root))).toBe(true);
    expect(read('.dockerignore').split('\n')).not.toContain('assets');
  });

  it('runs the compiled entry point that tsconfig.build.json produces from src/main.ts', () => {
    const build = JSON.parse(read('tsconfig.build.json')) as { extends: string };
    const base = JSON.parse(read(build.extends)) as { compilerOptions: { outDir: string; rootDir: string } };
    expect(base.compilerOptions.rootDir).toBe('.');
    expect(dockerCmd()?.at(-1)).toBe(`${base.compilerOptions.outDir}/src/main.js`);
    expect(dockerCmd()?.[0]).toBe('node');
    expect(existsSync(new URL('src/main.ts', root))).toBe(true);
  });

  it('runs in production mode: a missing token stops the container instead of opening the playground', () => {
    expect(dockerfile).toMatch(/^ENV NODE_ENV=production$/mu);
    expect(dockerfile.indexOf('ENV NODE_ENV=production')).toBeLessThan(dockerfile.indexOf('CMD '));
  });

  it('declares a HEALTHCHECK running the compiled healthcheck, with HEALTH_PORT set', () => {
    expect(dockerfile).toMatch(/^HEALTHCHECK .*CMD \["node", "dist\/src\/operations\/healthcheck\.js"\]$/mu);
    expect(dockerfile).toMatch(/^ENV HEALTH_PORT=\d+$/mu);
  });

  it('npm start runs the same command as the image (node flags and compiled entry point), built first by prestart', () => {
    const { scripts } = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(scripts.start?.split(' ')).toEqual(dockerCmd());
    expect(scripts.prestart).toBe('node scripts/build-fast.mjs');
  });

  /** The young generation's cap and WebAssembly on the baseline compiler: the bot's and the lessons CLI's. */
  const MEMORY_FLAGS = ['--max-semi-space-size=4', '--liftoff-only'];
  /** The bot's alone: type feedback from a function's first call, for a first second under load (README). */
  const WARM_UP_FLAGS = ['--no-lazy-feedback-allocation'];

  it('runs the bot with the memory and warm-up flags README describes, and npm run start:sharded with the same ones', () => {
    const { scripts } = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    const flags = dockerCmd()?.filter((word) => word.startsWith('--'));
    expect(flags).toEqual([...MEMORY_FLAGS, ...WARM_UP_FLAGS]);
    expect(scripts['start:sharded']).toBe(`node ${flags?.join(' ')} dist/src/operations/sharded.js`);
    expect(read('README.md')).toContain(`node ${flags?.join(' ')} dist/src/main.js`);
  });

  /**
   * glibc's malloc with its mmap threshold fixed at its 128 KiB start (README, "Memory and speed at scale"): the
   * lessons CLI's and the image's, the value the bot gives its vocabulary process and `start:sharded` its bot processes.
   */
  const MALLOC_SETTING = `MALLOC_MMAP_THRESHOLD_=${MALLOC_MMAP_THRESHOLD}`;

  it('npm run lessons runs the compiled CLI with the memory flags and malloc setting, built first, as the compose file documents it', () => {
    const { scripts } = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(scripts.lessons).toBe(`${MALLOC_SETTING} node ${MEMORY_FLAGS.join(' ')} dist/src/cli/lessons.js`);
    expect(scripts.prelessons).toBe('node scripts/build-fast.mjs');
    // The image sets it for every process it runs, the compose file's CLI commands included.
    expect(read('Dockerfile')).toMatch(new RegExp(`^ENV ${MALLOC_SETTING}$`, 'mu'));
    expect(read('docker-compose.yml')).toContain(`node ${MEMORY_FLAGS.join(' ')} dist/src/cli/lessons.js import`);
  });

  it('the import bench runs the CLI as npm run lessons does: its environment and node flags', () => {
    const [name, value] = MALLOC_SETTING.split('=');
    expect(lessonsCliEnv()).toEqual({ [name as string]: value });
    expect(lessonsCliNodeFlags()).toEqual(MEMORY_FLAGS);
  });

  it('keeps secrets and local state out of the build context', () => {
    const ignored = read('.dockerignore').split('\n');
    for (const entry of ['.env', 'node_modules', 'data']) expect(ignored).toContain(entry);
  });
});
