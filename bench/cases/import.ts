/**
 * The lessons CLI's import (issue 13): `lessons import <dir>` of N generated lesson files (10,000 by
 * default, `--import-files N`, 0 skips the case), run as an operator runs it, in a child process, into an
 * empty library on each database: a scratch PostgreSQL database (dropped afterwards) and a new PGlite data
 * directory. The CLI runs as `npm run lessons` runs it (compiled, with that script's node flags) and/or
 * from source through tsx: `--import-cli built|tsx|both` (built by default).
 *
 * Memory is read from /proc (Linux): VmHWM, the kernel's high-water mark of the CLI process's resident
 * set, when the lessons are committed (the `imported …` line) and at the end (the statistics, and the vocabulary
 * when the import computes it: at most IMPORT_VOCABULARY_AT_MOST files, on PostgreSQL alongside the import). A bigger
 * import leaves the vocabulary to the bot's background job: the case then runs `vocab-refresh` after it and reports
 * its time and peak apart (`vocab_refresh_after`); any process the CLI starts (a new PGlite directory's unpacking from the shipped template; PGlite's initdb before 2026-12-04)
 * are sampled too and reported apart.
 *
 * One JSON line per database and CLI: files and bytes, time to the commit and to the end, the counts, the
 * exit code, the peak RSS figures, and a `memory` note against the 250 MB target.
 *
 * `--import-into N` (PostgreSQL): into a library of N lessons instead of an empty one, the files being the next
 * lessons of the same generated library (the library's titles name some of them: the import links those titles
 * to them). The library is bulk-inserted once into a template database (`newsdesk_bench_import_into_<N>`, kept,
 * like the commands case's library) with a vocabulary row for each of its lessons (else the CLI would first
 * compute the vocabulary of all N, which is its catch-up, not the import), and each run imports into a copy.
 *
 * `--import-common-words N`: files whose titles and summaries are written from N common words instead
 * (writeCommonWordLessonFiles: a templated load-test library), where every headline's rarest words are common.
 *
 * `--import-english`: the same files with their article and dialogue in English (WordNet's usage examples): the
 * generated words are invented, so the vocabulary finds few in them to define (0–4 a lesson); in these it finds
 * what real lessons give it (8–12 words a lesson, definitions, distractors), and the import computes and stores it.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import pg from 'pg';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { MIGRATION_TIMEOUTS } from '../../src/db/timeouts.js';
import { lexiconVersion } from '../../src/vocabulary/version.js';
import { writeCommonWordLessonFiles, writeLessonFiles } from '../lesson-files.js';
import { lessonsCliEnv, lessonsCliNodeFlags } from '../node-flags.js';
import { generateLibrary, insertLibrary, type GeneratedLibrary } from '../library-generator.js';
import { createDatabaseIfMissing } from '../library-db.js';
import type { BenchCase, BenchContext, BenchTarget } from '../runner.js';
import { emit } from '../stats.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Bump when the files' content changes, so a cached folder is written again. */
const FILES_VERSION = 1;
const SEED = 7;
/** Issue 13's bound for a 10,000-file import, on either database. */
const RSS_TARGET_MB = 250;

export type ImportCli = 'built' | 'tsx';

const BUILT_CLI_ARGS = [...lessonsCliNodeFlags(), 'dist/src/cli/lessons.js'];
/**
 * What `npm run lessons` sets for the CLI (glibc's malloc setting); the run from source gets it too, to compare like
 * with like. `BENCH_LESSONS_SCRIPT_ENV=0` leaves it out, to measure what it saves.
 */
const CLI_ENV = process.env.BENCH_LESSONS_SCRIPT_ENV === '0' ? {} : lessonsCliEnv();
const CLI_ENV_SHOWN = Object.entries(CLI_ENV).map(([name, value]) => `${name}=${value} `).join('');

const CLI_COMMAND: Record<ImportCli, { args: readonly string[]; shown: string }> = {
  built: { args: BUILT_CLI_ARGS, shown: `npm run lessons (${CLI_ENV_SHOWN}node ${BUILT_CLI_ARGS.join(' ')}, compiled)` },
  tsx: { args: ['--import', 'tsx', 'src/cli/lessons.ts'], shown: `${CLI_ENV_SHOWN}node --import tsx src/cli/lessons.ts (from source)` },
};

