// Messages as Discord draws them: author, content, embeds, attachments, buttons and select menus.
// Pure: returns view trees (vnode.js); dom.js mounts them. Text is never parsed as HTML.
import { formatTime, link, markdown, safeUrl } from './markdown.js';
import { h } from './vnode.js';

/** @typedef {import('./vnode.js').VChild} VChild */
/** @typedef {import('./markdown.js').MarkdownContext} MarkdownContext */
/**
 * @typedef {MarkdownContext & {
 *   viewerId?: string,
 *   openSelect?: string,
 *   selectOptions?: (type: number) => { label: string, value: string, description?: string }[],
 *   botName?: string,
 *   threadOf?: (messageId: string) => { id: string, name: string } | undefined,
 * }} RenderContext
 */

export const EPHEMERAL = 1 << 6;
export const LOADING = 1 << 7;
export const IS_COMPONENTS_V2 = 1 << 15;

/** Discord's documented limits (the local Discord refuses anything over them; the page says so if one slips through). */
export const LIMITS = {
  content: 2000,
  embeds: 10,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  author: 256,
  embedsTotal: 6000,
  actionRows: 5,
  buttonsPerRow: 5,
  customId: 100,
  label: 80,
  selectOptions: 25,
};

const BUTTON_STYLES = { 1: 'primary', 2: 'secondary', 3: 'success', 4: 'danger', 5: 'link', 6: 'premium' };
const SELECT_TYPES = new Set([3, 5, 6, 7, 8]);

/** What in a message breaks Discord's limits (empty when it is within them). */
export function limitProblems(/** @type {any} */ message) {
  /** @type {string[]} */
  const problems = [];
  const over = (/** @type {string} */ what, /** @type {unknown} */ value, /** @type {number} */ max) => {
    const length = typeof value === 'string' || Array.isArray(value) ? value.length : 0;
    if (length > max) problems.push(`${what}: ${length} > ${max}`);
  };
  over('content', message.content, LIMITS.content);
  const embeds = Array.isArray(message.embeds) ? message.embeds : [];
  over('embeds', embeds, LIMITS.embeds);
  let total = 0;
  embeds.forEach((/** @type {any} */ embed, /** @type {number} */ i) => {
    over(`embeds[${i}].title`, embed.title, LIMITS.title);
    over(`embeds[${i}].description`, embed.description, LIMITS.description);
    over(`embeds[${i}].footer`, embed.footer?.text, LIMITS.footer);
    over(`embeds[${i}].author`, embed.author?.name, LIMITS.author);
    const fields = Array.isArray(embed.fields) ? embed.fields : [];
    over(`embeds[${i}].fields`, fields, LIMITS.fields);
    fields.forEach((/** @type {any} */ f, /** @type {number} */ j) => {
      over(`embeds[${i}].fields[${j}].name`, f.name, LIMITS.fieldName);
      over(`embeds[${i}].fields[${j}].value`, f.value, LIMITS.fieldValue);
      total += len(f.name) + len(f.value);
    });
    total += len(embed.title) + len(embed.description) + len(embed.footer?.text) + len(embed.author?.name);
  });
  if (total > LIMITS.embedsTotal) problems.push(`embeds in all: ${total} > ${LIMITS.embedsTotal}`);
  if (!((message.flags ?? 0) & IS_COMPONENTS_V2)) {
    const rows = Array.isArray(message.components) ? message.components : [];
    over('action rows', rows, LIMITS.actionRows);
    rows.forEach((/** @type {any} */ row, /** @type {number} */ i) => {
      const children = Array.isArray(row.components) ? row.components : [];
      const hasSelect = children.some((/** @type {any} */ c) => SELECT_TYPES.has(c.type));
      over(`row ${i + 1}`, children, hasSelect ? 1 : LIMITS.buttonsPerRow);
      children.forEach((/** @type {any} */ c) => {
        over(`custom_id "${String(c.custom_id ?? '').slice(0, 20)}"`, c.custom_id, LIMITS.customId);
        over(`label "${String(c.label ?? '').slice(0, 20)}"`, c.label, LIMITS.label);
        if (Array.isArray(c.options)) over('select options', c.options, LIMITS.selectOptions);
      });
    });
  }
  return problems;
}

function len(/** @type {unknown} */ value) {
  return typeof value === 'string' ? value.length : 0;
}

/** A colour integer as #rrggbb. */
export function colorHex(/** @type {unknown} */ value) {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffffff ? `#${value.toString(16).padStart(6, '0')}` : undefined;
}

