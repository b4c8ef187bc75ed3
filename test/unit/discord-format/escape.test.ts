import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clip, escapeMarkdown, neutralizeMentions, plainText, safeText, visibleOr, webAddressSpans } from '../../../src/domain/discord-format/escape.js';

const ZWSP = '\u200b';

describe('escapeMarkdown', () => {
  it('escapes inline markup anywhere', () => {
    expect(escapeMarkdown('**bold** _it_ ~~gone~~ `code` ||spoiler|| back\\slash')).toBe(
      '\\*\\*bold\\*\\* \\_it\\_ \\~\\~gone\\~\\~ \\`code\\` \\|\\|spoiler\\|\\| back\\\\slash',
    );
  });

  it('breaks masked links', () => {
    expect(escapeMarkdown('[x](http://y)')).toBe('\\[x\\](http://y)');
  });

  it('leaves web addresses as they are, so their links still open; the text around them is escaped', () => {
    const nhk = 'https://www3.nhk.or.jp/nhkworld/en/news/20250531_12/';
    expect(escapeMarkdown(`Read it at ${nhk}, or _not_.`)).toBe(`Read it at ${nhk}, or \\_not\\_.`);
    expect(escapeMarkdown(`(see ${nhk}) **now**`)).toBe(`(see ${nhk}) \\*\\*now\\*\\*`);
    expect(escapeMarkdown('http://a.example/x_y*z~w`v|u and *b*')).toBe('http://a.example/x_y*z~w`v|u and \\*b\\*');
    // Its closing punctuation is not part of it, as in Discord's link, and is shown as it is: a backslash there would be.
    expect(escapeMarkdown('[x](https://a.example/b_c)]')).toBe('\\[x\\](https://a.example/b_c)]');
    // Not a web address: escaped as any text.
    expect(escapeMarkdown('ftp://a.example/x_y and https:// _z_')).toBe('ftp://a.example/x\\_y and https:// \\_z\\_');
  });

  it('ends a web address where Discord ends its link: no backslash after it joins the link and frees the markup behind it', () => {
    // Discord's link is the longest run its url rule takes of what is shown: a backslash put right after an address
    // (before a `]` or a `<t:`) is not closing punctuation, so it became the link's last character.
    const link = (shown: string) => /https?:\/\/[^\s<]+[^<.,:;"')\]\s]/u.exec(shown)?.[0];
    const bracketed = escapeMarkdown('[see https://a.example/x_y]');
    expect(link(bracketed)).toBe('https://a.example/x_y');
    const stamped = escapeMarkdown('https://a.example/x<t:0:R> and https://a.example/y</cmd:1> https://a.example/z]<:e:1>');
    for (const address of ['https://a.example/x', 'https://a.example/y', 'https://a.example/z']) {
      const at = stamped.indexOf(address);
      expect(link(stamped.slice(at))).toBe(address);
    }
    // Nothing after them is Discord's angle markup (a timestamp, a command mention, a custom emoji).
    expect(stamped).not.toMatch(/<(?:t:|a:|id:|[:/])/u);
  });

  it('escapes headings, quotes, bullets and numbered items at the start of lines only', () => {
    expect(escapeMarkdown('# heading\n> quote\n- item\n-# small\n1. first\n  + nested')).toBe(
      '\\# heading\n\\> quote\n\\- item\n\\-# small\n1\\. first\n  \\+ nested',
    );
    expect(escapeMarkdown('a well-known #1 > 2 - fact in 2025. Done')).toBe('a well-known #1 > 2 - fact in 2025. Done');
  });

  it('leaves ordinary prose untouched', () => {
    const prose = "The defense chiefs (of Japan and the US) agreed on Saturday. It's \"active cyber defense\"!";
    expect(escapeMarkdown(prose)).toBe(prose);
  });
});

describe('neutralizeMentions', () => {
  it('breaks @everyone and @here', () => {
    expect(neutralizeMentions('hi @everyone and @here')).toBe(`hi @${ZWSP}everyone and @${ZWSP}here`);
  });

  it('breaks user, nickname, role and channel mentions', () => {
    expect(neutralizeMentions('<@123> <@!123> <@&123> <#123>')).toBe(`<@${ZWSP}123> <@${ZWSP}!123> <@${ZWSP}&123> <#${ZWSP}123>`);
  });

  it('is idempotent', () => {
    const once = neutralizeMentions('@everyone <@&1>');
    expect(neutralizeMentions(once)).toBe(once);
  });
});

describe('safeText', () => {
  it('neutralises everything a hostile lesson could try at once', () => {
    const hostile = '# Big\n@everyone look <@&123> **now** [click](http://evil.example)';
    const safe = safeText(hostile);
    expect(safe).not.toMatch(/@everyone|<@&|(?<!\\)\*\*|^#|(?<!\\)\[/mu);
    expect(safe).toBe(`\\# Big\n@${ZWSP}everyone look <@${ZWSP}&123> \\*\\*now\\*\\* \\[click\\](http://evil.example)`);
  });

  it('removes DEL and the C1 controls (a NEL from text decoded with the wrong code page) as it removes C0 ones', () => {
    expect(safeText('a\u0085b\u0080c\u009fd\u007fe\u0007f')).toBe('abcdef');
    expect(plainText('a\u0085b\u009fc\u007fd')).toBe('a b c d');
    // Letters just past them stay.
    expect(safeText('\u00a0\u00e9')).toBe('\u00a0\u00e9');
  });
});

describe('visibleOr', () => {
  it('falls back for text that would show as nothing once the controls are removed', () => {
    for (const text of ['\u0085', '\u0080\u009f', '\u007f', ' \u0085\u200b ', '\ufe0f', '\u180b\u{e0100}']) expect(visibleOr(text, '(untitled)')).toBe('(untitled)');
    expect(visibleOr('\u0085News', '(untitled)')).toBe('\u0085News');
  });
});

describe('clip', () => {
  it('keeps text that fits', () => {
    expect(clip('short', 10)).toBe('short');
  });

  it('cuts at a word boundary with an ellipsis', () => {
    expect(clip('one two three four', 12)).toBe('one two…');
  });

  it('never leaves half an escape before the ellipsis', () => {
    const clipped = clip(escapeMarkdown('a'.repeat(8) + '**'), 10); // "aaaaaaaa\*\*"
    expect(clipped).toBe('aaaaaaaa…');
    expect(clipped.length).toBeLessThanOrEqual(10);
  });

  it('never leaves half a surrogate pair', () => {
    const clipped = clip('😀'.repeat(10), 6);
    expect(clipped).toBe('😀😀…');
    expect(clipped).not.toMatch(/\p{Cs}/u); // no lone surrogate
  });
});

/*
 * Discord links a web address with whatever follows it up to a space (escape.ts, WEB_ADDRESS): a title or summary cut
 * inside an address, or right after one, showed a link to the cut address with its "…", which opened a wrong page.
 */
describe('clip, where the cut meets a web address', () => {
  const ARTICLE = 'https://www3.nhk.or.jp/news/html/20250531/k10014822171000.html';
  /** The addresses Discord links in shown text, as `start:address`. */
  const links = (shown: string) => webAddressSpans(shown).map(([start, end]) => `${start}:${shown.slice(start, end)}`);

  it('shows the start of an address cut early in the text as text, not as a link', () => {
    const clipped = clip(safeText(`See ${ARTICLE} for the article`), 40);
    expect(clipped).toBe('See https\\://www3.nhk.or.jp/news/html/2…');
    expect(clipped.length).toBeLessThanOrEqual(40);
    expect(links(clipped)).toEqual([]);
  });

  it('leaves a cut address out whole, as a word, when the text before it is near the cut', () => {
    // No space before the address: the word rule alone cut inside it.
    expect(clip(safeText(`The article on the cyber agreement (${ARTICLE})`), 60)).toBe('The article on the cyber agreement (…');
    expect(clip(safeText(`Cyber agreement signed today\n${ARTICLE}`), 45)).toBe('Cyber agreement signed today…');
  });

  it('puts the ellipsis after a space when the address is kept whole', () => {
    const clipped = clip(safeText(`Read ${ARTICLE} and more words after it`), ARTICLE.length + 8);
    expect(clipped).toBe(`Read ${ARTICLE} …`);
    expect(links(clipped)).toEqual([`5:${ARTICLE}`]);
  });

  it('breaks the address’s markup and any address inside it once it is text', () => {
    const clipped = clip(safeText('x https://example.com/a_b*c?u=https://other.example/long/path/here'), 50);
    expect(clipped).toBe('x https\\://example.com/a\\_b\\*c?u=https\\://other.e…');
    expect(clipped.length).toBeLessThanOrEqual(50);
    expect(links(clipped)).toEqual([]);
  });

  it('never exceeds the limit, and links only whole addresses of the text, never into the ellipsis (property)', () => {
    const word = fc.stringMatching(/^[a-z*_()\\.,<>:]{1,8}$/u);
    const address = fc
      .tuple(fc.constantFrom('http://', 'https://'), fc.stringMatching(/^[a-z0-9./_*?=&:%-]{1,40}$/u), fc.constantFrom('', '.', ')', ',', '<t:1>'))
      .map(([scheme, rest, after]) => scheme + rest + after);
    const text = fc.array(fc.oneof(word, address), { minLength: 1, maxLength: 12 }).chain((parts) =>
      fc.array(fc.constantFrom(' ', '\n', '(', ''), { minLength: parts.length, maxLength: parts.length }).map((gaps) => parts.map((part, i) => gaps[i] + part).join('')),
    );
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 120 }), (raw, max) => {
        const escaped = safeText(raw);
        const clipped = clip(escaped, max);
        expect(clipped.length).toBeLessThanOrEqual(max);
        if (escaped.length <= max) {
          expect(clipped).toBe(escaped);
          return;
        }
        expect(clipped.endsWith('…')).toBe(true);
        const whole = new Set(links(escaped));
        for (const [start, end] of webAddressSpans(clipped)) {
          expect(end).toBeLessThan(clipped.length);
          expect(whole).toContain(`${start}:${clipped.slice(start, end)}`);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