export function importCase(options: { files: number; clis: readonly ImportCli[]; into: number; commonWords: number; english: boolean }): BenchCase {
  return {
    name: 'import',
    description: `\`lessons import\` of ${options.files} generated files in a child process: time and peak RSS (--import-files N, --import-cli built|tsx|both, --import-into N, --import-common-words N, --import-english)`,
    async run(context) {
      if (options.files <= 0) {
        context.log('import skipped (--import-files 0)');
        return;
      }
      if (options.clis.includes('built')) {
        context.log('building (tsc -b tsconfig.build.json)');
        execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-b', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
      }
      if (options.commonWords > 0 && options.into > 0) throw new Error('--import-common-words and --import-into: one or the other');
      if (options.commonWords > 0 && options.english) throw new Error('--import-common-words and --import-english: one or the other');
      const dir = lessonFolder(options, context);
      for (const cli of options.clis) {
        for (const target of context.targets) {
          if (options.into > 0 && target.kind !== 'postgres') {
            context.log(`import into a library of ${options.into}: PostgreSQL only, ${target.kind} skipped`);
            continue;
          }
          emit(await importInto(target, cli, dir, options, context));
        }
      }
    },
  };
}

/** The generated files, written once into the temporary directory and reused by later runs. */
function lessonFolder(
  { files, into, commonWords, english }: { files: number; into: number; commonWords: number; english: boolean },
  context: BenchContext,
): { path: string; bytes: number } {
  const kind = (commonWords > 0 ? `-common-${commonWords}` : into > 0 ? `-after-${into}` : '') + (english ? '-english' : '');
  const path = join(tmpdir(), `newsdesk-bench-import-${files}${kind}-v${FILES_VERSION}`);
  const marker = join(path, '.complete');
  if (existsSync(marker)) return { path, bytes: Number(readFileSync(marker, 'utf8')) };
  context.log(`writing ${files} lesson files to ${path}`);
  rmSync(path, { recursive: true, force: true });
  const bytes =
    commonWords > 0
      ? writeCommonWordLessonFiles(path, generateLibrary({ lessons: files, seed: SEED }), { files, words: commonWords, seed: SEED })
      : writeLessonFiles(path, generateLibrary({ lessons: into + files, seed: SEED }), { from: into, to: into + files, ...(english ? { english: { seed: SEED } } : {}) });
  // Hidden: the import skips it.
  writeFileSync(marker, String(bytes));
  return { path, bytes };
}

const loadAverage = (): number => Math.round((loadavg()[0] ?? 0) * 100) / 100;

