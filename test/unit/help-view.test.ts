import { ApplicationCommandOptionType, ApplicationCommandType } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { commandModules } from '../../commands/index.js';
import type { CommandDefinition } from '../../src/discord/command-definition.js';
import { renderHelp, type HelpCommand } from '../../src/discord/help-view.js';
import { EMBED_FIELD_NAME_MAX, EMBED_FIELD_VALUE_MAX, EMBEDS_TOTAL_MAX } from '../../src/domain/discord-format/limits.js';

const embedOf = (payload: ReturnType<typeof renderHelp>) => {
  const embed = payload.embeds?.[0] as { title: string; description: string; footer: { text: string }; fields: { name: string; value: string }[] };
  expect(payload.embeds).toHaveLength(1);
  return embed;
};
const size = (embed: ReturnType<typeof embedOf>) =>
  embed.title.length + embed.description.length + embed.footer.text.length + embed.fields.reduce((n, f) => n + f.name.length + f.value.length, 0);
const textOf = (embed: ReturnType<typeof embedOf>) => embed.fields.map((f) => f.value).join('\n');
const listed = (embed: ReturnType<typeof embedOf>) => [...textOf(embed).matchAll(/<\/([a-z -]+):\d+>/gu)].map((m) => m[1]);
// Discord's largest snowflakes of today are 19 digits; 20 leaves room.
const ids = new Map(commandModules.map((module, i) => [module.definition.name, String(10n ** 19n + BigInt(i))]));
/** Every subcommand path of the registered commands (the command's name alone when it has none), but /help's. */
const every = commandModules
  .filter((module) => module.definition.name !== 'help')
  .map((module) => {
    const subs = (module.definition.options ?? []).filter((o) => o.type === ApplicationCommandOptionType.Subcommand);
    return { module, paths: subs.length ? subs.map((s) => [s.name]) : [[]] };
  });

const lessonImportDescription = () =>
  commandModules.find((m) => m.definition.name === 'lesson')!.definition.options!.find((o) => o.name === 'import')!.description;

describe('isModeratorOnly (the command modules)', () => {
  it('says which subcommands the adapter refuses to members, from the handler tables', () => {
    const module = (name: string) => commandModules.find((m) => m.definition.name === name)!;
    expect(module('lesson').isModeratorOnly(['import'])).toBe(true);
    expect(module('lesson').isModeratorOnly(['today'])).toBe(false);
    expect(module('schedule').isModeratorOnly(['set'])).toBe(true);
    expect(module('progress').isModeratorOnly([])).toBe(false);
    expect(module('help').isModeratorOnly([])).toBe(false);
  });
});

