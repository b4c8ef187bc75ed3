import type { Kysely } from 'kysely';
import { guildSettings } from '../db/guild-settings.js';
import type { DB } from '../db/schema.js';

export interface DeliveryDeps {
  readonly db: Kysely<DB>;
  readonly now: () => Date;
}

export type DeliveryService = ReturnType<typeof createDeliveryService>;

/** Scheduling rules, planning, posting now, and the server's settings (alerts channel, moderator role). */
export function createDeliveryService(deps: DeliveryDeps) {
  const { db } = deps;
  return {
    /** The role whose members may use moderator commands besides those with Manage Server. */
    async moderatorRoleId(guildId: string): Promise<string | null> {
      return (await guildSettings(db, guildId)).moderatorRoleId;
    },
  };
}