async function importInto(
  target: BenchTarget,
  cli: ImportCli,
  dir: { path: string; bytes: number },
  options: { files: number; into: number; commonWords: number; english: boolean },
  context: BenchContext,
): Promise<Record<string, unknown>> {
  const files = options.files;
  const template = target.kind === 'postgres' && options.into > 0 ? await libraryTemplate(target.url, options.into, files, context) : undefined;
  const scratch = await scratchDatabase(target, template, context.flags['pg-name']);
  const load = loadAverage();
  try {
    context.log(`importing ${files} files into ${target.kind} (${cli})`);
    const run = await runCli(cli, ['import', dir.path], scratch.env);
    const counts = /imported (\d+), updated (\d+), unchanged (\d+)/u.exec(run.stdout);
    // More files than IMPORT_VOCABULARY_AT_MOST: the import leaves their vocabulary to the bot's background job.
    // What that costs is measured too, as `vocab-refresh` computes it right after (flat out, unlike the bot's job).
    const left = /vocabulary of (\d+) lessons? left to the bot/u.exec(run.stderr);
    let refresh: CliRun | undefined;
    if (left && run.code === 0) {
      context.log(`vocab-refresh of the ${left[1]} lessons the import left to the bot`);
      refresh = await runCli(cli, ['vocab-refresh'], scratch.env);
    }
    return {
      bench: 'import',
      database: target.kind,
      cli,
      cli_env: CLI_ENV,
      files,
      into_library_of: options.into,
      common_words: options.commonWords > 0 ? options.commonWords : null,
      english: options.english,
      bytes: dir.bytes,
      exit_code: run.code,
      imported: counts ? Number(counts[1]) : null,
      lessons_committed_ms: run.committedMs === null ? null : Math.round(run.committedMs),
      total_ms: Math.round(run.totalMs),
      peak_rss_lessons_mb: run.committedHwmMb,
      peak_rss_mb: run.hwmMb,
      peak_rss_child_processes_mb: run.childHwmMb,
      vocabulary_left_to_bot: left ? Number(left[1]) : 0,
      vocab_refresh_after: refresh ? { exit_code: refresh.code, ms: Math.round(refresh.totalMs), peak_rss_mb: refresh.hwmMb } : null,
      memory: {
        note: `VmHWM (peak resident set) of the CLI process, ${CLI_COMMAND[cli].shown}, from /proc: peak_rss_lessons_mb until the lessons' transaction committed (with their vocabulary, computed alongside, for an import of at most IMPORT_VOCABULARY_AT_MOST files on PostgreSQL), peak_rss_mb with the steps after it (statistics; the vocabulary for a small import on PGlite); vocab_refresh_after: the vocabulary a bigger import left to the bot, computed by \`vocab-refresh\` run after it (within_target counts its peak too); peak_rss_child_processes_mb: the largest process it started (a new PGlite directory is unpacked from the shipped template in one, ~79 MB; PGlite's initdb was, ~611 MB)`,
        target_mb: RSS_TARGET_MB,
        within_target: run.hwmMb !== null && run.hwmMb < RSS_TARGET_MB && (refresh === undefined || (refresh.hwmMb !== null && refresh.hwmMb < RSS_TARGET_MB)),
      },
      load_avg_1m_at_start: load,
      load_avg_1m_at_end: loadAverage(),
      ...(run.code === 0 ? {} : { stderr_tail: run.stderr.slice(-2000) }),
      ...(refresh === undefined || refresh.code === 0 ? {} : { vocab_refresh_stderr_tail: refresh.stderr.slice(-2000) }),
    };
  } finally {
    await scratch.drop();
  }
}

