import { describe, expect, it } from 'vitest';
import {
  ACTION_ROWS_MAX,
  BUTTON_LABEL_MAX,
  BUTTONS_PER_ROW_MAX,
  CUSTOM_ID_MAX,
  EMBED_DESCRIPTION_MAX,
  EMBED_FIELD_NAME_MAX,
  EMBED_FIELD_VALUE_MAX,
  EMBED_FIELDS_MAX,
  EMBED_TITLE_MAX,
  EMBEDS_PER_MESSAGE_MAX,
  EMBEDS_TOTAL_MAX,
  encodeCustomId,
  lessonCard,
  MESSAGE_CONTENT_MAX,
  lessonPages,
} from '../../../src/domain/discord-format/index.js';
import { fieldRows, LIMITS, limitProblems, renderMessage } from '../../../src/playground/web/render.js';
import { byClass, findAll, textOf, type VNode } from '../../../src/playground/web/vnode.js';
import { longHostileLesson } from '../../support/long-lesson.js';

const bot = { id: '300000000000000001', username: 'newsdesk', global_name: null, bot: true };
const message = (fields: Record<string, unknown>) => ({ id: '1', channel_id: '2', author: bot, timestamp: '2026-12-01T07:00:00.000Z', content: '', flags: 0, ...fields });
const render = (fields: Record<string, unknown>, ctx = {}) => renderMessage({ message: message(fields) }, ctx);
const letters = (n: number, letter = 'x') => letter.repeat(n);
const buttonRow = (count: number, prefix: string) => ({
  type: 1,
  components: Array.from({ length: count }, (_, i) => ({ type: 2, style: (i % 4) + 1, label: `${prefix}${i}`, custom_id: `${prefix}-${i}` })),
});

describe('the page uses Discord’s own limits', () => {
  it('agrees with the project’s limits (the ones the bot formats to)', () => {
    expect(LIMITS).toMatchObject({
      content: MESSAGE_CONTENT_MAX,
      embeds: EMBEDS_PER_MESSAGE_MAX,
      title: EMBED_TITLE_MAX,
      description: EMBED_DESCRIPTION_MAX,
      fields: EMBED_FIELDS_MAX,
      fieldName: EMBED_FIELD_NAME_MAX,
      fieldValue: EMBED_FIELD_VALUE_MAX,
      embedsTotal: EMBEDS_TOTAL_MAX,
      actionRows: ACTION_ROWS_MAX,
      buttonsPerRow: BUTTONS_PER_ROW_MAX,
      customId: CUSTOM_ID_MAX,
      label: BUTTON_LABEL_MAX,
    });
  });
});

