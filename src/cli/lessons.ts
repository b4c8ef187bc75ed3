import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import { ConfigError, loadConfig, loadDotEnv } from '../config.js';
import { relatedToJson } from '../discovery/related.js';
import { describeLevel } from '../domain/vocabulary/level.js';
import { lessonToJson } from '../domain/lesson-parser/index.js';
import { describeLesson } from '../lessons/describe.js';
import { SourceError } from '../lessons/sources.js';
import { isOperatorError } from '../operator-errors.js';
import { formatMostRead } from '../reading/stats.js';
import { exitOnInterrupt } from './interrupted.js';
import { isMain } from './is-main.js';
import { importCommand, vocabRefreshCommand } from './lessons-import.js';
import { asUsage, cliProcess, processIo, terminalSafeIo, UsageError, withDiscovery, withLessons, withReading, type CliIo } from './lessons-support.js';

/**
 * `npm run lessons -- <command>`: the operator's commands over the library (import and the vocabulary step in
 * lessons-import.ts; what they share in lessons-support.ts). Runs in-process in the tests (runLessonsCli).
 */

export const LESSONS_HELP = `Usage: npm run lessons -- <command>

Commands:
  import <file|dir|->... [--dry-run] [--json]
        Import lesson exports or JSON files (the format is told from the content).
        A directory imports its .txt and .json files; - reads standard input.
        One transaction: if any file is invalid nothing is written and every
        problem is printed as path:line: message. Computes the vocabulary of
        up to IMPORT_VOCABULARY_AT_MOST (1,000) files' lessons; a bigger import
        leaves it to the bot's background job (or run vocab-refresh).
        --dry-run   parse and validate only, write nothing
        --json      with --dry-run, print the parsed lessons as a JSON array
  list [--limit N]   the newest lessons (default 20)
  show <id>          one lesson, human-readable
  export <id>        one lesson in the JSON import format
  stats [--guild id] [--limit N] [--json]
        The most-read lessons (default 10), by members who read them: in one
        server with --guild, else in all. --json prints a JSON array.
  vocab <id> [--json]
        The lesson's vocabulary (computed first if missing); --json prints
        [{"word", "lemma", "pos", "definition", "sentence"}]
  vocab-refresh [--all]
        Compute the vocabulary of every lesson that lacks a current one
        (--all: every lesson, e.g. after an upgrade of the word lists)
  related <id> [--json]
        Related readings, best first: lessons the export's similar readings
        name, then lessons similar by content; then titles not in the library.
        --json  [{"id", "title", "date", "reason"}] (id and date null when
                the title is not in the library)
  search <text> [--limit N] [--json]
        Lessons about <text>, best first (title above summary above article;
        "quoted words" together; word starts match; case and accents ignored).
        --limit N   how many (default 10)
        --json      [{"id", "title", "date", "category"}]
  help               this text`;

/** Exit codes: 0 success, 1 invalid input or failure, 2 wrong usage. */
export async function runLessonsCli(argv: readonly string[], given: CliIo = processIo): Promise<number> {
  const io = terminalSafeIo(given);
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'import':
        return await importCommand(rest, io);
      case 'list':
        return await listCommand(rest, io);
      case 'stats':
        return await statsCommand(rest, io);
      case 'vocab':
        return await vocabCommand(rest, io);
      case 'vocab-refresh':
        return await vocabRefreshCommand(rest, io);
      case 'show':
      case 'export':
        return await showCommand(command, rest, io);
      case 'related':
        return await relatedCommand(rest, io);
      case 'search':
        return await searchCommand(rest, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(LESSONS_HELP);
        return 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`error: ${error.message}\n\n${LESSONS_HELP}`);
      return 2;
    }
    if (isOperatorError(error) || error instanceof SourceError) {
      io.err(error.message);
      return 1;
    }
    throw error;
  }
}

/**
 * `--limit N`: decimal digits, 1 to `max` (`1e3` and 20-digit numbers were taken, the latter ending in PostgreSQL's
 * "out of range for type bigint" with a stack trace).
 */
function limitOption(value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const limit = /^\s*[0-9]{1,7}\s*$/u.test(value) ? Number(value) : Number.NaN;
  if (!(limit >= 1 && limit <= max)) throw new UsageError(`--limit must be a whole number from 1 to ${max.toLocaleString('en-US')}`);
  return limit;
}

