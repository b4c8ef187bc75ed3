/**
 * `npm run bench [-- <case>...] [--db postgres|pglite] [--runs N] [--pg-lessons N] [--pg-name DB] [--without-vocabulary] [--pglite-lessons N] [--fresh]
 *   [--import-files N] [--import-cli built|tsx|both] [--import-into N] [--import-common-words N] [--import-english] [--rates 200,50] [--interactions 2000] [--warm-up 200] [--new-bot-after-warm-up]` (the commands case:
 *   interactions per second of each run, and per run; the warm-up's interactions at 20/s before the first, 0 for none; a new
 *   bot process for the rounds after the warm-up, which then warms only the bench's own code)
 *
 * Prints one JSON line per case and database: its parameters, median / p95 / p99 in ms, and the median
 * of a bare indexed SELECT measured in the same run (`baseline_select_median_ms`, `ratio`), so figures
 * from a loaded machine can be compared. PostgreSQL runs when BENCH_DATABASE_URL (or TEST_DATABASE_URL)
 * is set; its library database is kept between runs. The `import` case runs the lessons CLI on
 * `--import-files` generated files (10,000; 0 skips it) and prints time and peak RSS instead. Not part of
 * `npm test`.
 */
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { commandsCases } from './cases/commands.js';
import { discoveryCases } from './cases/discovery.js';
import { scriptCases } from './cases/scripts.js';
import { importCase, type ImportCli } from './cases/import.js';
import { openBenchLibrary, type BenchLibrary } from './library-db.js';
import type { BenchCase, BenchContext, BenchTarget } from './runner.js';
import { summarize, timeRuns } from './stats.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    db: { type: 'string' },
    runs: { type: 'string', default: '300' },
    'pg-lessons': { type: 'string', default: '100000' },
    'pg-name': { type: 'string' },
    'without-vocabulary': { type: 'boolean', default: false },
    'pglite-lessons': { type: 'string', default: '10000' },
    fresh: { type: 'boolean', default: false },
    rates: { type: 'string', default: '200,50' },
    interactions: { type: 'string', default: '2000' },
    'warm-up': { type: 'string', default: '200' },
    'new-bot-after-warm-up': { type: 'boolean', default: false },
    list: { type: 'boolean', default: false },
    'import-files': { type: 'string', default: '10000' },
    'import-cli': { type: 'string', default: 'built' },
    'import-into': { type: 'string', default: '0' },
    'import-common-words': { type: 'string', default: '0' },
    'import-english': { type: 'boolean', default: false },
  },
});

/** Every case, in the order they run. Add new case modules here. */
const importClis: Record<string, ImportCli[]> = { built: ['built'], tsx: ['tsx'], both: ['built', 'tsx'] };
const cases: readonly BenchCase[] = [
  ...discoveryCases,
  ...commandsCases,
  importCase({ files: Number(values['import-files']), clis: importClis[values['import-cli']] ?? [], into: Number(values['import-into']), commonWords: Number(values['import-common-words']), english: values['import-english'] }),
  ...scriptCases,
];
if (!(values['import-cli'] in importClis)) {
  console.error(`unknown --import-cli ${values['import-cli']}; known: ${Object.keys(importClis).join(', ')}`);
  process.exit(2);
}

if (values.list) {
  for (const c of cases) console.log(`${c.name.padEnd(16)} ${c.description}`);
  process.exit(0);
}

const unknown = positionals.filter((name) => !cases.some((c) => c.name === name));
if (unknown.length > 0) {
  console.error(`unknown bench case(s): ${unknown.join(', ')}; known: ${cases.map((c) => c.name).join(', ')}`);
  process.exit(2);
}
const selected = positionals.length > 0 ? cases.filter((c) => positionals.includes(c.name)) : cases;

const url = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
const allTargets: BenchTarget[] = [...(url ? [{ kind: 'postgres' as const, url }] : []), { kind: 'pglite' as const }];
const targets = values.db ? allTargets.filter((t) => t.kind === values.db) : allTargets;
if (targets.length === 0) {
  console.error(values.db === 'postgres' ? 'set BENCH_DATABASE_URL or TEST_DATABASE_URL for PostgreSQL' : `unknown --db ${values.db}`);
  process.exit(2);
}
if (!url) console.error('note: PostgreSQL skipped (set BENCH_DATABASE_URL or TEST_DATABASE_URL)');

const runs = Number(values.runs);
const sizes = { postgres: Number(values['pg-lessons']), pglite: Number(values['pglite-lessons']) };
const log = (message: string) => console.error(`[bench] ${message}`);
const libraries = new Map<string, Promise<BenchLibrary>>();

const context: BenchContext = {
  targets,
  runs,
  flags: values,
  library(target) {
    let library = libraries.get(target.kind);
    if (!library) {
      log(`preparing ${sizes[target.kind]} lessons on ${target.kind}`);
      library = openBenchLibrary(target, sizes[target.kind], { fresh: values.fresh, log, name: values['pg-name'] });
      libraries.set(target.kind, library);
    }
    return library;
  },
  async baseline(target) {
    const { database, library } = await context.library(target);
    const ids = library.ids;
    const samples = await timeRuns(
      (i) => sql`select id, title from lessons where id = ${ids[(i * 31) % ids.length]}::uuid`.execute(database.db),
      { runs: Math.max(100, runs) },
    );
    return summarize(samples).median_ms;
  },
  time: (action) => timeRuns(action, { runs }),
  log,
};

try {
  for (const benchCase of selected) {
    log(`running ${benchCase.name}`);
    await benchCase.run(context);
  }
} finally {
  for (const library of libraries.values()) await (await library).database.close();
}