/** An empty library (or a copy of `template`): a scratch PostgreSQL database, or a new PGlite data directory. */
async function scratchDatabase(
  target: BenchTarget,
  template?: string,
  pgName?: string | boolean,
): Promise<{ env: Record<string, string>; drop(): Promise<void> }> {
  if (target.kind === 'pglite') {
    const dataDir = mkdtempSync(join(tmpdir(), 'newsdesk-bench-import-pglite-'));
    return { env: { DATA_DIR: dataDir }, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  // Named after `--pg-name` when given, so an engineer's scratch databases share the prefix of their own library's.
  const name = `${typeof pgName === 'string' && pgName !== '' ? pgName : 'newsdesk_bench'}_import_${process.pid}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: target.url });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`drop database if exists ${name} with (force)`);
  await admin(`create database ${name}${template ? ` template ${template}` : ''}`);
  const url = new URL(target.url);
  url.pathname = `/${name}`;
  return { env: { DATABASE_URL: url.toString() }, drop: () => admin(`drop database if exists ${name} with (force)`) };
}

interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly totalMs: number;
  /** Until the `imported …` line: the lessons' transaction committed. */
  readonly committedMs: number | null;
  readonly committedHwmMb: number | null;
  readonly hwmMb: number | null;
  readonly childHwmMb: number | null;
}

/** The peak resident set of a process so far, in MB (NaN for one that exited, undefined once it is gone). */
function peakOf(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Math.round(Number(/^VmHWM:\s+(\d+) kB/mu.exec(status)?.[1] ?? Number.NaN) / 102.4) / 10;
  } catch {
    return undefined;
  }
}

/** The processes a process started, and theirs. */
function descendantsOf(pid: number): number[] {
  const found: number[] = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      for (const child of children === '' ? [] : children.split(/\s+/u).map(Number)) found.push(child, ...descendantsOf(child));
    }
  } catch {
    // Gone meanwhile.
  }
  return found;
}

/** Runs the CLI in a child process, without the environment's own database settings, sampling its memory. */
function runCli(cli: ImportCli, args: readonly string[], env: Record<string, string>): Promise<CliRun> {
  const { DATABASE_URL: _url, DATA_DIR: _dir, ...inherited } = process.env;
  const started = performance.now();
  const child = spawn(process.execPath, [...CLI_COMMAND[cli].args, ...args], {
    cwd: ROOT,
    env: { ...inherited, ...CLI_ENV, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid as number;
  let stdout = '';
  let stderr = '';
  let committedMs: number | null = null;
  let committedHwmMb: number | null = null;
  let hwmMb: number | null = null;
  let childHwmMb: number | null = null;
  const sample = () => {
    // An exited process not yet reaped has a status without memory fields: keep the last figure.
    const own = peakOf(pid);
    if (own !== undefined && Number.isFinite(own)) hwmMb = Math.max(hwmMb ?? 0, own);
    for (const descendant of descendantsOf(pid)) {
      const theirs = peakOf(descendant);
      if (theirs !== undefined && Number.isFinite(theirs)) childHwmMb = Math.max(childHwmMb ?? 0, theirs);
    }
  };
  // The kernel keeps the high-water mark; sampling only has to catch it before the process exits.
  const sampler = setInterval(sample, 50);
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (committedMs === null && /imported \d+, updated \d+, unchanged \d+/u.test(stdout)) {
      committedMs = performance.now() - started;
      sample();
      committedHwmMb = hwmMb;
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-20_000);
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    // 'close': after the exit and the end of its output (the last lines are read).
    child.once('close', (code) => {
      clearInterval(sampler);
      resolve({ code, stdout, stderr, totalMs: performance.now() - started, committedMs, committedHwmMb, hwmMb, childHwmMb });
    });
  });
}

/** Bump when the template's content changes, so it is seeded again. */
const TEMPLATE_VERSION = 1;

/**
 * The template database holding the first `into` lessons of the generated library whose next `files` lessons are
 * the files (see --import-into): seeded once, reused while its marker says the same library.
 */
async function libraryTemplate(adminUrl: string, into: number, files: number, context: BenchContext): Promise<string> {
  const name = `newsdesk_bench_import_into_${into}`;
  await createDatabaseIfMissing(adminUrl, name);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString(), dataDir: 'unused', maxConnections: 1, timeouts: MIGRATION_TIMEOUTS });
  const wanted = `v${TEMPLATE_VERSION} seed ${SEED} lessons ${into} of ${into + files}`;
  try {
    await migrateToLatest(database.db);
    await sql`create table if not exists bench_import_template (library text not null)`.execute(database.db);
    const marker = await sql<{ library: string }>`select library from bench_import_template`.execute(database.db);
    if (marker.rows[0]?.library === wanted) {
      context.log(`reusing ${name} (${wanted})`);
      return name;
    }
    context.log(`seeding ${name}: ${into} lessons (minutes)`);
    const full = generateLibrary({ lessons: into + files, seed: SEED });
    const present = new Set(full.ids.slice(0, into));
    // The titles naming a lesson of the files name nothing yet, as an import of the first `into` would have left them.
    const library: GeneratedLibrary = {
      ...full,
      ids: full.ids.slice(0, into),
      similarReadings: (index) =>
        full.similarReadings(index).map((reading) => (reading.namesLessonId !== null && !present.has(reading.namesLessonId) ? { ...reading, namesLessonId: null } : reading)),
    };
    await database.db.transaction().execute(async (trx) => {
      await sql`truncate lessons, similar_readings, lexeme_docs, lesson_vocabularies, bench_import_template cascade`.execute(trx);
      await insertLibrary(trx, library, { onProgress: (done) => done % 20_000 === 0 && context.log(`  ${done} lessons`) });
      await sql`update similar_readings set score = null where matched_lesson_id is null`.execute(trx);
      // A vocabulary row for each lesson (no words): the CLI's catch-up leaves them.
      await sql`
        insert into lesson_vocabularies (lesson_id, content_hash, lexicon_version, level, outside_2k, outside_5k, counted_words)
        select id, content_hash, ${lexiconVersion()}, 'B1', 0, 0, 0 from lessons`.execute(trx);
      await sql`insert into bench_import_template values (${wanted})`.execute(trx);
    });
    await sql`vacuum analyze`.execute(database.db);
    return name;
  } finally {
    await database.close();
  }
}