async function listCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = asUsage(() =>
    parseArgs({ args: [...args], allowPositionals: true, options: { limit: { type: 'string' } } }),
  );
  if (positionals.length > 0) throw new UsageError(`list takes no arguments (got ${positionals.join(' ')})`);
  const limit = limitOption(values.limit, 20, 10_000);
  return withLessons(loadConfig(io.env), io, async (lessons) => {
    const { lessons: newest, total } = await lessons.list(limit);
    if (total === 0) {
      io.out('The library is empty. Import lessons with: npm run lessons -- import examples/lessons examples/library');
      return 0;
    }
    for (const lesson of newest) io.out(`${lesson.date}  ${lesson.id}  ${lesson.title}`);
    io.out(`(${newest.length} of ${total} lessons)`);
    return 0;
  });
}

async function statsCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = asUsage(() =>
    parseArgs({
      args: [...args],
      allowPositionals: true,
      options: { guild: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } },
    }),
  );
  if (positionals.length > 0) throw new UsageError(`stats takes no arguments (got ${positionals.join(' ')})`);
  const limit = limitOption(values.limit, 10, 1000);
  const guildId = values.guild;
  if (guildId !== undefined && !/^[0-9]{1,20}$/u.test(guildId)) throw new UsageError('--guild must be a server id (digits)');
  return withReading(loadConfig(io.env), io, async (reading) => {
    const lessons = await reading.mostRead({ guildId, limit });
    if (values.json) {
      const rows = lessons.map((l) => ({ id: l.lessonId, title: l.title, readers: l.readers, lastReadAt: l.lastReadAt?.toISOString() ?? null }));
      io.out(JSON.stringify(rows, null, 2));
      return 0;
    }
    if (lessons.length === 0) {
      io.out(guildId === undefined ? 'No lesson has been read yet.' : `No lesson has been read in server ${guildId} yet.`);
      return 0;
    }
    for (const line of formatMostRead(lessons)) io.out(line);
    return 0;
  });
}

async function showCommand(command: 'show' | 'export', args: readonly string[], io: CliIo): Promise<number> {
  const { positionals } = asUsage(() => parseArgs({ args: [...args], allowPositionals: true, options: {} }));
  if (positionals.length !== 1) throw new UsageError(`${command} needs exactly one lesson id`);
  const id = positionals[0] as string;
  return withLessons(loadConfig(io.env), io, async (lessons) => {
    const stored = await lessons.find(id);
    if (!stored) {
      io.err(`no lesson with id ${id}`);
      return 1;
    }
    io.out(command === 'export' ? JSON.stringify(lessonToJson(stored.lesson), null, 2) : describeLesson(stored));
    return 0;
  });
}

async function vocabCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = asUsage(() => parseArgs({ args: [...args], allowPositionals: true, options: { json: { type: 'boolean' } } }));
  if (positionals.length !== 1) throw new UsageError('vocab needs exactly one lesson id');
  const id = positionals[0] as string;
  return withLessons(loadConfig(io.env), io, async (lessons, vocabularies) => {
    const stored = await lessons.find(id);
    const vocabulary = stored && (await vocabularies.list(stored.lesson.id));
    if (!stored || !vocabulary) {
      io.err(`no lesson with id ${id}`);
      return 1;
    }
    if (values.json) {
      io.out(JSON.stringify(vocabulary.entries.map(({ word, lemma, pos, definition, sentence }) => ({ word, lemma, pos, definition, sentence })), null, 2));
      return 0;
    }
    io.out(`${stored.lesson.title}\nLevel: ${describeLevel(vocabulary.level)}\n`);
    if (vocabulary.entries.length === 0) io.out('No vocabulary was found for this lesson: it has no rare content words.');
    for (const entry of vocabulary.entries) {
      io.out(`${entry.word}${entry.word.toLowerCase() === entry.lemma ? '' : ` (${entry.lemma})`}, ${entry.pos}: ${entry.definition}\n    "${entry.sentence}"`);
    }
    return 0;
  });
}

