import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config.js';
import { startDiscordStandIn, type DiscordStandIn } from '../local-discord/index.js';
import type { Logger } from '../logger.js';
import { PlaygroundActions } from './actions.js';
import { importExamplesIfEmpty } from './example-lessons.js';
import { projectRoot } from '../project-root.js';
import { Timeline } from './timeline.js';
import { startWebServer, type PlaygroundWebServer } from './web-server.js';
import { createPlaygroundServer } from './world.js';

const BOT_CONNECT_TIMEOUT_MS = 120_000;
const BOT_STOP_TIMEOUT_MS = 20_000;
/** How often the playground checks that the program that started it (npm, a shell) is still there. */
const PARENT_CHECK_MS = 1_000;

/** Runs a project script the way this process runs (`node --import tsx x.ts` from sources, `node x.js` from dist/). */
function scriptPath(relativeToSrc: string): string {
  const fromSources = import.meta.url.endsWith('.ts');
  return fileURLToPath(new URL(`../${relativeToSrc}.${fromSources ? 'ts' : 'js'}`, import.meta.url));
}

function runScript(script: string, args: string[], env: NodeJS.ProcessEnv, stdio: 'inherit' | 'pipe', ipc = false): ChildProcess {
  const pipes: ('ignore' | 'inherit' | 'pipe' | 'ipc')[] = ['ignore', stdio, stdio, ...(ipc ? (['ipc'] as const) : [])];
  return spawn(process.execPath, [...process.execArgv, scriptPath(script), ...args], { cwd: projectRoot(), env, stdio: pipes });
}

/** The bot's environment: the real bot, pointed at the local Discord (its REST base names the gateway too). */
function botEnvironment(discord: DiscordStandIn): NodeJS.ProcessEnv {
  // The first start leaves the example lessons' vocabularies to the bot's catch-up job: eleven lessons, a few
  // seconds flat out, so the first post and /lesson show have their level (the operator's own setting wins).
  return { VOCABULARY_CATCH_UP_SHARE: '1', ...process.env, DISCORD_TOKEN: discord.token, DISCORD_API_URL: discord.apiUrl, DISCORD_APPLICATION_ID: discord.applicationId };
}

/** `npm run deploy-commands -- --guild <id>`, against the local Discord: the commands are registered as on a real server. */
async function registerCommands(discord: DiscordStandIn, guildId: string): Promise<string> {
  const child = runScript('cli/deploy-commands', ['--guild', guildId], botEnvironment(discord), 'pipe');
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`registering the commands failed:\n${output}`);
  return output.trim();
}

/**
 * The playground: a local Discord on 127.0.0.1, the real bot (src/main.ts, unchanged) connected to it through
 * DISCORD_API_URL, its commands registered, example lessons on first start, and a web page showing that
 * Discord. Nothing leaves this machine. Resolves with the exit code once stopped (SIGINT/SIGTERM) or the bot died.
 */
export async function runPlayground(config: Config, logger: Logger): Promise<number> {
  const timeline = new Timeline();
  const discord = await startDiscordStandIn({
    // A token of this start, given to the bot alone: nothing else on this machine can log in as the bot (and be
    // sent members' interactions), nor call the API as the bot.
    token: randomBytes(32).toString('base64url'),
    maxRecordedRequests: 1000,
    onProblem: (message) => logger.error({ problem: message }, 'local discord problem'),
  });
  discord.observe(timeline.observe);
  const guild = createPlaygroundServer(discord);
  const actions = new PlaygroundActions(discord, guild, timeline);

  let web: PlaygroundWebServer | undefined;
  let bot: ChildProcess | undefined;
  const shutdown = async () => {
    await web?.close();
    if (bot && bot.exitCode === null && bot.signalCode === null) {
      const exited = new Promise((resolve) => bot?.once('exit', resolve));
      bot.kill('SIGTERM');
      const timer = setTimeout(() => bot?.kill('SIGKILL'), BOT_STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    await discord.close();
  };

  // Ctrl+C reaches the bot too (same process group); either way, everything stops in order.
  let stopRequested = false;
  const signalled = new Promise<'signal'>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        if (!stopRequested) console.log('\nStopping the playground …');
        stopRequested = true;
        resolve('signal');
      });
    }
    // `kill <npm's pid>`: npm passes SIGTERM to its shell, which does not pass it on, and this process was left
    // running (with its bot). A process whose parent ended is handed to another (its parent id changes): then stop.
    const parent = process.ppid;
    const watch = setInterval(() => {
      if (process.ppid === parent) return;
      clearInterval(watch);
      if (!stopRequested) console.log('\nThe program that started the playground has ended: stopping the playground …');
      stopRequested = true;
      resolve('signal');
    }, PARENT_CHECK_MS);
    watch.unref();
  });

  try {
    console.log('Starting the playground: a local Discord on 127.0.0.1 and the real bot connected to it …');
    const [library, registered] = await Promise.all([importExamplesIfEmpty(config), registerCommands(discord, guild.id)]);
    console.log(`  ${library}\n  ${registered} (local Discord)`);
    if (stopRequested) return (await shutdown(), 0);
    web = await startWebServer(config.PLAYGROUND_PORT, { discord, guild, actions, timeline, logger });

    // With an IPC channel: the operating system closes it when this process ends, however it ends (kill -9
    // included), and the bot then stops (PLAYGROUND_BOT, src/main.ts) rather than hold the database's lock.
    bot = runScript('main', [], { ...botEnvironment(discord), PLAYGROUND_BOT: '1' }, 'inherit', true);
    const botExited = new Promise<number>((resolve) => bot?.once('exit', (code) => resolve(code ?? 1)));
    const connected = await Promise.race([
      discord.waitForSession(BOT_CONNECT_TIMEOUT_MS).then(() => 'connected' as const),
      botExited.then(() => 'exited' as const),
      signalled,
    ]);
    if (connected === 'signal') return (await shutdown(), 0);
    if (connected === 'exited') throw new Error('the bot stopped before it connected to the local Discord (see its log above)');

    console.log(
      `\nPlayground ready: ${web.url}\n` +
        `  The real bot runs against a local Discord (${discord.baseUrl}, for the bot alone): nothing is sent to Discord.\n` +
        '  Open the URL in a browser; Ctrl+C stops everything. To run on Discord, set DISCORD_TOKEN (see README).\n',
    );

    const ended = await Promise.race([signalled, botExited]);
    if (ended !== 'signal' && !stopRequested) {
      console.error(`The bot exited (code ${ended}); stopping the playground.`);
      await shutdown();
      return 1;
    }
    await shutdown();
    return 0;
  } catch (error) {
    console.error(`Playground: ${(error as Error).message}`);
    await shutdown().catch(() => undefined);
    return 1;
  }
}
