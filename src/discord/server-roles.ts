import type { Client } from 'discord.js';

interface GatewayPacket {
  readonly t?: string | null;
  readonly d?: unknown;
}

export interface RoleChanges {
  /** A role Discord deleted (GUILD_ROLE_DELETE). */
  readonly deleted: (guildId: string, roleId: string) => void;
  /** Every role of a server, as Discord lists them when the process connects or joins it (GUILD_CREATE). */
  readonly listed: (guildId: string, roleIds: readonly string[]) => void;
}

/**
 * The roles of the servers this process holds, from the gateway's packets before discord.js handles them: its
 * `roleDelete` event fires only for roles it keeps, and it keeps few (kept-roles.ts). A server's GUILD_CREATE lists
 * all of its roles; an unavailable server's (an outage) lists none and is passed over.
 */
export function followRoles(client: Client, on: RoleChanges): void {
  client.on('raw', (packet: GatewayPacket) => {
    if (typeof packet.d !== 'object' || packet.d === null) return;
    if (packet.t === 'GUILD_ROLE_DELETE') {
      const { guild_id: guildId, role_id: roleId } = packet.d as { guild_id?: unknown; role_id?: unknown };
      if (typeof guildId === 'string' && typeof roleId === 'string') on.deleted(guildId, roleId);
    } else if (packet.t === 'GUILD_CREATE') {
      const { id, roles, unavailable } = packet.d as { id?: unknown; roles?: unknown; unavailable?: unknown };
      if (typeof id !== 'string' || unavailable === true || !Array.isArray(roles)) return;
      const roleIds = roles.map((role: unknown) => (role as { id?: unknown } | null)?.id).filter((roleId): roleId is string => typeof roleId === 'string');
      // A list without even the @everyone role (its id is the server's) is not a server's whole list.
      if (roleIds.includes(id)) on.listed(id, roleIds);
    }
  });
}
