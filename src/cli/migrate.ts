import { parseArgs } from 'node:util';
import { describeDatabase, loadConfig, loadDotEnv } from '../config.js';
import { isOperatorError } from '../operator-errors.js';
import { openMigratedDatabase } from '../db/open-from-config.js';

const USAGE = `Usage: npm run migrate

Brings the configured database (DATABASE_URL, or the embedded one in DATA_DIR) up to the newest migration, as the
bot does at its start. It takes no arguments.`;

/** `npm run migrate`: brings the configured database up to the newest migration (the bot also does this at start). */
async function migrate(argv: string[]): Promise<number> {
  // An argument it does not know is refused before anything is opened: `--dry-run` migrated the database until 2026-12-07.
  let help: boolean | undefined;
  try {
    ({ values: { help } } = parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' } } }));
  } catch (error) {
    console.error(`error: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (help) {
    console.log(USAGE);
    return 0;
  }
  loadDotEnv();
  const config = loadConfig();
  const database = await openMigratedDatabase(config);
  await database.close();
  console.log(
    database.applied.length > 0
      ? `Applied ${database.applied.join(', ')} to ${describeDatabase(config)}`
      : `${describeDatabase(config)} is up to date`,
  );
  return 0;
}

try {
  process.exitCode = await migrate(process.argv.slice(2));
} catch (error) {
  if (!isOperatorError(error)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
