import { describeDatabase, loadConfig, loadDotEnv } from '../config.js';
import { isOperatorError } from '../operator-errors.js';
import { openMigratedDatabase } from '../db/open-from-config.js';

/** `npm run migrate`: brings the configured database up to the newest migration (the bot also does this at start). */
try {
  loadDotEnv();
  const config = loadConfig();
  const database = await openMigratedDatabase(config);
  await database.close();
  console.log(
    database.applied.length > 0
      ? `Applied ${database.applied.join(', ')} to ${describeDatabase(config)}`
      : `${describeDatabase(config)} is up to date`,
  );
} catch (error) {
  if (!isOperatorError(error)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
