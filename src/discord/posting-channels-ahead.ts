import { setTimeout as sleep } from 'node:timers/promises';
import { DiscordAPIError, type Client } from 'discord.js';
import type { Logger } from 'pino';
import { GLOBAL_PACER_WINDOW_MS, InteractionAwareRest } from './interaction-rest.js';
import { fetchPostingChannel, keepPostingChannels } from './posting-channels.js';

/** A channel lessons or alerts are posted in, and its server. */
export interface PostingChannelRow {
  readonly guildId: string;
  readonly channelId: string;
}

export interface PostingChannelsAhead {
  /** Schedules changed somewhere (a change notice; `null` from the feed counts too): read the list again soon. */
  changed(): void;
  /**
   * Reads from now on (once connected: reads need the servers), at once if a notice came before: one that came
   * between the start's own read of the list and the connection is not lost, and without one nothing is read twice.
   */
  start(): void;
  /** Stops: no further reads; a read under way ends after its current request. */
  stop(): void;
}

export interface PostingChannelsAheadOptions {
  readonly client: Client;
  /** Every channel this process posts in, as the database says now (the delivery service's). */
  readonly postingChannels: () => Promise<readonly PostingChannelRow[]>;
  readonly logger: Logger;
  /** At most one read of the list this often: every post writes its schedule, and each write sends a notice. */
  readonly minIntervalMs?: number;
  /**
   * Whether a channel may be read now (default: the global limit is mostly free, limitMostlyFree). A read ahead
   * takes a place posts may need: during a fan-out it waits, and those posts go out without reading their channels
   * (channelNotRead).
   */
  readonly mayRead?: () => boolean;
  /** The clock the default `mayRead` tells a coming minute by. */
  readonly now?: () => number;
  /** Whether this process's posts are under way (the default `mayRead` waits for them: a fan-out's first). */
  readonly postsUnderWay?: () => boolean;
}

/** How often a read ahead held back by a fan-out looks again. */
const MAY_READ_POLL_MS = 250;

/** After a minute begins, reads wait this long: its tick reads what is due, and its first posts start. */
const AFTER_MINUTE_MS = 2_000;

/**
 * True while the global limit is mostly free: no post of this process is under way, nothing of the bot's waits for a
 * place, under half the window's places are taken (global-pacer.ts), and a minute is not about to begin nor just
 * begun. A fan-out keeps the window full, and its posts come a few at a time (a wait of none now and then says
 * nothing); posts fall due as a minute begins, and a read in the window before it, or in its first second while the
 * first posts are still admitted without waiting, takes a place from that minute's first round (seven reads there
 * ended a 1,000-post fan-out at 20.5 s instead of 19.8: BENCHMARKS.md, "Schedules written after the minute's cards").
 * On its own, the read ahead takes half of Discord's 50 requests a second.
 */
function limitMostlyFree(client: Client, now: () => number, postsUnderWay: () => boolean): () => boolean {
  return () => {
    if (postsUnderWay()) return false;
    if (!(client.rest instanceof InteractionAwareRest)) return true;
    const { pacer } = client.rest;
    const intoMinute = now() % 60_000;
    return pacer.waiting === 0 && pacer.inWindow < pacer.limit / 2 && 60_000 - intoMinute > GLOBAL_PACER_WINDOW_MS && intoMinute >= AFTER_MINUTE_MS;
  };
}

/** How often the list may be read again; a schedule written elsewhere has its channel read within about this. */
export const POSTING_CHANNELS_INTERVAL_MS = 5_000;

/**
 * Reads ahead the channels of schedules this process did not write itself: an operator's SQL, another tool, or
 * another process of a cluster. discord.js keeps only the channels named when a server arrives (posting-channels.ts),
 * so such a channel was once read at its post, at the minute, where each read takes one of the 50 requests a
 * second that the whole fan-out shares: 1,000 schedules written after the bot started made 2,000 requests of a
 * 1,000-post minute, ~40 s instead of 20. Here they are read when the notice of the write comes, one at a time
 * while the global limit is mostly free (a fan-out's posts first), and kept, so that a post is checked from memory
 * (permissions, an announcement channel's publication); one not read by its minute is posted in without reading
 * (channelNotRead). A channel Discord refuses to show (deleted, no access) is not asked for again by this process,
 * and its post says why to the moderators as before; one Discord could not answer is asked for again at a later
 * notice.
 */
export function followPostingChannels(options: PostingChannelsAheadOptions): PostingChannelsAhead {
  const { client, logger } = options;
  const minIntervalMs = options.minIntervalMs ?? POSTING_CHANNELS_INTERVAL_MS;
  const mayRead = options.mayRead ?? limitMostlyFree(client, options.now ?? Date.now, options.postsUnderWay ?? (() => false));
  const refused = new Set<string>();
  let started = false;
  let stopped = false;
  let running = false;
  let pending = false;
  let lastReadAt = Number.NEGATIVE_INFINITY;
  let timer: NodeJS.Timeout | undefined;

  const schedule = () => {
    if (!started || stopped || running || timer) return;
    timer = setTimeout(() => void readAhead(), Math.max(0, lastReadAt + minIntervalMs - Date.now()));
    timer.unref();
  };

  async function readAhead(): Promise<void> {
    timer = undefined;
    pending = false;
    running = true;
    lastReadAt = Date.now();
    try {
      const rows = await options.postingChannels();
      keepPostingChannels(client, rows.map((row) => row.channelId));
      // Of the servers this process holds; one still unavailable (an outage) brings its channels when it returns.
      const missing = rows.filter(
        (row) => client.guilds.cache.get(row.guildId)?.available === true && !client.channels.cache.has(row.channelId) && !refused.has(row.channelId),
      );
      let read = 0;
      for (const row of missing) {
        while (!stopped && !mayRead()) await sleep(MAY_READ_POLL_MS);
        if (stopped) break;
        // Held back meanwhile: read since by something else (a moderator's /schedule set), or not (a post keeps none).
        if (client.channels.cache.has(row.channelId)) continue;
        try {
          await fetchPostingChannel(client, row.channelId);
          read += 1;
        } catch (error) {
          // Refused (deleted, no access): not asked again. Discord down or slow: asked again at a later notice.
          if (error instanceof DiscordAPIError && error.status >= 400 && error.status < 500) refused.add(row.channelId);
          logger.debug({ err: error, guildId: row.guildId, channelId: row.channelId }, 'a schedule’s channel could not be read ahead');
        }
      }
      if (missing.length > 0) logger.info({ read, notRead: missing.length - read }, 'channels of schedules written elsewhere read ahead of their posts');
    } catch (error) {
      logger.warn({ err: error }, 'reading the channels posted in failed; a new schedule’s channel is posted in without reading it instead');
    } finally {
      running = false;
      if (pending) schedule();
    }
  }

  return {
    changed() {
      pending = true;
      schedule();
    },
    start() {
      started = true;
      if (pending) schedule();
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