/**
 * One message, with its header, body and controls.
 * @param {{ message: any, visibleTo?: string, invokedBy?: { userId: string, command: string } }} entry
 * @param {RenderContext} ctx
 */
export function renderMessage(entry, ctx = {}) {
  const { message } = entry;
  const flags = message.flags ?? 0;
  const ephemeral = (flags & EPHEMERAL) !== 0;
  const loading = (flags & LOADING) !== 0;
  const author = message.author ?? {};
  const name = author.global_name ?? author.username ?? 'unknown';
  const problems = limitProblems(message);
  return h(
    'article',
    { class: `message${ephemeral ? ' ephemeral' : ''}`, 'data-message-id': message.id, 'aria-label': `Message from ${name}` },
    entry.invokedBy
      ? h('div', { class: 'invoked' }, h('span', { class: 'invoked-user' }, ctx.userName?.(entry.invokedBy.userId) ?? 'someone'), ' used ', h('span', { class: 'invoked-command' }, entry.invokedBy.command))
      : null,
    h('div', { class: `avatar${author.bot ? ' bot' : ''}`, 'aria-hidden': 'true' }, name.slice(0, 1).toUpperCase()),
    h(
      'div',
      { class: 'message-body' },
      h(
        'header',
        { class: 'message-header' },
        h('span', { class: 'author' }, name),
        author.bot ? h('span', { class: 'app-tag' }, 'APP') : null,
        h('time', { class: 'timestamp', datetime: message.timestamp ?? '' }, message.timestamp ? formatTime(new Date(message.timestamp), 'f') : ''),
      ),
      loading ? h('div', { class: 'loading' }, `${ctx.botName ?? name} is thinking…`) : null,
      message.content ? h('div', { class: 'content' }, markdown(message.content, ctx), message.edited_timestamp ? h('span', { class: 'edited' }, ' (edited)') : null) : null,
      (message.embeds ?? []).map((/** @type {any} */ embed) => renderEmbed(embed, ctx)),
      renderAttachments(message.attachments ?? []),
      (flags & IS_COMPONENTS_V2) !== 0 ? renderComponentsV2(message.components ?? [], message, ctx) : renderActionRows(message.components ?? [], message, ctx),
      threadLink(ctx.threadOf?.(message.id)),
      problems.length > 0 ? h('div', { class: 'limit-problems', role: 'alert' }, `Over Discord's limits: ${problems.join('; ')}`) : null,
      ephemeral
        ? h(
            'div',
            { class: 'ephemeral-note' },
            h('span', { class: 'eye', 'aria-hidden': 'true' }, '👁'),
            ' Only you can see this · ',
            // As in Discord: hides the private message in this page only (the bot is not told).
            h('button', { type: 'button', class: 'dismiss', 'data-action': 'dismiss', 'data-message-id': message.id }, 'Dismiss message'),
          )
        : null,
    ),
  );
}

/** A thread started from this message (Discord gives it the message's id), as a link under it. */
function threadLink(/** @type {{ id: string, name: string } | undefined} */ thread) {
  if (!thread) return null;
  return h('a', { class: 'thread-link jump', href: '#', 'data-jump-channel': thread.id, 'data-jump-message': '' }, h('span', { 'aria-hidden': 'true' }, '🧵 '), thread.name);
}

/** An embed: colour bar, author, title (linked), description, fields in rows of up to three inline, image, footer. */
export function renderEmbed(/** @type {any} */ embed, /** @type {RenderContext} */ ctx = {}) {
  const color = colorHex(embed.color);
  const url = safeUrl(embed.url);
  const authorUrl = safeUrl(embed.author?.url);
  const thumbnail = imageUrl(embed.thumbnail?.url);
  const image = imageUrl(embed.image?.url);
  const footerTime = embed.timestamp ? new Date(embed.timestamp) : undefined;
  return h(
    'div',
    { class: 'embed', ...(color ? { style: { borderLeftColor: color } } : {}) },
    h(
      'div',
      { class: 'embed-grid' },
      embed.author?.name ? h('div', { class: 'embed-author' }, authorUrl ? link(authorUrl, [embed.author.name], ctx) : embed.author.name) : null,
      embed.title ? h('div', { class: 'embed-title' }, url ? link(url, markdownInlineTitle(embed.title, ctx), ctx) : markdownInlineTitle(embed.title, ctx)) : null,
      embed.description ? h('div', { class: 'embed-description' }, markdown(embed.description, ctx)) : null,
      fieldRows(embed.fields ?? []).map((row) =>
        h(
          'div',
          { class: `embed-fields cols-${row.length}` },
          row.map((/** @type {any} */ field) =>
            h('div', { class: `embed-field${field.inline ? ' inline' : ''}` }, h('div', { class: 'embed-field-name' }, markdownInlineTitle(field.name ?? '', ctx)), h('div', { class: 'embed-field-value' }, markdown(field.value ?? '', ctx))),
          ),
        ),
      ),
      image ? h('img', { class: 'embed-image', src: image, alt: '' }) : externalImage(embed.image?.url, ctx),
      embed.footer?.text || footerTime
        ? h('div', { class: 'embed-footer' }, embed.footer?.text ?? '', embed.footer?.text && footerTime ? ' • ' : '', footerTime ? formatTime(footerTime, 'f') : '')
        : null,
    ),
    thumbnail ? h('img', { class: 'embed-thumbnail', src: thumbnail, alt: '' }) : null,
  );
}

