import { apiErrors, FormErrors } from './errors.js';
import { isObject, type JsonObject } from './objects.js';

const IS_COMPONENTS_V2 = 1 << 15;

/**
 * Discord's documented message limits: content 2000, 10 embeds, embed field limits and 6000
 * characters across all embeds, embed links http(s) only, a colour of 24 bits, 5 action rows of 1-5 buttons
 * or 1 select, custom_id 1-100 (required but on link buttons, which carry a URL of at most 512 instead), label 80,
 * nonce 25, and `allowed_mentions.parse` not combined with `users`/`roles` lists.
 */
export function validateMessageBody(body: JsonObject, options: { creating: boolean; fileCount: number }): void {
  const errors = new FormErrors();
  errors.checkLength(['content'], body.content, 2000);
  errors.checkLength(['nonce'], typeof body.nonce === 'string' ? body.nonce : undefined, 25);
  if (Array.isArray(body.embeds)) validateEmbeds(body.embeds, errors);
  const isV2 = typeof body.flags === 'number' && (body.flags & IS_COMPONENTS_V2) !== 0;
  if (Array.isArray(body.components) && !isV2) validateActionRows(body.components, errors);
  validateAllowedMentions(body.allowed_mentions, errors);
  errors.throwIfAny();

  if (options.creating && !isV2) {
    const hasContent = typeof body.content === 'string' && body.content.length > 0;
    const hasEmbeds = Array.isArray(body.embeds) && body.embeds.length > 0;
    const hasComponents = Array.isArray(body.components) && body.components.length > 0;
    const hasStickers = Array.isArray(body.sticker_ids) && body.sticker_ids.length > 0;
    if (!hasContent && !hasEmbeds && !hasComponents && !hasStickers && !body.poll && options.fileCount === 0) {
      throw apiErrors.emptyMessage();
    }
  }
}

function validateEmbeds(embeds: unknown[], errors: FormErrors): void {
  errors.checkLength(['embeds'], embeds, 10);
  let total = 0;
  embeds.forEach((value, index) => {
    if (!isObject(value)) return;
    const at = (...path: (string | number)[]) => ['embeds', index, ...path];
    errors.checkLength(at('title'), value.title, 256);
    errors.checkLength(at('description'), value.description, 4096);
    checkUrl(errors, at('url'), value.url, false);
    if (value.color !== undefined && value.color !== null && !(Number.isInteger(value.color) && Number(value.color) >= 0 && Number(value.color) <= 0xffffff)) {
      errors.add(at('color'), 'NUMBER_TYPE_MAX', 'int value should be less than or equal to 16777215.');
    }
    for (const image of ['image', 'thumbnail'] as const) {
      const part = value[image];
      if (isObject(part)) checkUrl(errors, at(image, 'url'), part.url, true);
    }
    total += textLength(value.title) + textLength(value.description);
    if (isObject(value.footer)) {
      errors.checkLength(at('footer', 'text'), value.footer.text, 2048);
      checkUrl(errors, at('footer', 'icon_url'), value.footer.icon_url, true);
      total += textLength(value.footer.text);
    }
    if (isObject(value.author)) {
      errors.checkLength(at('author', 'name'), value.author.name, 256);
      checkUrl(errors, at('author', 'url'), value.author.url, false);
      checkUrl(errors, at('author', 'icon_url'), value.author.icon_url, true);
      total += textLength(value.author.name);
    }
    if (Array.isArray(value.fields)) {
      errors.checkLength(at('fields'), value.fields, 25);
      value.fields.forEach((field, fieldIndex) => {
        if (!isObject(field)) return;
        errors.checkLength(at('fields', fieldIndex, 'name'), field.name, 256, 1);
        errors.checkLength(at('fields', fieldIndex, 'value'), field.value, 1024, 1);
        total += textLength(field.name) + textLength(field.value);
      });
    }
  });
  if (total > 6000) errors.add(['embeds'], 'MAX_EMBED_SIZE_EXCEEDED', 'Embed size exceeds maximum size of 6000');
}

