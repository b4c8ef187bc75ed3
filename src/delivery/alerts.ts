import type { Kysely } from 'kysely';
import { claimAlert, guildSettings, markAlertsChannelGone, releaseAlert } from '../db/guild-settings.js';
import type { DB } from '../db/schema.js';
import type { Logger } from '../logger.js';
import { channelMessage, type ReplyPayload } from '../discord/reply.js';
import { channelGone, type Channels } from '../discord/channels.js';

export interface Alerts {
  /** Tells a server's moderators about a problem once (per kind and key) until it is cleared by a success. */
  tell(guildId: string, kind: string, key: string, payload: ReplyPayload): Promise<void>;
}

export function createAlerts(deps: { db: Kysely<DB>; channels: Channels; logger: Logger; now?: () => Date }): Alerts {
  const now = deps.now ?? (() => new Date());
  return {
    async tell(guildId, kind, key, payload) {
      const { alertsChannelId, alertsChannelGoneAt } = await guildSettings(deps.db, guildId);
      // A deleted alerts channel is tried no more (`/schedule show` says so): a new one set is told what still stands.
      if (!alertsChannelId || alertsChannelGoneAt) return;
      if (!(await claimAlert(deps.db, guildId, kind, key))) return;
      try {
        // Alerts are text: a moderators' channel without Embed Links for the bot still hears them.
        const channel = await deps.channels.postable(alertsChannelId, { guildId, embeds: false });
        await channel.send(channelMessage(payload));
      } catch (error) {
        deps.logger.warn({ err: error, guildId, kind }, 'could not alert moderators');
        // Until 2026-12-08 every later alert tried a deleted channel again (a 404 each, in every process).
        if (channelGone(error)) {
          await markAlertsChannelGone(deps.db, guildId, alertsChannelId, now()).catch((markError: unknown) =>
            deps.logger.warn({ err: markError, guildId }, 'could not record that the alerts channel was deleted'),
          );
        }
        // Not told: kept as told, the alert was never sent again, not even once the alerts channel was mended.
        await releaseAlert(deps.db, guildId, kind, key).catch((releaseError: unknown) =>
          deps.logger.warn({ err: releaseError, guildId, kind }, 'could not forget an alert that was not sent'),
        );
      }
    },
  };
}