describe('rendering a message at every limit', () => {
  it('shows 2000 characters of content and an embed of 6000 characters in full, with no limit warning', () => {
    const embed = {
      title: letters(EMBED_TITLE_MAX, 't'),
      description: letters(EMBED_DESCRIPTION_MAX, 'd'),
      fields: [{ name: letters(EMBED_FIELD_NAME_MAX, 'n'), value: letters(EMBED_FIELD_VALUE_MAX, 'v') }],
      footer: { text: letters(EMBEDS_TOTAL_MAX - EMBED_TITLE_MAX - EMBED_DESCRIPTION_MAX - EMBED_FIELD_NAME_MAX - EMBED_FIELD_VALUE_MAX, 'f') },
    };
    const tree = render({ content: letters(MESSAGE_CONTENT_MAX, 'c'), embeds: [embed] });
    expect(textOf(byClass(tree, 'content')[0]!)).toBe(letters(MESSAGE_CONTENT_MAX, 'c'));
    expect(textOf(byClass(tree, 'embed-title')[0]!)).toBe(embed.title);
    expect(textOf(byClass(tree, 'embed-description')[0]!)).toBe(embed.description);
    expect(textOf(byClass(tree, 'embed-field-name')[0]!)).toBe(embed.fields[0]!.name);
    expect(textOf(byClass(tree, 'embed-field-value')[0]!)).toBe(embed.fields[0]!.value);
    expect(textOf(byClass(tree, 'embed-footer')[0]!)).toBe(embed.footer.text);
    expect(byClass(tree, 'limit-problems')).toHaveLength(0);
  });

  it('draws ten embeds and 25 fields, inline ones three to a row', () => {
    const fields = Array.from({ length: EMBED_FIELDS_MAX }, (_, i) => ({ name: `F${i}`, value: `V${i}`, inline: i !== 3 }));
    const embeds = Array.from({ length: EMBEDS_PER_MESSAGE_MAX }, (_, i) => ({ title: `E${i}`, ...(i === 0 ? { fields } : {}) }));
    const tree = render({ embeds });
    expect(byClass(tree, 'embed')).toHaveLength(10);
    expect(byClass(tree, 'embed-field')).toHaveLength(25);
    // F0 F1 F2 | F3 (not inline, alone) | F4 F5 F6 | … | F22 F23 F24
    expect(fieldRows(fields).map((row) => row.length)).toEqual([3, 1, 3, 3, 3, 3, 3, 3, 3]);
    expect(byClass(tree, 'cols-1')).toHaveLength(1);
    expect(limitProblems(message({ embeds }))).toEqual([]);
  });

  it('draws five rows of five buttons, each keeping its custom id, style and label', () => {
    const rows = Array.from({ length: ACTION_ROWS_MAX }, (_, r) => buttonRow(BUTTONS_PER_ROW_MAX, `r${r}b`));
    rows[0]!.components[0]!.label = letters(BUTTON_LABEL_MAX, 'L');
    rows[0]!.components[0]!.custom_id = letters(CUSTOM_ID_MAX, 'i');
    const tree = render({ components: rows });
    const buttons = findAll(tree, (n) => n.tag === 'button' && n.attrs['data-action'] === 'component');
    expect(buttons).toHaveLength(25);
    expect(buttons[0]!.attrs['data-custom-id']).toBe(letters(CUSTOM_ID_MAX, 'i'));
    expect(textOf(buttons[0]!)).toBe(letters(BUTTON_LABEL_MAX, 'L'));
    expect(buttons.map((b) => String(b.attrs.class).split(' ')[1])).toContain('success');
    expect(byClass(tree, 'action-row')).toHaveLength(5);
    expect(limitProblems(message({ components: rows }))).toEqual([]);
  });

  it('opens a select menu with its 25 options, and a multi-select asks for min–max choices', () => {
    const select = {
      type: 3,
      custom_id: 'quiz',
      placeholder: 'Pick an answer',
      min_values: 1,
      max_values: 3,
      options: Array.from({ length: 25 }, (_, i) => ({ label: `Option ${i}`, value: `v${i}`, description: `about ${i}` })),
    };
    const closed = render({ components: [{ type: 1, components: [select] }] });
    expect(textOf(byClass(closed, 'select-toggle')[0]!)).toContain('Pick an answer');
    expect(byClass(closed, 'select-option')).toHaveLength(0);
    const open = render({ components: [{ type: 1, components: [select] }] }, { openSelect: '1:quiz' });
    const inputs = findAll(open, (n) => n.tag === 'input');
    expect(inputs).toHaveLength(25);
    expect(inputs.every((i) => i.attrs.type === 'checkbox')).toBe(true);
    expect(textOf(byClass(open, 'select-submit')[0]!)).toBe('Choose (1–3)');
  });

  it('renders the bot’s real lesson card: embed fields and every lesson button', () => {
    const lesson = longHostileLesson();
    const embed = lessonCard(lesson, { readers: 3, articleWords: 400, dialogueWords: 200 });
    const components = [buttonRow(0, '')];
    components[0]!.components = ['dialogue', 'article', 'related', 'read'].map((action) => ({
      type: 2,
      style: 1,
      label: action,
      custom_id: encodeCustomId({ action: action as 'dialogue', lessonId: lesson.id }),
    }));
    const tree = render({ embeds: [embed], components });
    expect(textOf(byClass(tree, 'embed-title')[0]!)).toContain('debates');
    expect(findAll(tree, (n) => n.attrs['data-action'] === 'component').map((b) => b.attrs['data-custom-id'])).toEqual(
      components[0]!.components.map((c) => c.custom_id),
    );
    expect(limitProblems(message({ embeds: [embed], components }))).toEqual([]);
  });

  it.each(['article', 'dialogue'] as const)('renders every page of a long %s, as the bot pages it to Discord’s limits', (kind) => {
    const { title, pages } = lessonPages(longHostileLesson(), kind);
    expect(pages.length).toBeGreaterThanOrEqual(kind === 'article' ? 2 : 1);
    for (const page of pages) {
      const tree = render({ embeds: [{ title, description: page }] });
      expect(byClass(tree, 'limit-problems')).toHaveLength(0);
      // Escaped markdown comes back as the literal characters the lesson has (\*\* shows as **).
      expect(textOf(byClass(tree, 'embed-description')[0]!)).not.toMatch(/\\[*_`~]/u);
      expect(findAll(tree, (n) => n.tag === 'strong' && textOf(n) === 'Bold?')).toHaveLength(0);
    }
  });
});

describe('rendering a message over a limit', () => {
  it.each([
    ['content', { content: letters(MESSAGE_CONTENT_MAX + 1) }, /content: 2001 > 2000/u],
    ['eleven embeds', { embeds: Array.from({ length: 11 }, () => ({ title: 'x' })) }, /embeds: 11 > 10/u],
    ['title', { embeds: [{ title: letters(257) }] }, /title: 257 > 256/u],
    ['description', { embeds: [{ description: letters(4097) }] }, /description: 4097 > 4096/u],
    ['26 fields', { embeds: [{ fields: Array.from({ length: 26 }, () => ({ name: 'n', value: 'v' })) }] }, /fields: 26 > 25/u],
    ['field value', { embeds: [{ fields: [{ name: 'n', value: letters(1025) }] }] }, /value: 1025 > 1024/u],
    ['6001 across embeds', { embeds: [{ description: letters(4000) }, { description: letters(2001) }] }, /embeds in all: 6001 > 6000/u],
    ['six rows', { components: Array.from({ length: 6 }, (_, r) => buttonRow(1, `r${r}`)) }, /action rows: 6 > 5/u],
    ['six buttons in a row', { components: [buttonRow(6, 'b')] }, /row 1: 6 > 5/u],
    ['a select beside a button', { components: [{ type: 1, components: [{ type: 3, custom_id: 's', options: [] }, { type: 2, style: 1, label: 'b', custom_id: 'b' }] }] }, /row 1: 2 > 1/u],
    ['custom id', { components: [{ type: 1, components: [{ type: 2, style: 1, label: 'b', custom_id: letters(101) }] }] }, /custom_id .*: 101 > 100/u],
    ['label', { components: [{ type: 1, components: [{ type: 2, style: 1, label: letters(81), custom_id: 'b' }] }] }, /label .*: 81 > 80/u],
  ])('says so on the message: %s', (_name, fields, problem) => {
    const tree = render(fields);
    const warning = byClass(tree, 'limit-problems');
    expect(warning).toHaveLength(1);
    expect(textOf(warning[0]!)).toMatch(problem);
  });
});

describe('text stays text', () => {
  const hostile = '<script>alert(1)</script><img src=x onerror=alert(2)> **bold** [click](javascript:alert(3)) @everyone <@&1>';

  it('never turns lesson or member text into elements other than the markdown it means', () => {
    const tree = render({ content: hostile, embeds: [{ title: hostile, description: hostile, fields: [{ name: hostile, value: hostile }], footer: { text: hostile } }] });
    const tags = new Set(findAll(tree, () => true).map((n) => n.tag));
    expect(tags.has('script')).toBe(false);
    expect(tags.has('img')).toBe(false);
    expect(textOf(byClass(tree, 'content')[0]!)).toContain('<script>alert(1)</script><img src=x onerror=alert(2)>');
    for (const node of findAll(tree, () => true)) {
      expect(Object.keys(node.attrs).filter((name) => name.startsWith('on'))).toEqual([]);
      if (node.attrs.href !== undefined) expect(String(node.attrs.href)).toMatch(/^(https?:|#)/u);
    }
    // Markdown still works around it.
    expect(findAll(byClass(tree, 'content')[0]!, (n) => n.tag === 'strong').map(textOf)).toEqual(['bold']);
  });

  it('shows a javascript: link as text and a web link as a link that opens elsewhere', () => {
    const tree = render({ content: '[bad](javascript:alert(1)) [good](https://example.com/a) <https://example.org>' });
    const links = findAll(tree, (n) => n.tag === 'a');
    expect(links.map((l) => l.attrs.href)).toEqual(['https://example.com/a', 'https://example.org/']);
    expect(links.every((l) => l.attrs.rel === 'noopener noreferrer nofollow')).toBe(true);
    expect(textOf(tree)).toContain('[bad](javascript:alert(1))');
  });

  it('shows mentions by name, as Discord does, without resolving unknown ids', () => {
    const tree = render({ content: 'hi <@42> and <@&7> in <#9>, not <@99>' }, {
      userName: (id: string) => (id === '42' ? 'Ana' : undefined),
      roleName: (id: string) => (id === '7' ? 'Moderators' : undefined),
      channelName: (id: string) => (id === '9' ? 'lessons' : undefined),
    });
    expect(byClass(tree, 'mention').map(textOf)).toEqual(['@Ana', '@Moderators', '#lessons', '@unknown-user']);
  });

  it('draws a channel mention as an inline pill, never with the channel list’s classes', () => {
    const tree = render({ content: '✅ Daily lesson: <#9> at **07:30**.' }, { channelName: (id: string) => (id === '9' ? 'lessons' : undefined) });
    const [pill] = byClass(tree, 'mention');
    expect(pill).toMatchObject({ tag: 'a', attrs: { 'data-jump-channel': '9' } });
    // The sidebar's `.channel` is a full-width flex row: a mention carrying it was drawn as a block.
    expect(String(pill!.attrs.class).split(' ')).not.toContain('channel');
    expect(textOf(byClass(tree, 'content')[0]!)).toBe('✅ Daily lesson: #lessons at 07:30.');
  });

  it('draws a link to a message of this server as Discord does, a “#channel › 💬” pill that jumps to it', () => {
    const ctx = { guildId: '5', channelName: (id: string) => (id === '9' ? 'lessons' : undefined) };
    const tree = render({ content: '✅ Posted: https://discord.com/channels/5/9/77 and https://discord.com/channels/5/9' }, ctx);
    const pills = byClass(tree, 'channel-mention');
    expect(pills.map(textOf)).toEqual(['#lessons › 💬', '#lessons']);
    expect(pills.map((p) => [p.attrs['data-jump-channel'], p.attrs['data-jump-message']])).toEqual([
      ['9', '77'],
      ['9', ''],
    ]);
    // Another server's message, or an unknown channel: the address, as a link that opens elsewhere.
    const other = render({ content: 'https://discord.com/channels/6/9/77 https://discord.com/channels/5/404/1' }, ctx);
    expect(byClass(other, 'channel-mention')).toHaveLength(0);
    expect(findAll(other, (n) => n.tag === 'a').map(textOf)).toEqual(['https://discord.com/channels/6/9/77', 'https://discord.com/channels/5/404/1']);
  });

  it('shows a command mention as Discord does, a link that fills in the command; an escaped one stays text', () => {
    const shown = render({ embeds: [{ fields: [{ name: 'x', value: '</lesson today:1300000000000000000> · card\n</progress:1300000000000000001>' }] }] });
    const links = byClass(shown, 'command-mention');
    expect(links.map(textOf)).toEqual(['/lesson today', '/progress']);
    expect(links.map((n) => n.attrs['data-fill-command'])).toEqual(['/lesson today ', '/progress ']);
    const escaped = render({ content: 'a \\</lesson today:1> b' });
    expect(byClass(escaped, 'command-mention')).toHaveLength(0);
    expect(textOf(byClass(escaped, 'content')[0]!)).toBe('a </lesson today:1> b');
  });

  it('gives relative timestamps their instant (the page keeps them current), and survives one beyond JavaScript’s dates', () => {
    const [relative, fixed] = findAll(render({ content: '<t:1796133600:R> <t:1796133600:f>' }), (n) => n.tag === 'time' && n.attrs.class === 'md-time');
    expect(relative!.attrs['data-relative']).toBe(String(1796133600 * 1000));
    expect(fixed!.attrs['data-relative']).toBeUndefined();
    const huge = render({ content: 'then <t:9999999999999:R> now' });
    expect(textOf(byClass(huge, 'content')[0]!)).toBe('then Invalid Date now');
  });

  it('marks private replies “Only you can see this” and a deferred reply as thinking', () => {
    expect(textOf(byClass(render({ content: 'hi', flags: 64 }), 'ephemeral-note')[0]!)).toContain('Only you can see this');
    // Discord's "Dismiss message": hides the private message in the page, for that message only.
    expect(byClass(render({ content: 'hi', flags: 64 }), 'dismiss').map((n) => [textOf(n), n.attrs['data-message-id']])).toEqual([['Dismiss message', '1']]);
    expect(byClass(render({ content: 'hi' }), 'ephemeral-note')).toHaveLength(0);
    expect(textOf(byClass(render({ flags: 64 | 128 }, { botName: 'newsdesk' }), 'loading')[0]!)).toBe('newsdesk is thinking…');
  });

  it('links a message to the thread started from it', () => {
    const tree = render({ content: 'post' }, { threadOf: (id: string) => (id === '1' ? { id: '1', name: 'Discuss: <b>today</b>' } : undefined) });
    const link = byClass(tree, 'thread-link');
    expect(link.map(textOf)).toEqual(['🧵 Discuss: <b>today</b>']);
    expect(link[0]!.attrs['data-jump-channel']).toBe('1');
  });

  it('labels a command’s reply with who ran what', () => {
    const tree = renderMessage({ message: message({ content: 'x' }), invokedBy: { userId: '42', command: '/lesson today' } }, { userName: () => 'Ana' });
    expect(textOf(byClass(tree, 'invoked')[0]! as VNode)).toBe('Ana used /lesson today');
  });
});
