import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { ConfigError, loadConfig, loadDotEnv, type Config } from '../config.js';
import { DataDirLockedError } from '../db/data-dir-lock.js';
import { countLessons, findLesson, listLessons } from '../db/lessons.js';
import { openMigratedDatabase } from '../db/open-from-config.js';
import { lessonToJson } from '../domain/lesson-parser/index.js';
import { formatCounts, formatProblem, importLessons, parseSources } from '../lessons/import.js';
import { describeLesson } from '../lessons/describe.js';
import { readSources, SourceError } from '../lessons/sources.js';
import { isMain } from './is-main.js';

export const LESSONS_HELP = `Usage: npm run lessons -- <command>

Commands:
  import <file|dir|->... [--dry-run] [--json]
        Import lesson exports or JSON files (the format is told from the content).
        A directory imports its .txt and .json files; - reads standard input.
        One transaction: if any file is invalid nothing is written and every
        problem is printed as path:line: message.
        --dry-run   parse and validate only, write nothing
        --json      with --dry-run, print the parsed lessons as a JSON array
  list [--limit N]   the newest lessons (default 20)
  show <id>          one lesson, human-readable
  export <id>        one lesson in the JSON import format
  help               this text`;

class UsageError extends Error {}

/** Exit codes: 0 success, 1 invalid input or failure, 2 wrong usage. */
export async function runLessonsCli(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'import':
        return await importCommand(rest);
      case 'list':
        return await listCommand(rest);
      case 'show':
      case 'export':
        return await showCommand(command, rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        console.log(LESSONS_HELP);
        return 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`error: ${error.message}\n\n${LESSONS_HELP}`);
      return 2;
    }
    if (error instanceof ConfigError || error instanceof DataDirLockedError || error instanceof SourceError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
}

/** parseArgs' own errors (unknown option, missing value) are usage errors. */
function asUsage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

async function importCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = asUsage(() =>
    parseArgs({ args: [...args], allowPositionals: true, options: { 'dry-run': { type: 'boolean' }, json: { type: 'boolean' } } }),
  );
  if (positionals.length === 0) throw new UsageError('import needs at least one file, directory or -');
  if (values.json && !values['dry-run']) throw new UsageError('--json goes with --dry-run');
  const config = loadConfig();

  const batch = parseSources(await readSources(positionals), { importTimeZone: config.IMPORT_TIMEZONE });
  if (!batch.ok) {
    for (const problem of batch.problems) console.error(formatProblem(problem));
    console.error(`nothing imported: ${batch.problems.length} problem${batch.problems.length === 1 ? '' : 's'}`);
    return 1;
  }
  const lessons = batch.lessons.map((parsed) => parsed.lesson);
  if (values['dry-run']) {
    if (values.json) console.log(JSON.stringify(lessons.map(lessonToJson), null, 2));
    else console.error(`${lessons.length} lesson${lessons.length === 1 ? '' : 's'} valid (dry run, nothing written)`);
    return 0;
  }

  return withDatabase(config, async (db) => {
    const bar = progressBar(lessons.length);
    try {
      const counts = await importLessons(db, lessons, (done) => bar?.update(done));
      bar?.stop();
      console.log(formatCounts(counts));
      return 0;
    } catch (error) {
      bar?.stop();
      console.error(`nothing imported: ${(error as Error).message}`);
      return 1;
    }
  });
}

/** A progress bar only where a person watches (a terminal) and the import is big enough to wait for. */
function progressBar(total: number): cliProgress.SingleBar | undefined {
  if (!process.stderr.isTTY || total < 50) return undefined;
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: 'importing [{bar}] {value}/{total} lessons', hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return bar;
}

async function listCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = asUsage(() =>
    parseArgs({ args: [...args], allowPositionals: true, options: { limit: { type: 'string' } } }),
  );
  if (positionals.length > 0) throw new UsageError(`list takes no arguments (got ${positionals.join(' ')})`);
  const limit = values.limit === undefined ? 20 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit must be a positive whole number');
  return withDatabase(loadConfig(), async (db) => {
    const [lessons, total] = await Promise.all([listLessons(db, { limit }), countLessons(db)]);
    if (total === 0) {
      console.log('The library is empty. Import lessons with: npm run lessons -- import examples/lessons');
      return 0;
    }
    for (const lesson of lessons) console.log(`${lesson.date}  ${lesson.id}  ${lesson.title}`);
    console.log(`(${lessons.length} of ${total} lessons)`);
    return 0;
  });
}

async function showCommand(command: 'show' | 'export', args: readonly string[]): Promise<number> {
  const { positionals } = asUsage(() => parseArgs({ args: [...args], allowPositionals: true, options: {} }));
  if (positionals.length !== 1) throw new UsageError(`${command} needs exactly one lesson id`);
  const id = positionals[0] as string;
  return withDatabase(loadConfig(), async (db) => {
    const stored = await findLesson(db, id);
    if (!stored) {
      console.error(`no lesson with id ${id}`);
      return 1;
    }
    console.log(command === 'export' ? JSON.stringify(lessonToJson(stored.lesson), null, 2) : describeLesson(stored));
    return 0;
  });
}

async function withDatabase(
  config: Config,
  action: (db: Awaited<ReturnType<typeof openMigratedDatabase>>['db']) => Promise<number>,
): Promise<number> {
  const database = await openMigratedDatabase(config);
  try {
    return await action(database.db);
  } finally {
    await database.close();
  }
}

if (isMain(import.meta.url)) {
  loadDotEnv();
  process.exitCode = await runLessonsCli(process.argv.slice(2));
}
