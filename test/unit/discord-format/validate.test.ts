import { describe, expect, it } from 'vitest';
import { embedLength } from '../../../src/domain/discord-format/embed.js';
import { assertWithinLimits } from '../../../src/domain/discord-format/validate.js';

const button = (custom_id: string, label = 'Open') => ({ type: 2, style: 1, label, custom_id });

describe('embedLength', () => {
  it('counts title, description, field names and values, footer and author, as Discord does', () => {
    expect(
      embedLength({
        title: 'abc',
        url: 'https://not.counted/',
        description: 'de',
        fields: [{ name: 'f', value: 'gh' }],
        footer: { text: 'ijkl' },
        author: { name: 'm' },
      }),
    ).toBe(3 + 2 + 1 + 2 + 4 + 1);
  });
});

describe('assertWithinLimits', () => {
  it('accepts a message within every limit', () => {
    expect(
      assertWithinLimits({
        content: 'Today’s lesson',
        embeds: [{ title: 't', description: 'd', fields: [{ name: 'n', value: 'v' }] }],
        components: [{ type: 1, components: [button('a'), button('b'), { type: 2, style: 5, label: 'Site', url: 'https://x.y/' }] }],
      }),
    ).toEqual([]);
  });

  it('reports each text over its limit', () => {
    const problems = assertWithinLimits({
      content: 'c'.repeat(2001),
      embeds: [
        {
          title: 't'.repeat(257),
          description: 'd'.repeat(4097),
          fields: [{ name: 'n'.repeat(257), value: 'v'.repeat(1025) }],
          footer: { text: 'f'.repeat(2049) },
          author: { name: 'a'.repeat(257) },
        },
      ],
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('content'),
        expect.stringContaining('embeds[0].title'),
        expect.stringContaining('embeds[0].description'),
        expect.stringContaining('embeds[0].fields[0].name'),
        expect.stringContaining('embeds[0].fields[0].value'),
        expect.stringContaining('embeds[0].footer.text'),
        expect.stringContaining('embeds[0].author.name'),
        expect.stringContaining('embeds total'),
      ]),
    );
  });

  it('counts the 6000 total across all embeds of the message', () => {
    const embed = { description: 'd'.repeat(3001) };
    expect(assertWithinLimits({ embeds: [embed] })).toEqual([]);
    expect(assertWithinLimits({ embeds: [embed, embed] })).toEqual(['embeds total 6002 characters, over the limit of 6000']);
  });

  it('reports too many fields, empty field texts and an invalid URL', () => {
    const fields = Array.from({ length: 26 }, () => ({ name: 'n', value: 'v' }));
    expect(assertWithinLimits({ embeds: [{ fields }] })).toEqual(['embeds[0] has 26 fields, over the limit of 25']);
    expect(assertWithinLimits({ embeds: [{ fields: [{ name: ' ', value: '' }] }] })).toHaveLength(2);
    expect(assertWithinLimits({ embeds: [{ title: 't', url: 'javascript:alert(1)' }] })).toEqual(['embeds[0].url is not an http(s) URL']);
  });

  it('reports too many rows and buttons, bad custom ids and labels, and duplicate ids', () => {
    const row = (prefix: string, n: number) => ({ type: 1, components: Array.from({ length: n }, (_, i) => button(`${prefix}${i}`)) });
    expect(assertWithinLimits({ components: [row('a', 6)] })).toEqual(['components[0] has 6 buttons, over the limit of 5']);
    expect(assertWithinLimits({ components: ['a', 'b', 'c', 'd', 'e', 'f'].map((p) => row(p, 1)) })).toEqual([
      '6 action rows, over the limit of 5',
    ]);
    expect(assertWithinLimits({ components: [{ components: [button(''), button('x'.repeat(101)), button('ok', 'L'.repeat(81))] }] })).toEqual([
      'components[0].components[0].custom_id is 0 characters, outside 1–100',
      'components[0].components[1].custom_id is 101 characters, outside 1–100',
      'components[0].components[2].label is 81 characters, over the limit of 80',
    ]);
    expect(assertWithinLimits({ components: [{ components: [button('same'), button('same')] }] })).toEqual([
      'components[0].components[1].custom_id "same" is used twice in the message',
    ]);
  });

  it('reports a message with nothing in it', () => {
    expect(assertWithinLimits({})).toEqual(['message has no content, embeds or components']);
  });
});