describe('renderHelp', () => {
  it('shows a moderator every subcommand once, as a link that fills it in, with its required options; theirs last', () => {
    const embed = embedOf(renderHelp(commandModules, ids, { moderator: true }, null));
    const text = textOf(embed);
    const lessonId = ids.get('lesson')!;
    expect(text).toContain(`</lesson today:${lessonId}> · Today’s lesson card: summary, reading time and buttons`);
    expect(text).toContain(`</lesson search:${lessonId}> \`query\` · `);
    expect(text).toContain(`</lesson import:${lessonId}> \`file\` · `);
    expect(text).toContain(`</progress:${ids.get('progress')}> · `);
    expect(text).toContain(`</schedule set:${ids.get('schedule')}> \`channel\` \`time\` \`timezone\` · `);
    // Everyone's subcommands first, then the moderators' (README: "after the rest"): /lesson import among theirs.
    const paths = (moderatorOnly: boolean) =>
      every.flatMap(({ module, paths }) =>
        paths.filter((path) => module.isModeratorOnly(path) === moderatorOnly).map((path) => [module.definition.name, ...path].join(' ')),
      );
    expect(listed(embed)).toEqual([...paths(false), ...paths(true)]);
    expect(paths(true)).toContain('lesson import');
    expect(text).not.toContain('</help');
    expect(embed.fields.map((f) => f.name.split(':')[0]).filter((name, i, names) => name !== names[i - 1])).toEqual([
      '/lesson', '/progress', '/leaderboard', '/settings', '/privacy', '/lesson', '/schedule',
    ]);
    expect(embed.fields.find((f) => f.name === '/lesson: for moderators')?.value).toBe(`</lesson import:${lessonId}> \`file\` · ${lessonImportDescription()}`);
    expect(embed.fields.filter((f) => f.name.startsWith('/lesson: Read')).map((f) => f.value).join('\n')).not.toContain('lesson import');
    expect(embed.fields.at(-1)?.name).toBe('/schedule: Moderators: when and where daily lessons are posted');
    expect(embed.fields.find((f) => f.name.startsWith('/progress'))?.name).toBe('/progress');
  });

  it('shows a member only what members may use: no /schedule, no /lesson import', () => {
    const member = embedOf(renderHelp(commandModules, ids, { moderator: false }, null));
    expect([...new Set(member.fields.map((f) => f.name.split(':')[0]))]).toEqual(['/lesson', '/progress', '/leaderboard', '/settings', '/privacy']);
    expect(listed(member)).toEqual(
      every.flatMap(({ module, paths }) => paths.filter((path) => !module.isModeratorOnly(path)).map((path) => [module.definition.name, ...path].join(' '))),
    );
    expect(listed(member)).toContain('lesson today');
    expect(listed(member)).not.toContain('lesson import');
    expect(listed(member).some((path) => path?.startsWith('schedule'))).toBe(false);
  });

  it('says where and when this server’s lesson is posted, that it is paused, or how to get one', () => {
    const description = (daily: Parameters<typeof renderHelp>[3], moderator = false, known = ids) => embedOf(renderHelp(commandModules, known, { moderator }, daily)).description;
    const daily = { channelId: '900000000000000101', postTime: '07:30', timeZone: 'Asia/Tokyo', paused: false, next: new Date('2026-12-05T22:30:00Z') };
    expect(description(daily)).toMatch(/\n\n📅 In this server the lesson is posted in <#900000000000000101> at \*\*07:30\*\* \(Asia\/Tokyo\) every day; the next one <t:1796509800:R>\.$/u);
    // No lesson left for the next post's day: the next one is not named (as /schedule show), and moderators are told what to do.
    expect(description({ ...daily, noLessonOn: '2026-12-06' })).toMatch(/every day, but no lesson is scheduled yet for the next one \(2026-12-06\)\.$/u);
    expect(description({ ...daily, noLessonOn: '2026-12-06' }, true)).toMatch(/\(2026-12-06\)\. Import more with `\/lesson import`, or pin one with `\/schedule plan`\.$/u);
    expect(description({ ...daily, paused: true })).toMatch(/⏸️ This server’s daily lesson \(<#900000000000000101> at \*\*07:30\*\* \(Asia\/Tokyo\)\) is paused\.$/u);
    expect(description(null)).toMatch(/No daily lesson is scheduled in this server yet: moderators set one with `\/schedule set`\.$/u);
    expect(description(null, true)).toMatch(new RegExp(`start with </schedule set:${ids.get('schedule')}>\\.$`, 'u'));
    expect(description(null, true, new Map())).toMatch(/start with `\/schedule set`\.$/u);
  });

  it('names the commands as code when Discord’s ids are not known', () => {
    const text = textOf(embedOf(renderHelp(commandModules, new Map(), { moderator: false }, null)));
    expect(text).toContain('`/lesson today` · ');
    expect(text).not.toMatch(/<\//u);
  });

  it('stays within Discord’s embed limits, splitting a long command over fields', () => {
    for (const moderator of [false, true]) {
      const embed = embedOf(renderHelp(commandModules, ids, { moderator }, null));
      expect(size(embed)).toBeLessThanOrEqual(EMBEDS_TOTAL_MAX);
      for (const field of embed.fields) {
        expect(field.value.length).toBeLessThanOrEqual(EMBED_FIELD_VALUE_MAX);
        expect(field.name.length).toBeLessThanOrEqual(EMBED_FIELD_NAME_MAX);
      }
    }
    const definition = {
      type: ApplicationCommandType.ChatInput,
      name: 'many',
      description: 'x'.repeat(100),
      options: Array.from({ length: 25 }, (_, i) => ({ type: ApplicationCommandOptionType.Subcommand, name: `sub${i}`, description: 'd'.repeat(100) })),
    } as const satisfies CommandDefinition;
    const many: HelpCommand = { definition, isModeratorOnly: () => true };
    const embed = embedOf(renderHelp([many, many, many], new Map([['many', '1'.repeat(20)]]), { moderator: true }, null));
    expect(embed.fields.map((f) => f.name.endsWith('(more)'))).toContain(true);
    expect(embed.fields.every((f) => f.value.length <= EMBED_FIELD_VALUE_MAX)).toBe(true);
    expect(size(embed)).toBeLessThanOrEqual(EMBEDS_TOTAL_MAX);
    expect(embedOf(renderHelp([many], new Map(), { moderator: false }, null)).fields).toEqual([]);
  });
});
