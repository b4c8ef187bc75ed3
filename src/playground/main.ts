import { loadConfig, loadDotEnv } from '../config.js';
import { isOperatorError } from '../operator-errors.js';
import { createLogger } from '../logger.js';
import { logProcessWarnings } from '../operations/process-warnings.js';
import { runPlayground } from './run.js';

/** `npm run playground`: the whole bot in a browser, against a local Discord (no token needed). */
try {
  loadDotEnv();
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  logProcessWarnings(logger);
  process.exitCode = await runPlayground(config, logger);
} catch (error) {
  if (!isOperatorError(error)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
