import { DiscordAPIError, type Client } from 'discord.js';
import type { Logger } from 'pino';
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
}

/** How often the list may be read again; a schedule written elsewhere has its channel read within about this. */
export const POSTING_CHANNELS_INTERVAL_MS = 5_000;

/**
 * Reads ahead the channels of schedules this process did not write itself: an operator's SQL, another tool, or
 * another process of a cluster. discord.js keeps only the channels named when a server arrives (posting-channels.ts),
 * so such a channel would otherwise be read at its post, at the minute, where each read takes one of the 50
 * requests a second that the whole fan-out shares: 1,000 schedules written after the bot started made 2,000
 * requests of a 1,000-post minute, ~40 s instead of 20. Here they are read when the notice of the write comes,
 * one at a time, and kept; a channel Discord refuses to show (deleted, no access) is not asked for again by this
 * process, and its post says why to the moderators as before; one Discord could not answer is asked for again at
 * a later notice.
 */
export function followPostingChannels(options: PostingChannelsAheadOptions): PostingChannelsAhead {
  const { client, logger } = options;
  const minIntervalMs = options.minIntervalMs ?? POSTING_CHANNELS_INTERVAL_MS;
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
        if (stopped) break;
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
      logger.warn({ err: error }, 'reading the channels posted in failed; a new schedule’s channel is read at its post instead');
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
