import { Role, type Client, type Guild } from 'discord.js';

/**
 * The roles discord.js keeps: each server's @everyone, the roles the bot holds there, and the server's moderator
 * role. Those are all a check reads: the bot's permissions in a channel come from @everyone, its own roles and
 * the channel's overwrites (which name roles by id), and the moderator check looks for one role among the
 * member's. A server's GUILD_CREATE lists every role (~0.4 KB each in discord.js: 1,000 servers of 100 roles were
 * ~37 MB; BENCHMARKS.md, "Only the roles it reads"), and language servers have many.
 *
 * Which roles the bot holds is read from the gateway packets themselves (GUILD_CREATE lists the server's roles
 * before its members, so discord.js does not know them yet when it stores the roles). A server whose packet did
 * not name the bot's roles keeps every role, as before. When the bot is given a role later (Discord sends the bot
 * its own GUILD_MEMBER_UPDATE), the server's roles are read again once over REST, and the new one is kept.
 */
interface KeptRoles {
  /** Server id → the roles the bot holds there, as the last packet about its member said. */
  readonly botRoles: Map<string, ReadonlySet<string>>;
  readonly moderatorRoles: Set<string>;
  /** The moderator roles could not be read: every role is kept. */
  everyRole: boolean;
  /** Server/role → its one read of the server's roles, for a moderator role named elsewhere (readModeratorRole). */
  readonly rolesRead: Map<string, Promise<void>>;
}

const keptRolesOf = new WeakMap<Client, KeptRoles>();

function keptRoles(client: Client): KeptRoles {
  let kept = keptRolesOf.get(client);
  if (!kept) {
    kept = { botRoles: new Map(), moderatorRoles: new Set(), everyRole: false, rolesRead: new Map() };
    keptRolesOf.set(client, kept);
  }
  return kept;
}

/** Whether discord.js should keep this role (every server's role cache asks: cache-limits.ts). */
export function isKeptRole(role: Role): boolean {
  if (role.id === role.guild.id) return true;
  const kept = keptRolesOf.get(role.client);
  const botRoles = kept?.botRoles.get(role.guild.id);
  // Nothing known of the bot's roles in that server: keep them all rather than miss one.
  if (!kept || !botRoles || kept.everyRole) return true;
  return botRoles.has(role.id) || kept.moderatorRoles.has(role.id);
}

/** Marks moderator roles as kept (start-up: every server's; later: the role `/schedule moderators` names). */
export function keepModeratorRoles(client: Client, roleIds: Iterable<string>): void {
  const { moderatorRoles } = keptRoles(client);
  for (const id of roleIds) moderatorRoles.add(id);
}

/** Where the moderator roles are not known (the database did not answer at start): every role is kept. */
export function keepEveryRole(client: Client): void {
  keptRoles(client).everyRole = true;
}

/**
 * A moderator role named now: kept from now on, and stored from the command's own data (no request). (A role
 * that came as raw data, from a server discord.js does not hold, has nothing to store.)
 */
export function keepModeratorRole(role: unknown): void {
  if (!(role instanceof Role)) return;
  keepModeratorRoles(role.client, [role.id]);
  if (!role.guild.roles.cache.has(role.id)) role.guild.roles.cache.set(role.id, role);
}

/**
 * A moderator role the server's role cache does not hold: named since this process started by something other
 * than it (an operator's SQL; `/schedule moderators` stores it in the cache itself). It is kept from now on and the
 * server's roles are read once (`GET /guilds/{id}/roles`) to store it, so members holding it pass the moderator
 * check without a restart. Once per server and role: a role deleted in Discord is not asked for at every check.
 * A read that fails leaves the check to what the cache holds.
 */
export async function readModeratorRole(guild: Guild, roleId: string): Promise<void> {
  if (guild.roles.cache.has(roleId)) return;
  keepModeratorRoles(guild.client, [roleId]);
  const kept = keptRoles(guild.client);
  const key = `${guild.id}/${roleId}`;
  let read = kept.rolesRead.get(key);
  if (!read) {
    read = guild.roles.fetch().then(
      () => undefined,
      () => undefined,
    );
    kept.rolesRead.set(key, read);
  }
  await read;
}

interface GatewayPacket {
  readonly t?: string | null;
  readonly d?: unknown;
}

interface MemberPayload {
  readonly user?: { readonly id?: string };
  readonly roles?: readonly string[];
}

/**
 * Follows the bot's own roles in the gateway's packets, before discord.js handles each (its `raw` event):
 * GUILD_CREATE's member list, and GUILD_MEMBER_UPDATE for the bot. A role the bot was just given is not stored
 * (it was dropped when the server arrived): the server's roles are read again, once, to store it.
 */
export function followBotRoles(client: Client, onError: (error: unknown, guildId: string | null) => void): void {
  const kept = keptRoles(client);
  client.on('raw', (packet: GatewayPacket) => {
    try {
      followPacket(packet);
    } catch (error) {
      onError(error, null);
    }
  });

  function followPacket(packet: GatewayPacket): void {
    const botId = client.user?.id;
    if (!botId || (packet.t !== 'GUILD_CREATE' && packet.t !== 'GUILD_MEMBER_UPDATE')) return;
    // A malformed packet is discord.js's to refuse (client.ts logs it); here it names no roles.
    if (typeof packet.d !== 'object' || packet.d === null) return;
    const data = packet.d as { id?: unknown; guild_id?: unknown; members?: unknown } & MemberPayload;
    const guildId = packet.t === 'GUILD_CREATE' ? data.id : data.guild_id;
    const members: readonly (MemberPayload | null)[] = Array.isArray(data.members) ? (data.members as (MemberPayload | null)[]) : [];
    const member = packet.t === 'GUILD_CREATE' ? members.find((m) => m?.user?.id === botId) : data.user?.id === botId ? data : undefined;
    if (typeof guildId !== 'string' || !Array.isArray(member?.roles) || !member.roles.every((id) => typeof id === 'string')) return;
    const before = kept.botRoles.get(guildId);
    kept.botRoles.set(guildId, new Set(member.roles));
    const given = before ? member.roles.filter((id) => !before.has(id)) : [];
    if (given.length === 0) return;
    // After discord.js has handled this packet (the member's roles updated), store the roles it was given.
    setImmediate(() => {
      const guild = client.guilds.cache.get(guildId);
      if (!guild || given.every((id) => guild.roles.cache.has(id))) return;
      guild.roles.fetch().catch((error: unknown) => onError(error, guildId));
    });
  }
}
