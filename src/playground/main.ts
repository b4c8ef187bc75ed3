import { ConfigError, loadConfig, loadDotEnv } from '../config.js';
import { DataDirLockedError } from '../db/data-dir-lock.js';
import { DatabaseUnavailableError } from '../db/unavailable.js';
import { createLogger } from '../logger.js';
import { runPlayground } from './run.js';

/** `npm run playground`: the whole bot in a browser, against a local Discord (no token needed). */
try {
  loadDotEnv();
  const config = loadConfig();
  process.exitCode = await runPlayground(config, createLogger(config.LOG_LEVEL));
} catch (error) {
  if (!(error instanceof ConfigError || error instanceof DataDirLockedError || error instanceof DatabaseUnavailableError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
