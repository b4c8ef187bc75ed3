import type { Kysely } from 'kysely';
import { claimAlert, guildSettings, releaseAlert } from '../db/guild-settings.js';
import type { DB } from '../db/schema.js';
import type { Logger } from '../logger.js';
import { channelMessage, type ReplyPayload } from '../discord/reply.js';
import type { Channels } from '../discord/channels.js';

export interface Alerts {
  /** Tells a server's moderators about a problem once (per kind and key) until it is cleared by a success. */
  tell(guildId: string, kind: string, key: string, payload: ReplyPayload): Promise<void>;
}

export function createAlerts(deps: { db: Kysely<DB>; channels: Channels; logger: Logger }): Alerts {
  return {
    async tell(guildId, kind, key, payload) {
      const { alertsChannelId } = await guildSettings(deps.db, guildId);
      if (!alertsChannelId) return;
      if (!(await claimAlert(deps.db, guildId, kind, key))) return;
      try {
        // Alerts are text: a moderators' channel without Embed Links for the bot still hears them.
        const channel = await deps.channels.postable(alertsChannelId, { guildId, embeds: false });
        await channel.send(channelMessage(payload));
      } catch (error) {
        deps.logger.warn({ err: error, guildId, kind }, 'could not alert moderators');
        // Not told: kept as told, the alert was never sent again, not even once the alerts channel was mended.
        await releaseAlert(deps.db, guildId, kind, key).catch((releaseError: unknown) =>
          deps.logger.warn({ err: releaseError, guildId, kind }, 'could not forget an alert that was not sent'),
        );
      }
    },
  };
}
