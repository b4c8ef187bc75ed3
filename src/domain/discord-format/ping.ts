/**
 * The daily post's ping. Discord gives a server's @everyone role the server's own id; that role cannot be
 * mentioned as `<@&id>` (it shows as "@@everyone" and notifies nobody), only as the text `@everyone`,
 * allowed by `parse: ['everyone']`, which also needs the Mention Everyone permission in the channel.
 */
export interface DailyPing {
  /** Put before the post's text, with its trailing space; empty when nobody is pinged. */
  readonly prefix: string;
  readonly allowedMentions: { parse: 'everyone'[]; roles?: string[] };
}

export function isEveryoneRole(roleId: string, guildId: string): boolean {
  return roleId === guildId;
}

/** How a role is named in a message: `@everyone` for the server's @everyone role, else its mention. */
export function roleMention(roleId: string, guildId: string): string {
  return isEveryoneRole(roleId, guildId) ? '@everyone' : `<@&${roleId}>`;
}

/** The post pings the role the moderators chose and nothing else (no lesson text can ping anyone). */
export function dailyPing(roleId: string | null, guildId: string): DailyPing {
  if (roleId === null) return { prefix: '', allowedMentions: { parse: [] } };
  if (isEveryoneRole(roleId, guildId)) return { prefix: '@everyone ', allowedMentions: { parse: ['everyone'] } };
  return { prefix: `<@&${roleId}> `, allowedMentions: { parse: [], roles: [roleId] } };
}
