// Discord's markdown, rendered to view trees: every piece of text stays text; only http(s) links become links.
import { h } from './vnode.js';

/**
 * @typedef {import('./vnode.js').VChild} VChild
 * @typedef {{
 *   userName?: (id: string) => string | undefined,
 *   roleName?: (id: string) => string | undefined,
 *   channelName?: (id: string) => string | undefined,
 *   guildId?: string,
 *   formatTime?: (date: Date, style: string) => string,
 * }} MarkdownContext
 */

/** Only plain web links are followed; anything else (javascript:, data:) stays text. */
export function safeUrl(/** @type {unknown} */ value) {
  if (typeof value !== 'string') return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** A link to a channel or message of this server (https://discord.com/channels/guild/channel[/message]). */
function serverLink(/** @type {string} */ href, /** @type {MarkdownContext} */ ctx) {
  const jump = /^https:\/\/discord\.com\/channels\/(\d+)\/(\d+)(?:\/(\d+))?$/u.exec(href);
  return jump && jump[1] === ctx.guildId ? { channelId: jump[2] ?? '', messageId: jump[3] ?? '' } : undefined;
}

/** A link; links to this server's messages (https://discord.com/channels/…) jump inside the page. */
export function link(/** @type {string} */ href, /** @type {VChild[]} */ children, /** @type {MarkdownContext} */ ctx) {
  const jump = serverLink(href, ctx);
  if (jump) return h('a', { class: 'md-link jump', href: '#', 'data-jump-channel': jump.channelId, 'data-jump-message': jump.messageId }, children);
  return h('a', { class: 'md-link', href, target: '_blank', rel: 'noopener noreferrer nofollow' }, children);
}

/**
 * @typedef {{ re: RegExp, render: (m: RegExpExecArray, ctx: MarkdownContext) => VChild }} InlineRule
 */

/** @type {InlineRule[]} In priority order: earlier wins when two match at the same place. */
const INLINE_RULES = [
  { re: /\\([^A-Za-z0-9\s])/u, render: (m) => m[1] ?? '' },
  { re: /``([^`]+?)``|`([^`\n]+)`/u, render: (m) => h('code', { class: 'md-code' }, m[1] ?? m[2] ?? '') },
  {
    re: /\[([^\]\n]+)\]\(<?(https?:\/\/[^\s)>]+)>?(?:\s+"[^"]*")?\)/u,
    render: (m, ctx) => {
      const href = safeUrl(m[2]);
      return href ? link(href, inline(m[1] ?? '', ctx), ctx) : m[0];
    },
  },
  { re: /<(https?:\/\/[^\s>]+)>/u, render: (m, ctx) => urlNode(m[1] ?? '', ctx) },
  { re: /https?:\/\/[^\s<]*[^\s<.,:;"')\]!?*_~|]/u, render: (m, ctx) => urlNode(m[0], ctx) },
  { re: /\*\*\*([\s\S]+?)\*\*\*/u, render: (m, ctx) => h('strong', null, h('em', null, inline(m[1] ?? '', ctx))) },
  { re: /\*\*([\s\S]+?)\*\*/u, render: (m, ctx) => h('strong', null, inline(m[1] ?? '', ctx)) },
  { re: /__([\s\S]+?)__/u, render: (m, ctx) => h('u', null, inline(m[1] ?? '', ctx)) },
  { re: /\*(?!\s)([\s\S]*?[^\s\\])\*(?!\*)/u, render: (m, ctx) => h('em', null, inline(m[1] ?? '', ctx)) },
  { re: /\b_(?!\s)([\s\S]*?[^\s\\])_\b/u, render: (m, ctx) => h('em', null, inline(m[1] ?? '', ctx)) },
  { re: /~~([\s\S]+?)~~/u, render: (m, ctx) => h('s', null, inline(m[1] ?? '', ctx)) },
  { re: /\|\|([\s\S]+?)\|\|/u, render: (m, ctx) => h('span', { class: 'md-spoiler', tabindex: '0', title: 'Spoiler: click to show' }, inline(m[1] ?? '', ctx)) },
  { re: /<@!?(\d+)>/u, render: (m, ctx) => h('span', { class: 'mention' }, '@' + (ctx.userName?.(m[1] ?? '') ?? 'unknown-user')) },
  { re: /<@&(\d+)>/u, render: (m, ctx) => h('span', { class: 'mention role' }, '@' + (ctx.roleName?.(m[1] ?? '') ?? 'unknown-role')) },
  {
    re: /<#(\d+)>/u,
    render: (m, ctx) => {
      const name = ctx.channelName?.(m[1] ?? '');
      return name
        ? h('a', { class: 'mention channel-mention jump', href: '#', 'data-jump-channel': m[1] ?? '', 'data-jump-message': '' }, '#' + name)
        : h('span', { class: 'mention channel-mention' }, '#unknown');
    },
  },
  // A command mention, as Discord shows it: `/lesson today`, a link that puts the command in the message box.
  {
    re: /<\/([-_\p{L}\p{N}]{1,32}(?: [-_\p{L}\p{N}]{1,32}){0,2}):(\d{1,20})>/u,
    render: (m) => h('a', { class: 'mention command-mention', href: '#', 'data-fill-command': `/${m[1] ?? ''} ` }, `/${m[1] ?? ''}`),
  },
  { re: /@(everyone|here)\b/u, render: (m) => h('span', { class: 'mention everyone' }, m[0]) },
  {
    re: /<t:(-?\d{1,13})(?::([tTdDfFR]))?>/u,
    render: (m, ctx) => {
      const date = new Date(Number(m[1]) * 1000);
      const style = m[2] ?? 'f';
      // Beyond JavaScript's dates (year 275760): shown as Discord shows it, without breaking the message.
      if (Number.isNaN(date.getTime())) return h('time', { class: 'md-time' }, 'Invalid Date');
      // Relative times (`in 2 minutes`) carry their instant, so the page keeps them current as Discord does.
      const relative = style === 'R' ? { 'data-relative': String(date.getTime()) } : {};
      return h('time', { class: 'md-time', datetime: date.toISOString(), title: date.toString(), ...relative }, (ctx.formatTime ?? formatTime)(date, style));
    },
  },
  { re: /<a?:(\w{2,32}):\d+>/u, render: (m) => h('span', { class: 'emoji-custom' }, `:${m[1]}:`) },
];

/**
 * A bare link. One to a channel or message of this server is drawn as Discord draws it, a pill with the
 * channel's name (`#lessons › 💬` for a message), not as the long address.
 */
function urlNode(/** @type {string} */ text, /** @type {MarkdownContext} */ ctx) {
  const href = safeUrl(text);
  if (!href) return text;
  const jump = serverLink(href, ctx);
  const name = jump ? ctx.channelName?.(jump.channelId) : undefined;
  if (jump && name) {
    return h(
      'a',
      { class: 'mention channel-mention jump', href: '#', title: text, 'data-jump-channel': jump.channelId, 'data-jump-message': jump.messageId },
      `#${name}`,
      jump.messageId ? h('span', { class: 'message-pill' }, ' › 💬') : null,
    );
  }
  return link(href, [text], ctx);
}

/** Inline markdown of one block of text. */
export function inline(/** @type {string} */ text, /** @type {MarkdownContext} */ ctx = {}) {
  /** @type {VChild[]} */
  const out = [];
  let rest = text;
  while (rest.length > 0) {
    /** @type {{ index: number, match: RegExpExecArray, rule: InlineRule } | undefined} */
    let best;
    for (const rule of INLINE_RULES) {
      const match = rule.re.exec(rest);
      if (match && (!best || match.index < best.index)) best = { index: match.index, match, rule };
    }
    if (!best) {
      out.push(rest);
      break;
    }
    if (best.index > 0) out.push(rest.slice(0, best.index));
    out.push(best.rule.render(best.match, ctx));
    rest = rest.slice(best.index + best.match[0].length);
  }
  return out;
}

/** Block markdown: code blocks, quotes, headings, subtext, lists; the rest is inline text with line breaks. */
export function markdown(/** @type {string} */ text, /** @type {MarkdownContext} */ ctx = {}) {
  /** @type {VChild[]} */
  const blocks = [];
  const lines = String(text).split('\n');
  /** @type {string[]} */
  let paragraph = [];
  const flush = () => {
    if (paragraph.length === 0) return;
    const children = [];
    paragraph.forEach((line, index) => {
      if (index > 0) children.push(h('br'));
      children.push(...inline(line, ctx));
    });
    blocks.push(h('span', { class: 'md-text' }, children));
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] ?? '';
    const fence = /^```([\w+-]*)\s*(.*)$/u.exec(line);
    if (fence) {
      const body = [];
      const first = fence[2] ?? '';
      let closed = false;
      if (first.endsWith('```')) {
        body.push(first.slice(0, -3));
        closed = true;
      } else if (first) body.push(first);
      while (!closed && i + 1 < lines.length) {
        i += 1;
        const next = lines[i] ?? '';
        if (next.trimEnd().endsWith('```')) {
          const last = next.trimEnd().slice(0, -3);
          if (last) body.push(last);
          closed = true;
        } else body.push(next);
      }
      flush();
      blocks.push(h('pre', { class: 'md-codeblock' }, h('code', null, body.join('\n'))));
      continue;
    }
    if (line.startsWith('>>> ')) {
      flush();
      blocks.push(h('blockquote', { class: 'md-quote' }, markdown([line.slice(4), ...lines.slice(i + 1)].join('\n'), ctx)));
      break;
    }
    const quote = /^> ?(.*)$/u.exec(line);
    if (quote && line.startsWith('>')) {
      flush();
      const quoted = [quote[1] ?? ''];
      while (i + 1 < lines.length && (lines[i + 1] ?? '').startsWith('>') && !(lines[i + 1] ?? '').startsWith('>>> ')) {
        i += 1;
        quoted.push((lines[i] ?? '').replace(/^> ?/u, ''));
      }
      blocks.push(h('blockquote', { class: 'md-quote' }, markdown(quoted.join('\n'), ctx)));
      continue;
    }
    const heading = /^(#{1,3}) (.+)$/u.exec(line);
    if (heading) {
      flush();
      blocks.push(h(`h${(heading[1] ?? '#').length + 2}`, { class: 'md-heading' }, inline(heading[2] ?? '', ctx)));
      continue;
    }
    const subtext = /^-# (.+)$/u.exec(line);
    if (subtext) {
      flush();
      blocks.push(h('small', { class: 'md-subtext' }, inline(subtext[1] ?? '', ctx)));
      continue;
    }
    const item = /^(\s*)(?:[-*]|(\d{1,9})\.) (.+)$/u.exec(line);
    if (item) {
      flush();
      const ordered = item[2] !== undefined;
      const items = [h('li', null, inline(item[3] ?? '', ctx))];
      const pattern = ordered ? /^\s*\d{1,9}\. (.+)$/u : /^\s*[-*] (.+)$/u;
      while (i + 1 < lines.length && pattern.test(lines[i + 1] ?? '')) {
        i += 1;
        items.push(h('li', null, inline(pattern.exec(lines[i] ?? '')?.[1] ?? '', ctx)));
      }
      blocks.push(h(ordered ? 'ol' : 'ul', ordered ? { class: 'md-list', start: item[2] } : { class: 'md-list' }, items));
      continue;
    }
    paragraph.push(line);
  }
  flush();
  return blocks;
}

/** Discord's timestamp styles, in the reader's locale and zone. */
export function formatTime(/** @type {Date} */ date, /** @type {string} */ style) {
  if (Number.isNaN(date.getTime())) return 'Invalid Date';
  /** @type {Record<string, Intl.DateTimeFormatOptions>} */
  const styles = {
    t: { timeStyle: 'short' },
    T: { timeStyle: 'medium' },
    d: { dateStyle: 'short' },
    D: { dateStyle: 'long' },
    f: { dateStyle: 'long', timeStyle: 'short' },
    F: { dateStyle: 'full', timeStyle: 'short' },
  };
  if (style === 'R') {
    const seconds = Math.round((date.getTime() - Date.now()) / 1000);
    const units = /** @type {const} */ ([['year', 31536000], ['month', 2592000], ['day', 86400], ['hour', 3600], ['minute', 60], ['second', 1]]);
    const [unit, size] = units.find(([, s]) => Math.abs(seconds) >= s) ?? ['second', 1];
    return new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' }).format(Math.round(seconds / size), unit);
  }
  return new Intl.DateTimeFormat(undefined, styles[style] ?? styles.f).format(date);
}