function validateActionRows(rows: unknown[], errors: FormErrors): void {
  errors.checkLength(['components'], rows, 5);
  const seen = new Set<string>();
  rows.forEach((row, rowIndex) => {
    if (!isObject(row) || !Array.isArray(row.components)) return;
    const children = row.components.filter(isObject);
    const hasSelect = children.some((c) => typeof c.type === 'number' && c.type >= 3 && c.type !== 4);
    if (children.length === 0) {
      errors.add(['components', rowIndex, 'components'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 5 in length.');
    } else if (hasSelect ? children.length > 1 : children.length > 5) {
      errors.add(['components', rowIndex, 'components'], 'BASE_TYPE_MAX_LENGTH', `Must be ${hasSelect ? 1 : 5} or fewer in length.`);
    }
    children.forEach((child, childIndex) => {
      const at = ['components', rowIndex, 'components', childIndex];
      errors.checkLength([...at, 'label'], child.label, 80);
      if (child.type === 2) validateButton(child, at, errors);
      if (child.custom_id !== undefined) {
        errors.checkLength([...at, 'custom_id'], child.custom_id, 100, 1);
        const id = String(child.custom_id);
        if (seen.has(id)) {
          errors.add([...at, 'custom_id'], 'COMPONENT_CUSTOM_ID_DUPLICATED', 'Component custom id cannot be duplicated');
        }
        seen.add(id);
      }
    });
  });
}

const LINK_STYLE = 5;
const PREMIUM_STYLE = 6;

/** A button's documented rules: a link button has a URL (at most 512) and no custom_id; the others a custom_id; all but premium a label or an emoji. */
function validateButton(button: JsonObject, at: (string | number)[], errors: FormErrors): void {
  const style = button.style;
  if (typeof style !== 'number' || !Number.isInteger(style) || style < 1 || style > PREMIUM_STYLE) {
    errors.add([...at, 'style'], 'BASE_TYPE_CHOICES', 'Value must be one of (1, 2, 3, 4, 5, 6).');
    return;
  }
  if (style === PREMIUM_STYLE) return;
  if (style === LINK_STYLE) {
    if (button.url === undefined) errors.add([...at, 'url'], 'BASE_TYPE_REQUIRED', 'This field is required');
    else {
      errors.checkLength([...at, 'url'], button.url, 512);
      checkUrl(errors, [...at, 'url'], button.url, false, ['http:', 'https:', 'discord:']);
    }
    if (button.custom_id !== undefined) errors.add([...at, 'custom_id'], 'COMPONENT_INVALID_FIELD', 'A link button cannot have a custom_id');
  } else {
    if (button.custom_id === undefined) errors.add([...at, 'custom_id'], 'BASE_TYPE_REQUIRED', 'This field is required');
    if (button.url !== undefined) errors.add([...at, 'url'], 'COMPONENT_INVALID_FIELD', 'Only a link button may have a url');
  }
  const hasLabel = typeof button.label === 'string' && button.label.length > 0;
  if (!hasLabel && !isObject(button.emoji)) errors.add([...at, 'label'], 'BASE_TYPE_REQUIRED', 'A button needs a label or an emoji');
}

/** Discord refuses a link that is not a well formed URL of its schemes (http(s); for images also `attachment://`). */
function checkUrl(errors: FormErrors, path: (string | number)[], value: unknown, image: boolean, schemes = ['http:', 'https:']): void {
  if (value === undefined || value === null) return;
  if (typeof value !== 'string' || !URL.canParse(value)) {
    errors.add(path, 'URL_TYPE_INVALID_URL', 'Not a well formed URL.');
    return;
  }
  const allowed = image ? [...schemes, 'attachment:'] : schemes;
  const { protocol } = new URL(value);
  if (!allowed.includes(protocol)) {
    const names = allowed.map((scheme) => `'${scheme.slice(0, -1)}'`).join(', ');
    errors.add(path, 'URL_TYPE_INVALID_SCHEME', `Scheme "${protocol.slice(0, -1)}" is not supported. Scheme must be one of (${names}).`);
  }
}

function validateAllowedMentions(value: unknown, errors: FormErrors): void {
  if (!isObject(value) || !Array.isArray(value.parse)) return;
  for (const list of ['users', 'roles'] as const) {
    if (value.parse.includes(list) && Array.isArray(value[list])) {
      errors.add(['allowed_mentions'], 'MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE', `parse:["${list}"] and ${list}: [ids...] are mutually exclusive.`);
    }
  }
}

function textLength(value: unknown): number {
  return typeof value === 'string' ? value.length : 0;
}

const COMMAND_NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

/** Checks the documented command limits (names, descriptions, 25 options/choices, 100 chat-input commands). */
export function validateCommands(commands: unknown[]): void {
  const errors = new FormErrors();
  const chatInput = commands.filter((c) => isObject(c) && (c.type ?? 1) === 1);
  if (chatInput.length > 100) errors.add([], 'BASE_TYPE_MAX_LENGTH', 'Must be 100 or fewer in length.');
  commands.forEach((command, index) => {
    if (!isObject(command)) {
      errors.add([index], 'DICT_TYPE_CONVERT', 'Only dictionaries may be used in a DictType');
      return;
    }
    const isChatInput = (command.type ?? 1) === 1;
    validateNamed(command, [index], isChatInput, errors);
    if (Array.isArray(command.options)) validateOptions(command.options, [index, 'options'], errors);
  });
  errors.throwIfAny();
}

function validateOptions(options: unknown[], path: (string | number)[], errors: FormErrors): void {
  errors.checkLength(path, options, 25);
  options.forEach((option, index) => {
    if (!isObject(option)) return;
    validateNamed(option, [...path, index], true, errors);
    if (Array.isArray(option.choices)) errors.checkLength([...path, index, 'choices'], option.choices, 25);
    if (Array.isArray(option.options)) validateOptions(option.options, [...path, index, 'options'], errors);
  });
}

function validateNamed(item: JsonObject, path: (string | number)[], chatInput: boolean, errors: FormErrors): void {
  const name = typeof item.name === 'string' ? item.name : '';
  if (!COMMAND_NAME.test(name) || (chatInput && name !== name.toLowerCase())) {
    errors.add([...path, 'name'], 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid');
  }
  if (chatInput) errors.checkLength([...path, 'description'], item.description ?? '', 100, 1);
}