function markdownInlineTitle(/** @type {string} */ text, /** @type {RenderContext} */ ctx) {
  return markdown(text, ctx);
}

/** Consecutive inline fields share a row, three at most; a field that is not inline has its own row. */
export function fieldRows(/** @type {any[]} */ fields) {
  /** @type {any[][]} */
  const rows = [];
  for (const field of fields) {
    const last = rows[rows.length - 1];
    if (field.inline && last && last.length < 3 && last.every((f) => f.inline)) last.push(field);
    else rows.push([field]);
  }
  return rows;
}

/** Images load only from the local Discord (attachments); others would reach the internet, so they are links. */
function imageUrl(/** @type {unknown} */ value) {
  const url = safeUrl(value);
  return url && /^http:\/\/127\.0\.0\.1:\d+\//u.test(url) ? url : undefined;
}

function externalImage(/** @type {unknown} */ value, /** @type {RenderContext} */ ctx) {
  const url = safeUrl(value);
  return url ? h('div', { class: 'embed-image-link' }, '🖼 ', link(url, ['image'], ctx)) : null;
}

function renderAttachments(/** @type {any[]} */ attachments) {
  if (attachments.length === 0) return null;
  return h(
    'div',
    { class: 'attachments' },
    attachments.map((a) => {
      const url = imageUrl(a.url);
      return h('div', { class: 'attachment' }, h('span', { class: 'file-icon', 'aria-hidden': 'true' }, '📄'), url ? h('a', { href: url, target: '_blank', rel: 'noopener' }, a.filename ?? 'file') : (a.filename ?? 'file'), h('span', { class: 'file-size' }, ` ${formatBytes(a.size ?? 0)}`));
    }),
  );
}

export function formatBytes(/** @type {number} */ size) {
  return size < 1024 ? `${size} bytes` : size < 1024 * 1024 ? `${(size / 1024).toFixed(1)} KB` : `${(size / 1024 / 1024).toFixed(2)} MB`;
}

/** Action rows of buttons (five at most a row) or one select menu. */
export function renderActionRows(/** @type {any[]} */ rows, /** @type {any} */ message, /** @type {RenderContext} */ ctx = {}) {
  if (rows.length === 0) return null;
  return h(
    'div',
    { class: 'components' },
    rows.map((row) => (row.type === 1 ? h('div', { class: 'action-row' }, (row.components ?? []).map((/** @type {any} */ c) => renderComponent(c, message, ctx))) : renderComponent(row, message, ctx))),
  );
}

function renderComponent(/** @type {any} */ component, /** @type {any} */ message, /** @type {RenderContext} */ ctx) {
  if (component.type === 2) return renderButton(component, message);
  if (SELECT_TYPES.has(component.type)) return renderSelect(component, message, ctx);
  return null;
}

function emojiText(/** @type {any} */ emoji) {
  if (!emoji) return null;
  return h('span', { class: 'button-emoji', 'aria-hidden': 'true' }, emoji.id ? `:${emoji.name ?? 'emoji'}:` : (emoji.name ?? ''));
}

