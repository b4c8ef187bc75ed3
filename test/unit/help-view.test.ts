import { ApplicationCommandOptionType, ApplicationCommandType, PermissionFlagsBits } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { commandDefinitions } from '../../commands/index.js';
import type { CommandDefinition } from '../../src/discord/command-definition.js';
import { renderHelp } from '../../src/discord/help-view.js';
import { EMBED_FIELD_NAME_MAX, EMBED_FIELD_VALUE_MAX, EMBEDS_TOTAL_MAX } from '../../src/domain/discord-format/limits.js';

const embedOf = (payload: ReturnType<typeof renderHelp>) => {
  const embed = payload.embeds?.[0] as { title: string; description: string; footer: { text: string }; fields: { name: string; value: string }[] };
  expect(payload.embeds).toHaveLength(1);
  return embed;
};
const size = (embed: ReturnType<typeof embedOf>) =>
  embed.title.length + embed.description.length + embed.footer.text.length + embed.fields.reduce((n, f) => n + f.name.length + f.value.length, 0);
// Discord's largest snowflakes of today are 19 digits; 20 leaves room.
const ids = new Map(commandDefinitions.map((command, i) => [command.name, String(10n ** 19n + BigInt(i))]));

describe('renderHelp', () => {
  it('lists every subcommand of the registered commands as a link that fills it in, with its required options', () => {
    const embed = embedOf(renderHelp(commandDefinitions, ids, { moderator: true }));
    const text = embed.fields.map((f) => f.value).join('\n');
    const lessonId = ids.get('lesson')!;
    expect(text).toContain(`</lesson today:${lessonId}> · Today’s lesson card: summary, reading time and buttons`);
    expect(text).toContain(`</lesson search:${lessonId}> \`query\` · `);
    expect(text).toContain(`</progress:${ids.get('progress')}> · `);
    expect(text).toContain(`</schedule set:${ids.get('schedule')}> \`channel\` \`time\` \`timezone\` · `);
    // Every subcommand of every command but /help itself, once: everyone's commands first, then the moderators'.
    const forModerators = (c: CommandDefinition) => c.default_member_permissions != null;
    const expected = [...commandDefinitions.filter((c) => !forModerators(c)), ...commandDefinitions.filter(forModerators)]
      .filter((c) => c.name !== 'help')
      .flatMap((c) => {
        const subs = (c.options ?? []).filter((o) => o.type === ApplicationCommandOptionType.Subcommand);
        return subs.length ? subs.map((s) => `${c.name} ${s.name}`) : [c.name];
      });
    const listed = [...text.matchAll(/<\/([a-z -]+):\d+>/gu)].map((m) => m[1]);
    expect(listed).toEqual(expected);
    expect(text).not.toContain('</help');
    expect(embed.fields.at(-1)?.name).toBe('/schedule: Moderators: when and where daily lessons are posted');
    expect(embed.fields.find((f) => f.name.startsWith('/progress'))?.name).toBe('/progress');
  });

  it('shows /schedule (hidden from members by default) only to moderators', () => {
    const member = embedOf(renderHelp(commandDefinitions, ids, { moderator: false }));
    expect([...new Set(member.fields.map((f) => f.name.split(':')[0]))]).toEqual(['/lesson', '/progress', '/leaderboard', '/settings', '/privacy']);
    expect(member.fields.some((f) => f.name.startsWith('/schedule'))).toBe(false);
    const moderator = embedOf(renderHelp(commandDefinitions, ids, { moderator: true }));
    expect(moderator.fields.some((f) => f.name.startsWith('/schedule'))).toBe(true);
  });

  it('names the commands as code when Discord’s ids are not known', () => {
    const text = embedOf(renderHelp(commandDefinitions, new Map(), { moderator: false })).fields.map((f) => f.value).join('\n');
    expect(text).toContain('`/lesson today` · ');
    expect(text).not.toMatch(/<\//u);
  });

  it('stays within Discord’s embed limits, splitting a long command over fields', () => {
    for (const moderator of [false, true]) {
      const embed = embedOf(renderHelp(commandDefinitions, ids, { moderator }));
      expect(size(embed)).toBeLessThanOrEqual(EMBEDS_TOTAL_MAX);
      for (const field of embed.fields) {
        expect(field.value.length).toBeLessThanOrEqual(EMBED_FIELD_VALUE_MAX);
        expect(field.name.length).toBeLessThanOrEqual(EMBED_FIELD_NAME_MAX);
      }
    }
    const many = {
      type: ApplicationCommandType.ChatInput,
      name: 'many',
      description: 'x'.repeat(100),
      default_member_permissions: String(PermissionFlagsBits.ManageGuild),
      options: Array.from({ length: 25 }, (_, i) => ({ type: ApplicationCommandOptionType.Subcommand, name: `sub${i}`, description: 'd'.repeat(100) })),
    } as const satisfies CommandDefinition;
    const embed = embedOf(renderHelp([many, many, many], new Map([['many', '1'.repeat(20)]]), { moderator: true }));
    expect(embed.fields.map((f) => f.name.endsWith('(more)'))).toContain(true);
    expect(embed.fields.every((f) => f.value.length <= EMBED_FIELD_VALUE_MAX)).toBe(true);
    expect(size(embed)).toBeLessThanOrEqual(EMBEDS_TOTAL_MAX);
    expect(embedOf(renderHelp([many], new Map(), { moderator: false })).fields).toEqual([]);
  });
});
