import { readFileSync } from 'node:fs';
import type { APIMessage } from 'discord.js';
import { expect } from 'vitest';
import type { MessageData } from '../../src/domain/discord-format/index.js';
import { createBotDatabase, loggedProcessWarnings, startBotProcess, type BotDatabase, type BotProcess, type DatabaseKind } from './bot-process.js';
import {
  startDiscordStandIn,
  textChannel,
  type AttachmentInit,
  type CommandOptionInit,
  type DiscordStandIn,
  type GuildInit,
  type InteractionResponseEvent,
  type MemberInit,
  type RecordedRequest,
  type StandInGuild,
  type UserInit,
} from './discord-stand-in/index.js';
import { EPHEMERAL, MODERATOR, MODERATOR_MEMBER, POST_TIMEOUT_MS, setScheduleLater, setScheduleNow, TICK_ENV, type ScheduleNowOptions } from './schedule-scenarios.js';

/*
 * One running bot for end-to-end scheduling tests: a Discord stand-in, a database, the real bot process
 * (as `npm start` runs it, ticking every second) and the helpers the tests drive it with. Tests share a
 * scene only through servers of their own (`addGuild`), so none depends on what another did; a test that
 * needs a library of its own (an empty one, or one a test changes) starts a scene of its own.
 */

export type Data = InteractionResponseEvent['data'] & MessageData & { flags?: number };

export interface Sender {
  user?: UserInit;
  member?: MemberInit;
}

export const AS_MODERATOR: Sender = { user: MODERATOR, member: MODERATOR_MEMBER };

/** A lesson file as a moderator uploads it with `/lesson import`. */
export function lessonUpload(file: string): AttachmentInit {
  return { filename: file.split('/').at(-1)!, content: readFileSync(file), contentType: 'text/plain; charset=utf-8', optionName: 'file' };
}

export interface BotScene {
  readonly kind: DatabaseKind;
  readonly discord: DiscordStandIn;
  readonly env: Record<string, string>;
  /** Replaced by `restart`, or by a test that stops and starts the bot itself. */
  bot: BotProcess;
  /** A new server with `#lessons` and `#mod-alerts` (unless `init.channels` says otherwise). */
  addGuild(name: string, init?: GuildInit): StandInGuild;
  channelNamed(guild: StandInGuild, name: string): string;
  /** Any command in a server; the answer's flags are those of the first callback (a reply or a deferral). */
  command(
    guild: StandInGuild,
    name: string,
    subcommand: string,
    options?: CommandOptionInit[],
    sender?: Sender,
    attachments?: AttachmentInit[],
    timeoutMs?: number,
  ): Promise<Data>;
  /** A `/schedule` subcommand, by a moderator unless `sender` says otherwise; private from the first callback on. */
  schedule(guild: StandInGuild, subcommand: string, options?: CommandOptionInit[], sender?: Sender): Promise<Data>;
  /** `/lesson import` of one file; the answer is private. */
  importFile(guild: StandInGuild, file: AttachmentInit, sender?: Sender): Promise<Data>;
  setNow(guild: StandInGuild, channelId: string, options?: ScheduleNowOptions): Promise<Data>;
  setLater(guild: StandInGuild, channelId: string): Promise<Data>;
  postsTo(channelId: string): RecordedRequest[];
  waitForPost(channelId: string): Promise<APIMessage>;
  /**
   * The server's first post by this bot process, once it is in the channel and the bot has recorded it
   * (what `/schedule show` reads): a post shows in the channel a moment before.
   */
  waitForPosted(guild: StandInGuild, channelId: string): Promise<APIMessage>;
  /**
   * Proof that the delivery timer ran after this point: a new server scheduled now gets its post. Every
   * tick asks for all due servers at once, so a server wrongly due would have been posted by then too.
   */
  witnessTick(): Promise<void>;
  /** Starts the bot again if a test left it stopped (or it died). */
  ensureRunning(): Promise<void>;
  /** Stops the bot (SIGTERM), closes the stand-in, drops the database; the bot's exit code. */
  close(): Promise<number | null | undefined>;
}

