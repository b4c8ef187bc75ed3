import type { Client } from 'discord.js';

interface GatewayPacket {
  readonly t?: string | null;
  readonly d?: unknown;
}

/**
 * Every role Discord deletes in a server this process holds (GUILD_ROLE_DELETE, before discord.js handles it: its
 * `roleDelete` event fires only for roles it keeps, and it keeps few: kept-roles.ts).
 */
export function followRoleDeletions(client: Client, onDeleted: (guildId: string, roleId: string) => void): void {
  client.on('raw', (packet: GatewayPacket) => {
    if (packet.t !== 'GUILD_ROLE_DELETE' || typeof packet.d !== 'object' || packet.d === null) return;
    const { guild_id: guildId, role_id: roleId } = packet.d as { guild_id?: unknown; role_id?: unknown };
    if (typeof guildId === 'string' && typeof roleId === 'string') onDeleted(guildId, roleId);
  });
}
