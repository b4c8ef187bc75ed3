import { OverwriteType, PermissionFlagsBits, type APIOverwrite, type APIRole } from 'discord.js';

export type PermissionName = keyof typeof PermissionFlagsBits;
/** A bitfield (bigint, number or decimal string, as Discord sends them) or a list of flag names. */
export type PermissionInput = bigint | number | string | readonly PermissionName[];

export const ALL_PERMISSIONS = Object.values(PermissionFlagsBits).reduce((all, bit) => all | bit, 0n);

/** What a plain member of an ordinary server may do (roughly Discord's default @everyone). */
export const PLAIN_MEMBER_PERMISSIONS = permissionBits([
  'CreateInstantInvite',
  'AddReactions',
  'ViewChannel',
  'SendMessages',
  'EmbedLinks',
  'AttachFiles',
  'ReadMessageHistory',
  'UseExternalEmojis',
  'Connect',
  'Speak',
  'UseVAD',
  'ChangeNickname',
  'UseApplicationCommands',
  'CreatePublicThreads',
  'CreatePrivateThreads',
  'SendMessagesInThreads',
]);

export function permissionBits(input: PermissionInput | undefined, fallback = 0n): bigint {
  if (input === undefined) return fallback;
  if (typeof input === 'bigint') return input;
  if (typeof input === 'number' || typeof input === 'string') return BigInt(input);
  return input.reduce((bits, name) => bits | PermissionFlagsBits[name], 0n);
}

export function hasPermission(bits: bigint, flag: bigint): boolean {
  return (bits & flag) === flag;
}

export interface PermissionGuild {
  readonly id: string;
  readonly ownerId: string;
  readonly roles: ReadonlyMap<string, APIRole>;
}

export interface PermissionSubject {
  readonly userId: string;
  readonly roleIds: readonly string[];
}

/** Guild-level permissions: @everyone plus every role of the member; owner and Administrator get all. */
export function basePermissions(guild: PermissionGuild, subject: PermissionSubject): bigint {
  if (subject.userId === guild.ownerId) return ALL_PERMISSIONS;
  let bits = BigInt(guild.roles.get(guild.id)?.permissions ?? '0');
  for (const roleId of subject.roleIds) bits |= BigInt(guild.roles.get(roleId)?.permissions ?? '0');
  return hasPermission(bits, PermissionFlagsBits.Administrator) ? ALL_PERMISSIONS : bits;
}

/**
 * Channel permissions, following Discord's documented order: base permissions, then the @everyone
 * overwrite, then all role overwrites together (deny before allow), then the member's own overwrite.
 */
export function channelPermissions(
  guild: PermissionGuild,
  overwrites: readonly APIOverwrite[],
  subject: PermissionSubject,
): bigint {
  let bits = basePermissions(guild, subject);
  if (bits === ALL_PERMISSIONS) return bits;
  const apply = (overwrite: APIOverwrite | undefined) => {
    if (!overwrite) return;
    bits &= ~BigInt(overwrite.deny);
    bits |= BigInt(overwrite.allow);
  };
  apply(overwrites.find((o) => o.id === guild.id));
  let roleAllow = 0n;
  let roleDeny = 0n;
  for (const overwrite of overwrites) {
    if (overwrite.type === OverwriteType.Role && overwrite.id !== guild.id && subject.roleIds.includes(overwrite.id)) {
      roleAllow |= BigInt(overwrite.allow);
      roleDeny |= BigInt(overwrite.deny);
    }
  }
  bits = (bits & ~roleDeny) | roleAllow;
  apply(overwrites.find((o) => o.type === OverwriteType.Member && o.id === subject.userId));
  return bits;
}