export async function startBotScene(kind: DatabaseKind, options: { lessons?: string[]; /** More of the bot's settings. */ env?: Record<string, string> } = {}): Promise<BotScene> {
  const discord = await startDiscordStandIn();
  const database: BotDatabase = await createBotDatabase(kind, { migrated: true });
  const env = { ...database.env, ...TICK_ENV, DISCORD_API_URL: discord.apiUrl, DISCORD_TOKEN: 'test-token', ...options.env };
  let servers = 0;

  const running = (bot: BotProcess) => bot.child.exitCode === null && bot.child.signalCode === null;

  const scene: BotScene = {
    kind,
    discord,
    env,
    bot: undefined as unknown as BotProcess,

    addGuild(name, init = {}) {
      return discord.addGuild({ name, channels: [textChannel({ name: 'lessons' }), textChannel({ name: 'mod-alerts' })], ...init });
    },

    channelNamed: (guild, name) => guild.channels.find((c) => c.name === name)!.id,

    async command(guild, name, subcommand, commandOptions = [], sender = AS_MODERATOR, attachments = [], timeoutMs = 10_000) {
      const handle = discord.sendCommand({ name, subcommand, guildId: guild.id, options: commandOptions, attachments, ...sender });
      const final = await handle.waitForFinal(timeoutMs);
      const first = await handle.waitForResponse();
      return { ...(final.data as Data), flags: first.data.flags ?? 0 };
    },

    async schedule(guild, subcommand, commandOptions = [], sender = AS_MODERATOR) {
      const data = await scene.command(guild, 'schedule', subcommand, commandOptions, sender);
      expect(data.flags! & EPHEMERAL).toBe(EPHEMERAL);
      return data;
    },

    async importFile(guild, file, sender = AS_MODERATOR) {
      // A bot's first import loads the vocabulary model (in a worker): slow on a loaded machine.
      const data = await scene.command(guild, 'lesson', 'import', [], sender, [file], 60_000);
      expect(data.flags! & EPHEMERAL).toBe(EPHEMERAL);
      return data;
    },

    setNow: (guild, channelId, setOptions = {}) => setScheduleNow(scene.schedule, guild, channelId, setOptions),
    setLater: (guild, channelId) => setScheduleLater(scene.schedule, guild, channelId),

    postsTo: (channelId) => discord.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${channelId}/messages`),
    waitForPost: (channelId) => discord.waitForChannelMessage(channelId, POST_TIMEOUT_MS),

    async waitForPosted(guild, channelId) {
      const logged = await scene.bot.waitForLog((line) => line.msg === 'lesson posted' && line.guildId === guild.id, POST_TIMEOUT_MS);
      const message = discord.channelMessages(channelId).find((m) => m.id === logged.messageId);
      expect(message).toBeDefined();
      return message!;
    },

    async witnessTick() {
      const guild = scene.addGuild(`Witness ${++servers}`);
      const channelId = scene.channelNamed(guild, 'lessons');
      await scene.setNow(guild, channelId);
      await scene.waitForPost(channelId);
    },

    async ensureRunning() {
      if (!running(scene.bot)) scene.bot = await startBotProcess(env);
    },

    async close() {
      const code = await (scene.bot as BotProcess | undefined)?.stop();
      await discord.close();
      await database.dispose();
      return code;
    },
  };

  try {
    scene.bot = await startBotProcess(env);
    if (options.lessons?.length) {
      // Added as a moderator adds them, in a server no test uses.
      const library = scene.addGuild('Library');
      for (const file of options.lessons) {
        const imported = await scene.importFile(library, lessonUpload(file));
        expect(imported.embeds?.[0]?.title).toBe('✅ imported 1, updated 0, unchanged 0');
      }
    }
  } catch (error) {
    await scene.close();
    throw error;
  }
  return scene;
}

/** Starts scenes side by side (their bots start in parallel); if one fails, the others are closed. */
export async function startBotScenes<T extends readonly Promise<BotScene>[]>(...starting: T): Promise<{ [K in keyof T]: BotScene }> {
  const settled = await Promise.allSettled(starting);
  const failed = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) {
    for (const result of settled) if (result.status === 'fulfilled') await result.value.close();
    throw failed.reason;
  }
  return settled.map((result) => (result as PromiseFulfilledResult<BotScene>).value) as { [K in keyof T]: BotScene };
}

/**
 * After each test of a scene: only routes Discord has, on the configured API host, nothing the stand-in found
 * wrong, and no process warning logged by the bot (a deprecated discord.js option it used, say).
 */
export function expectOnlyKnownRoutes(scene: BotScene): void {
  expect(scene.discord.unexpectedRequests()).toEqual([]);
  expect(scene.discord.problems).toEqual([]);
  expect(loggedProcessWarnings(scene.bot)).toEqual([]);
}
