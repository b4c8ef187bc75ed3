import { PermissionFlagsBits } from 'discord.js';
import { hasPermission } from './permissions.js';

/**
 * A server's AutoMod keyword rule with the Block Message action (Discord: trigger type KEYWORD, action BLOCK_MESSAGE).
 * Keywords match as Discord documents them, case-insensitively: `cat` a whole word, `cat*` a word's start, `*cat` its
 * end, `*cat*` anywhere.
 */
export interface AutoModRuleInit {
  keywords: readonly string[];
  /** Members with one of these roles are not checked (the rule's exempt roles). */
  exemptRoles?: readonly string[];
  exemptChannels?: readonly string[];
}

export interface AutoModSubject {
  readonly channelId: string;
  readonly roleIds: readonly string[];
  /** The member's server-wide permissions: Discord exempts Administrator and Manage Server from AutoMod. */
  readonly guildPermissions: bigint;
}

/** The keyword of the first rule that blocks `text` (a message's content, a thread's name), if any. */
export function autoModMatch(rules: readonly AutoModRuleInit[], subject: AutoModSubject, text: string): string | undefined {
  if (hasPermission(subject.guildPermissions, PermissionFlagsBits.Administrator) || hasPermission(subject.guildPermissions, PermissionFlagsBits.ManageGuild)) {
    return undefined;
  }
  for (const rule of rules) {
    if (rule.exemptChannels?.includes(subject.channelId) || subject.roleIds.some((id) => rule.exemptRoles?.includes(id))) continue;
    const keyword = rule.keywords.find((candidate) => keywordPattern(candidate).test(text));
    if (keyword !== undefined) return keyword;
  }
  return undefined;
}

function keywordPattern(keyword: string): RegExp {
  const start = keyword.startsWith('*');
  const end = keyword.endsWith('*') && keyword.length > 1;
  const core = keyword.slice(start ? 1 : 0, end ? -1 : undefined).replace(/[.*+?^${}()|[\]\\]/gu, '\\$&');
  // A word is letters, marks and digits: the greeting's `**lesson**` holds the word `lesson`.
  return new RegExp(`${start ? '' : '(?<![\\p{L}\\p{M}\\p{N}])'}${core}${end ? '' : '(?![\\p{L}\\p{M}\\p{N}])'}`, 'iu');
}
