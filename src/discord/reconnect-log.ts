import { Events, type Client } from 'discord.js';
import type { Logger } from '../logger.js';

/** While a shard keeps failing to reconnect, one line this often says so. */
export const STILL_RECONNECTING_EVERY_MS = 60_000;

/**
 * What the logs say while a shard's gateway connection is down. discord.js tries again every ~0.5 s while Discord
 * cannot be reached, and reported each try: 120 lines a minute a shard through an outage. Now one line when a
 * shard starts reconnecting, one a minute while it keeps trying (how long, how many tries), and one when it is
 * back (ready again or resumed). `isStopping` says the client is being stopped: its closing is no reconnect.
 */
export function logReconnects(client: Client, logger: Logger, isStopping: () => boolean, now: () => number = Date.now): void {
  const outages = new Map<number, { since: number; tries: number; loggedAt: number }>();
  client.on(Events.ShardReconnecting, (shardId) => {
    if (isStopping()) return;
    const at = now();
    const outage = outages.get(shardId);
    if (!outage) {
      outages.set(shardId, { since: at, tries: 1, loggedAt: at });
      logger.info({ shardId }, 'gateway reconnecting');
      return;
    }
    outage.tries += 1;
    if (at - outage.loggedAt < STILL_RECONNECTING_EVERY_MS) return;
    outage.loggedAt = at;
    logger.warn({ shardId, tries: outage.tries, downForSeconds: Math.round((at - outage.since) / 1000) }, 'gateway still reconnecting');
  });
  const reconnected = (shardId: number) => {
    const outage = outages.get(shardId);
    if (!outage) return;
    outages.delete(shardId);
    logger.info({ shardId, tries: outage.tries, downForMs: now() - outage.since }, 'gateway reconnected');
  };
  client.on(Events.ShardReady, (shardId) => reconnected(shardId));
  client.on(Events.ShardResume, (shardId) => reconnected(shardId));
}
