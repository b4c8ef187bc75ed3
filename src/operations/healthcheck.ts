/**
 * `node dist/src/operations/healthcheck.js`: exits 0 when the bot's /healthz answers 200, 1 otherwise. For the
 * Docker image's HEALTHCHECK and the compose file (the slim image has no curl). Prints what is wrong.
 */
import { ConfigError, loadConfig, loadDotEnv, type Config } from '../config.js';

function configOrExit(): Config {
  try {
    loadDotEnv();
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

const { HEALTH_PORT } = configOrExit();
if (!HEALTH_PORT) {
  console.error('HEALTH_PORT is not set: the bot serves no /healthz');
  process.exit(1);
}
try {
  const response = await fetch(`http://127.0.0.1:${HEALTH_PORT}/healthz`, { signal: AbortSignal.timeout(5_000) });
  const body = await response.text();
  if (response.status !== 200) console.error(body);
  process.exitCode = response.status === 200 ? 0 : 1;
} catch (error) {
  console.error(`no answer from /healthz: ${String(error)}`);
  process.exitCode = 1;
}