async function relatedCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = asUsage(() => parseArgs({ args: [...args], allowPositionals: true, options: { json: { type: 'boolean' } } }));
  if (positionals.length !== 1) throw new UsageError('related needs exactly one lesson id');
  const id = positionals[0] as string;
  return withDiscovery(loadConfig(io.env), io, async (lessons, discovery) => {
    const stored = await lessons.find(id);
    if (!stored) {
      io.err(`no lesson with id ${id}`);
      return 1;
    }
    const entries = relatedToJson(await discovery.related(stored.lesson.id));
    if (values.json) io.out(JSON.stringify(entries, null, 2));
    else if (entries.length === 0) io.out('No related readings.');
    else for (const entry of entries) io.out(`${entry.date ?? '(not in the library)'}  ${entry.id ?? ''}  ${entry.title}  [${entry.reason}]`);
    return 0;
  });
}

async function searchCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = asUsage(() =>
    parseArgs({ args: [...args], allowPositionals: true, options: { json: { type: 'boolean' }, limit: { type: 'string' } } }),
  );
  const text = positionals.join(' ').trim();
  if (text === '') throw new UsageError('search needs some words to search for');
  const limit = limitOption(values.limit, 10, 1000);
  return withDiscovery(loadConfig(io.env), io, async (_lessons, discovery) => {
    const { results, onlyCommonWords, nothingSearchable } = await discovery.find(text, limit);
    if (values.json) io.out(JSON.stringify(results.map((r) => ({ id: r.id, title: r.title, date: r.date, category: r.category })), null, 2));
    else if (nothingSearchable) io.out('No lesson matches that: it holds no word to search for (letters or digits).');
    else if (onlyCommonWords) io.out('No lesson matches that: those words are too common to search for (the, of, is…). Try a word about the topic.');
    else if (results.length === 0) io.out('No lesson matches that.');
    else for (const r of results) io.out(`${r.date}  ${r.id}  ${r.title}  [${r.category}]`);
    return 0;
  });
}

/**
 * WebAssembly compiled by V8's baseline compiler (Liftoff) only, as `npm start` and the Docker image run the
 * bot (README, "Memory"). PGlite's PostgreSQL is a 10 MB WebAssembly module: by default V8 also compiles its
 * functions with its optimising compiler as they get hot, and what that compiler allocates, on its
 * background threads, stays in the process's memory after the compile. An import into PGlite grew the
 * process that way, not in PGlite's own memory (its 128 MB never grew; ~50 MB of it is ever touched): peak RSS to
 * the commit of 10,000 files 435 → 264 MB (BENCHMARKS.md, "Import"). Set before PGlite is first loaded (the flags
 * are read when the module is compiled); on PostgreSQL the CLI runs no WebAssembly. `--liftoff-only` turns the two
 * tiering flags off through V8's flag implications, which Node 24's V8 applies only to flags given at start-up: set
 * at run time it left the optimising compiler on there (this repository's 10 example lessons peaked at 551 MB
 * against 241 MB with the flag on the command line), so both are set too (232 MB on Node 24, 226 on 22, 259 on 20).
 */
export const CLI_V8_FLAGS = ['--liftoff-only', '--no-wasm-tier-up', '--no-wasm-dynamic-tiering'] as const;

/**
 * A reader that stops early (`lessons list | head -1`) closes the pipe, and what is left to print has nowhere to go:
 * the CLI ends as a Unix tool ends of SIGPIPE (exit status 141), where it went on to exit 0 with its output cut
 * (or, from source under tsx, died of EPIPE as an unhandled error's stack trace). Anything written by then (an
 * import's commit included) stands; nothing after it is done.
 */
export const CLOSED_PIPE_EXIT_CODE = 141;

if (isMain(import.meta.url)) {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      process.exit(CLOSED_PIPE_EXIT_CODE);
    });
  }
  for (const flag of CLI_V8_FLAGS) v8.setFlagsFromString(flag);
  cliProcess.own = true;
  try {
    loadDotEnv();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
  // Not on PGlite: its database runs in this thread, which a caught signal reaches only between its (long,
  // synchronous) statements, and interrupted there an import failed ~10 s later on "cannot drop active portal".
  // Uncaught, the signal ends the process there (in ~2 s), as it always did.
  if (process.env.DATABASE_URL) {
    exitOnInterrupt(process.argv[2]);
    cliProcess.interruptsCaught = true;
  }
  process.exitCode = await runLessonsCli(process.argv.slice(2));
}