export function renderButton(/** @type {any} */ button, /** @type {any} */ message) {
  const style = BUTTON_STYLES[/** @type {keyof typeof BUTTON_STYLES} */ (button.style)] ?? 'secondary';
  const content = [emojiText(button.emoji), button.label ? h('span', { class: 'button-label' }, button.label) : null];
  if (button.style === 5) {
    const href = safeUrl(button.url);
    return href
      ? h('a', { class: 'button link', href, target: '_blank', rel: 'noopener noreferrer nofollow', ...(button.disabled ? { 'aria-disabled': 'true' } : {}) }, content, h('span', { class: 'external', 'aria-hidden': 'true' }, ' ↗'))
      : h('span', { class: 'button link disabled' }, content);
  }
  return h(
    'button',
    {
      class: `button ${style}`,
      type: 'button',
      disabled: Boolean(button.disabled),
      'data-action': 'component',
      'data-message-id': message.id,
      'data-custom-id': button.custom_id ?? '',
      'data-component-type': '2',
    },
    content,
  );
}

/** A select menu: closed it shows the chosen or placeholder text; open, its options (25 at most). */
export function renderSelect(/** @type {any} */ select, /** @type {any} */ message, /** @type {RenderContext} */ ctx = {}) {
  const key = `${message.id}:${select.custom_id}`;
  const open = ctx.openSelect === key && !select.disabled;
  const options = select.type === 3 ? (select.options ?? []) : (ctx.selectOptions?.(select.type) ?? []);
  const defaults = options.filter((/** @type {any} */ o) => o.default);
  const max = select.max_values ?? 1;
  const min = select.min_values ?? 1;
  return h(
    'div',
    { class: `select${open ? ' open' : ''}${select.disabled ? ' disabled' : ''}`, 'data-select-key': key },
    h(
      'button',
      { class: 'select-toggle', type: 'button', disabled: Boolean(select.disabled), 'data-action': 'toggle-select', 'data-select-key': key, 'aria-expanded': open ? 'true' : 'false' },
      h('span', { class: defaults.length > 0 ? 'select-value' : 'select-placeholder' }, defaults.length > 0 ? defaults.map((/** @type {any} */ o) => o.label).join(', ') : (select.placeholder ?? 'Make a selection')),
      h('span', { class: 'chevron', 'aria-hidden': 'true' }, '⌄'),
    ),
    open
      ? h(
          'div',
          { class: 'select-menu', role: 'listbox', 'aria-multiselectable': max > 1 ? 'true' : 'false' },
          options.map((/** @type {any} */ option) =>
            h(
              'label',
              { class: 'select-option', role: 'option' },
              h('input', {
                type: max > 1 ? 'checkbox' : 'radio',
                name: key,
                value: option.value,
                checked: Boolean(option.default),
                'data-action': max > 1 ? '' : 'select-one',
                'data-message-id': message.id,
                'data-custom-id': select.custom_id,
                'data-component-type': String(select.type),
              }),
              emojiText(option.emoji),
              h('span', { class: 'select-option-text' }, h('span', { class: 'select-option-label' }, option.label), option.description ? h('span', { class: 'select-option-description' }, option.description) : null),
            ),
          ),
          max > 1
            ? h(
                'button',
                {
                  class: 'button primary select-submit',
                  type: 'button',
                  'data-action': 'select-many',
                  'data-select-key': key,
                  'data-message-id': message.id,
                  'data-custom-id': select.custom_id,
                  'data-component-type': String(select.type),
                  'data-min': String(min),
                  'data-max': String(max),
                },
                `Choose (${min}–${max})`,
              )
            : null,
        )
      : null,
  );
}

/** Components V2 (flag 1 << 15): containers, sections, text, separators and action rows. */
function renderComponentsV2(/** @type {any[]} */ components, /** @type {any} */ message, /** @type {RenderContext} */ ctx) {
  const one = (/** @type {any} */ c) => {
    switch (c.type) {
      case 1:
        return h('div', { class: 'action-row' }, (c.components ?? []).map((/** @type {any} */ child) => renderComponent(child, message, ctx)));
      case 9:
        return h('div', { class: 'v2-section' }, h('div', null, (c.components ?? []).map(one)), c.accessory ? one(c.accessory) : null);
      case 10:
        return h('div', { class: 'v2-text' }, markdown(c.content ?? '', ctx));
      case 14:
        return h('hr', { class: 'v2-separator' });
      case 17: {
        const color = colorHex(c.accent_color);
        return h('div', { class: 'v2-container', ...(color ? { style: { borderLeftColor: color } } : {}) }, (c.components ?? []).map(one));
      }
      default:
        return renderComponent(c, message, ctx);
    }
  };
  return h('div', { class: 'components v2' }, components.map(one));
}
