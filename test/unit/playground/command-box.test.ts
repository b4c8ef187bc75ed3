import { ChannelType, type APIApplicationCommand } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { commandDefinitions } from '../../../commands/index.js';
import { toRequestBody } from '../../../src/discord/command-definition.js';
import { resolveCommandInput, type Directory } from '../../../src/playground/command-input.js';
import { analyze, completionOnEnter, suggestions, toCommand, type Command } from '../../../src/playground/web/composer.js';

// The commands exactly as the bot registers them (what the page reads from the local Discord).
const registered = toRequestBody(commandDefinitions).map((c, i) => ({ ...c, id: String(i), application_id: '1', version: '1', default_member_permissions: c.default_member_permissions ?? null })) as unknown as APIApplicationCommand[];
const commands = registered as unknown as Command[];
const directory: Directory = {
  channels: [
    { id: '101', name: 'lessons', type: ChannelType.GuildText },
    { id: '102', name: 'general', type: ChannelType.GuildText },
    { id: '103', name: 'a-thread', type: ChannelType.PublicThread },
  ],
  roles: [{ id: '10', name: 'Moderators' }],
  users: [{ id: '1002', username: 'ana', global_name: 'Ana' }],
};

describe('the message box reads what is typed against the registered commands', () => {
  it('offers every registered command, then its subcommands, then its options, required ones first', () => {
    const names = suggestions(analyze('/', commands), { commands }).map((s) => s.label);
    expect(names).toEqual(registered.map((c) => `/${c.name}`));
    const subs = suggestions(analyze('/schedule ', commands), { commands }).map((s) => s.label);
    expect(subs).toEqual(expect.arrayContaining(['set', 'show', 'pause', 'resume', 'plan', 'post-now']));
    const options = suggestions(analyze('/schedule set ', commands), { commands }).map((s) => s.label);
    expect(options.slice(0, 3)).toEqual(['channel:', 'time:', 'timezone:']);
    expect(options).toEqual(expect.arrayContaining(['role:', 'thread:']));
  });

  it('knows where a value ends: at the next option name, so values may hold spaces', () => {
    const analysis = analyze('/lesson dialogue lesson:Japan and the US share:tr', commands);
    expect(analysis.given.map((g) => [g.name, g.value.trim()])).toEqual([
      ['lesson', 'Japan and the US'],
      ['share', 'tr'],
    ]);
    expect(analysis.kind).toBe('option-value');
    expect(suggestions(analysis, { commands }).map((s) => s.label)).toEqual(['true']);
  });

  it('suggests channels of the kinds an option takes, and asks the bot for autocomplete options', () => {
    const channel = analyze('/schedule set channel:#', commands);
    expect(suggestions(channel, { commands, channels: [...directory.channels] }).map((s) => s.label)).toEqual(['#lessons', '#general']);
    const timezone = analyze('/schedule set channel:#lessons time:07:30 timezone:Asia/T', commands);
    expect(timezone.option?.autocomplete).toBe(true);
    const offered = suggestions(timezone, { commands, botChoices: [{ name: 'Asia/Tokyo', value: 'Asia/Tokyo' }] });
    expect(offered).toEqual([expect.objectContaining({ label: 'Asia/Tokyo', insert: 'Asia/Tokyo ' })]);
  });

  it('sends a picked choice’s value while showing its name', () => {
    const picked = new Map([['lesson', { name: 'Japan and US agree', value: 'add8c4f2-5778-47a5-bd18-2492841fbc6e' }]]);
    expect(toCommand('/lesson show lesson:Japan and US agree', commands, picked)).toEqual({
      ok: true,
      // With the name it was picked by, for the reply's "used" line.
      command: { name: 'lesson', subcommand: 'show', options: [{ name: 'lesson', value: 'add8c4f2-5778-47a5-bd18-2492841fbc6e', shown: 'Japan and US agree' }] },
      attachmentOptions: [],
    });
  });

  it('sends a choice typed by the name it is shown with (any case) as its value', () => {
    const sent = (text: string) => {
      const result = toCommand(text, commands);
      return result.ok ? result.command.options : result.error;
    };
    expect(sent('/leaderboard period:All time share:true')).toEqual([
      { name: 'period', value: 'all' },
      { name: 'share', value: 'true' },
    ]);
    expect(sent('/leaderboard period:last 30 DAYS')).toEqual([{ name: 'period', value: 'month' }]);
    expect(sent('/leaderboard period:week')).toEqual([{ name: 'period', value: 'week' }]);
    // A pick from the list that was then overtyped with another choice's name sends the new one.
    const picked = new Map([['period', { name: 'Last 7 days', value: 'week' }]]);
    expect(toCommand('/leaderboard period:All time', commands, picked)).toMatchObject({ ok: true, command: { options: [{ name: 'period', value: 'all' }] } });
  });

  it('takes the first suggestion on Enter while a command or subcommand is still being typed, and sends otherwise', () => {
    const enter = (text: string) => {
      const items = suggestions(analyze(text, commands), { commands });
      const index = completionOnEnter(text, commands, new Map(), items);
      return index < 0 ? 'send' : items[index]!.insert;
    };
    expect(enter('/les')).toBe('/lesson ');
    expect(enter('/lesson')).toBe('/lesson ');
    expect(enter('/lesson tod')).toBe('today ');
    expect(enter('/lesson ')).toBe('today ');
    expect(enter('/lesson today')).toBe('send');
    expect(enter('/lesson today share:true')).toBe('send');
    expect(enter('/schedule show')).toBe('send');
    // Nothing to complete: sent, and the box explains what is wrong.
    expect(enter('/lesson xyz')).toBe('send');
    expect(enter('/nope')).toBe('send');
  });

  it('sends a file option as an attachment, not as text', () => {
    expect(toCommand('/lesson import file:lesson.txt', commands)).toEqual({
      ok: true,
      command: { name: 'lesson', subcommand: 'import', options: [] },
      attachmentOptions: ['file'],
    });
  });

  it('refuses text that is not a command, an unknown command, or a missing subcommand', () => {
    expect(toCommand('hello', commands)).toMatchObject({ ok: false });
    expect(toCommand('/nope', commands)).toEqual({ ok: false, error: '/nope is not a command here' });
    expect(toCommand('/lesson', commands)).toMatchObject({ ok: false, error: expect.stringContaining('today') });
  });
});

