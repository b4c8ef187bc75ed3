import type { Client } from 'discord.js';
import type { Kysely } from 'kysely';
import { claimAlert, guildSettings } from '../db/guild-settings.js';
import type { DB } from '../db/schema.js';
import type { Logger } from '../logger.js';
import { channelMessage, type ReplyPayload } from '../discord/reply.js';
import { missingPostPermissions } from '../discord/permissions.js';

export interface Alerts {
  /** Tells a server's moderators about a problem once (per kind and key) until it is cleared by a success. */
  tell(guildId: string, kind: string, key: string, payload: ReplyPayload): Promise<void>;
}

export function createAlerts(deps: { db: Kysely<DB>; client: Client; logger: Logger }): Alerts {
  return {
    async tell(guildId, kind, key, payload) {
      const { alertsChannelId } = await guildSettings(deps.db, guildId);
      if (!alertsChannelId) return;
      if (!(await claimAlert(deps.db, guildId, kind, key))) return;
      try {
        const channel = await deps.client.channels.fetch(alertsChannelId);
        if (!channel || channel.isDMBased() || !channel.isTextBased()) throw new Error('alerts channel is gone');
        if (missingPostPermissions(channel, deps.client, { thread: false }).length > 0) {
          throw new Error('cannot post in the alerts channel');
        }
        await channel.send(channelMessage(payload));
      } catch (error) {
        deps.logger.warn({ err: error, guildId, kind }, 'could not alert moderators');
      }
    },
  };
}
