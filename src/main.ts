import { ConfigError, describeDatabase, loadConfig, loadDotEnv } from './config.js';
import { createBot } from './bot/bot.js';
import { buttonHandlers, commandHandlers } from './bot/handlers/index.js';
import { DataDirLockedError } from './db/data-dir-lock.js';
import { openMigratedDatabase } from './db/open-from-config.js';
import { createLogger } from './logger.js';
import { LESSONS_HELP } from './cli/lessons.js';

const MISSING_TOKEN = `DISCORD_TOKEN is not set, so the bot cannot connect to Discord.

  1. Create an application and bot at https://discord.com/developers/applications
  2. cp .env.example .env and put the bot's token in DISCORD_TOKEN
  3. npm run deploy-commands -- --guild <your server id>   (registers the slash commands)
  4. npm start

Meanwhile the lesson library works without Discord:
`;

/** Wires config, logging, the database and the Discord client once, and owns their shutdown. */
async function main(): Promise<number> {
  loadDotEnv();
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);

  const database = await openMigratedDatabase(config, (error) => logger.warn({ err: error }, 'idle database connection lost'));
  logger.info({ database: describeDatabase(config), migrationsApplied: database.applied }, 'database ready');

  if (!config.DISCORD_TOKEN) {
    await database.close();
    console.error(MISSING_TOKEN + LESSONS_HELP);
    return 1;
  }

  const deps = { db: database.db, logger, config, now: () => new Date() };
  const bot = createBot({
    token: config.DISCORD_TOKEN,
    apiUrl: config.DISCORD_API_URL,
    logger,
    commands: commandHandlers(deps),
    buttons: buttonHandlers(deps),
  });

  let stopping: Promise<void> | undefined;
  const stop = (signal: string) => {
    stopping ??= (async () => {
      logger.info({ signal }, 'shutting down: finishing interactions in flight');
      try {
        await bot.stop(config.SHUTDOWN_TIMEOUT_MS);
      } finally {
        await database.close();
        logger.info('stopped');
      }
    })();
    return stopping;
  };
  const exitCode = new Promise<number>((resolve) => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => void stop(signal).then(() => resolve(0), () => resolve(1)));
    }
  });

  try {
    await bot.start();
  } catch (error) {
    logger.fatal({ err: error }, 'could not connect to Discord');
    await stop('startup failure').catch(() => undefined);
    return 1;
  }
  return exitCode;
}

try {
  process.exitCode = await main();
} catch (error) {
  if (error instanceof ConfigError || error instanceof DataDirLockedError) {
    console.error(error.message);
    process.exitCode = 1;
  } else {
    throw error;
  }
}