describe('the playground checks a command as Discord’s client does before sending it', () => {
  const resolve = (name: string, subcommand: string, options: { name: string; value: string }[], extra: Partial<Directory> = {}) =>
    resolveCommandInput(registered, { name, subcommand, options }, { ...directory, ...extra });

  it('types every option from the registered definition: channel, string, boolean', () => {
    const result = resolve('schedule', 'set', [
      { name: 'channel', value: '#lessons' },
      { name: 'time', value: '07:30' },
      { name: 'timezone', value: 'Asia/Tokyo' },
      { name: 'thread', value: 'true' },
    ]);
    expect(result).toMatchObject({
      ok: true,
      name: 'schedule',
      subcommand: 'set',
      options: [
        { name: 'channel', type: 7, value: '101' },
        { name: 'time', type: 3, value: '07:30' },
        { name: 'timezone', type: 3, value: 'Asia/Tokyo' },
        { name: 'thread', type: 5, value: true },
      ],
      label: '/schedule set channel:#lessons time:07:30 timezone:Asia/Tokyo thread:true',
    });
  });

  it.each([
    ['a missing required option', 'set', [{ name: 'channel', value: '#lessons' }], /required options "time", "timezone"/u],
    ['a channel of a kind the option refuses', 'set', [{ name: 'channel', value: '#a-thread' }, { name: 'time', value: '07:30' }, { name: 'timezone', value: 'UTC' }], /not a kind of channel/u],
    ['an unknown channel', 'set', [{ name: 'channel', value: '#nowhere' }, { name: 'time', value: '07:30' }, { name: 'timezone', value: 'UTC' }], /no channel/u],
    ['a number out of range', 'upcoming', [{ name: 'days', value: '26' }], /at most 25/u],
    ['not a whole number', 'upcoming', [{ name: 'days', value: '2.5' }], /whole number/u],
    ['a boolean that is not true/false', 'post-now', [{ name: 'force', value: 'yes' }], /true or false/u],
    ['an unknown option', 'show', [{ name: 'colour', value: 'red' }], /no option "colour"/u],
    ['a value longer than max_length', 'unplan', [{ name: 'date', value: '2026-12-01 is the day I would like, please, thank you' }], /characters/u],
  ])('refuses %s', (_what, subcommand, options, error) => {
    const result = resolve('schedule', subcommand, options);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(error);
  });

  it('sends a choice as its value whether given by value or by name, labels it by name, and names the choices when neither', () => {
    const leaderboard = (value: string) =>
      resolveCommandInput(registered, { name: 'leaderboard', options: [{ name: 'period', value }] }, directory);
    for (const given of ['all', 'All time', 'all TIME']) {
      expect(leaderboard(given)).toMatchObject({ ok: true, options: [{ name: 'period', type: 3, value: 'all' }], label: '/leaderboard period:All time' });
    }
    expect(leaderboard('forever')).toEqual({ ok: false, error: 'period: choose one of Last 7 days, Last 30 days, All time' });
  });

  it('labels a value picked from the bot’s autocomplete by the name it was picked by, and sends the value', () => {
    const id = 'add8c4f2-5778-47a5-bd18-2492841fbc6e';
    const picked = resolveCommandInput(registered, { name: 'lesson', subcommand: 'dialogue', options: [{ name: 'lesson', value: id, shown: 'Japan and US agree' }] }, directory);
    expect(picked).toMatchObject({ ok: true, options: [{ name: 'lesson', value: id }], label: '/lesson dialogue lesson:Japan and US agree' });
    const typed = resolveCommandInput(registered, { name: 'lesson', subcommand: 'dialogue', options: [{ name: 'lesson', value: id }] }, directory);
    expect(typed).toMatchObject({ ok: true, label: `/lesson dialogue lesson:${id}` });
  });

  it('offers and takes the server’s @everyone role in a role option, as Discord’s client does', () => {
    // The local Discord names it `@everyone` (with the server's id); the box showed only the other roles and refused
    // `role:@everyone`, so the daily @everyone ping and the moderator role's refusal could not be tried.
    const roles = [{ id: '900', name: '@everyone' }, ...directory.roles];
    const offered = suggestions(analyze('/schedule moderators role:', commands), { commands, roles }).map((s) => s.label);
    expect(offered).toEqual(['@everyone', '@Moderators']);
    expect(suggestions(analyze('/schedule moderators role:@ev', commands), { commands, roles }).map((s) => s.insert)).toEqual(['@everyone ']);
    expect(resolve('schedule', 'moderators', [{ name: 'role', value: '@everyone' }], { roles })).toMatchObject({
      ok: true,
      options: [{ name: 'role', type: 8, value: '900' }],
      label: '/schedule moderators role:@everyone',
    });
    expect(resolve('schedule', 'moderators', [{ name: 'role', value: '@Moderators' }], { roles })).toMatchObject({ ok: true, options: [{ value: '10' }] });
  });

  it('counts an option’s length in characters as Discord does (code points): an emoji is one', () => {
    const query = `say ${'🎉'.repeat(66)}`; // 70 characters, 136 UTF-16 units
    expect(resolve('lesson', 'search', [{ name: 'query', value: query }])).toMatchObject({ ok: true, options: [{ name: 'query', value: query }] });
    expect(resolve('lesson', 'search', [{ name: 'query', value: `${query}🎉` }])).toEqual({ ok: false, error: 'query: must be 1–70 characters' });
  });

  it('takes an attachment for a file option only when a file was uploaded for it', () => {
    expect(resolve('lesson', 'import', [])).toMatchObject({ ok: false, error: expect.stringContaining('"file"') });
    expect(resolve('lesson', 'import', [], { attachmentOptions: ['file'] })).toMatchObject({ ok: true, options: [] });
  });

  it('sends the focused option of an autocomplete as typed, without requiring the others', () => {
    const result = resolveCommandInput(registered, { name: 'schedule', subcommand: 'plan', options: [{ name: 'lesson', value: 'jap' }], focused: 'lesson' }, directory);
    expect(result).toMatchObject({ ok: true, options: [{ name: 'lesson', value: 'jap', focused: true }] });
  });
});
