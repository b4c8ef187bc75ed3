import { embedLength, type EmbedData } from './embed.js';
import {
  ACTION_ROWS_MAX,
  BUTTON_LABEL_MAX,
  BUTTONS_PER_ROW_MAX,
  CUSTOM_ID_MAX,
  CUSTOM_ID_MIN,
  EMBED_AUTHOR_NAME_MAX,
  EMBED_DESCRIPTION_MAX,
  EMBED_FIELD_NAME_MAX,
  EMBED_FIELD_VALUE_MAX,
  EMBED_FIELDS_MAX,
  EMBED_FOOTER_TEXT_MAX,
  EMBED_TITLE_MAX,
  EMBEDS_PER_MESSAGE_MAX,
  EMBEDS_TOTAL_MAX,
  MESSAGE_CONTENT_MAX,
} from './limits.js';

/** A button as in Discord's component JSON (what discord.js builders' toJSON() produce). */
export interface ButtonData {
  readonly type?: number;
  readonly style?: number;
  readonly label?: string;
  readonly custom_id?: string;
  readonly url?: string;
  readonly emoji?: unknown;
  readonly disabled?: boolean;
}

export interface ActionRowData {
  readonly type?: number;
  readonly components: readonly ButtonData[];
}

export interface MessageData {
  readonly content?: string;
  readonly embeds?: readonly EmbedData[];
  readonly components?: readonly ActionRowData[];
}

/**
 * Every way `message` breaks Discord's limits, as readable sentences (empty when it is fine).
 * Cheap and pure: tests assert `[]`, and the bot can check in development before sending.
 */
export function assertWithinLimits(message: MessageData): string[] {
  const problems: string[] = [];
  const over = (what: string, length: number, max: number) => {
    if (length > max) problems.push(`${what} is ${length} characters, over the limit of ${max}`);
  };
  const required = (what: string, text: string | undefined) => {
    if (text === undefined || text.trim() === '') problems.push(`${what} is empty`);
  };

  over('content', message.content?.length ?? 0, MESSAGE_CONTENT_MAX);
  const embeds = message.embeds ?? [];
  const rows = message.components ?? [];
  if (!message.content && embeds.length === 0 && rows.length === 0) problems.push('message has no content, embeds or components');

  if (embeds.length > EMBEDS_PER_MESSAGE_MAX) problems.push(`${embeds.length} embeds, over the limit of ${EMBEDS_PER_MESSAGE_MAX}`);
  embeds.forEach((embed, e) => {
    const at = `embeds[${e}]`;
    over(`${at}.title`, embed.title?.length ?? 0, EMBED_TITLE_MAX);
    over(`${at}.description`, embed.description?.length ?? 0, EMBED_DESCRIPTION_MAX);
    over(`${at}.footer.text`, embed.footer?.text.length ?? 0, EMBED_FOOTER_TEXT_MAX);
    over(`${at}.author.name`, embed.author?.name.length ?? 0, EMBED_AUTHOR_NAME_MAX);
    if (embed.url !== undefined && !isHttpUrl(embed.url)) problems.push(`${at}.url is not an http(s) URL`);
    const fields = embed.fields ?? [];
    if (fields.length > EMBED_FIELDS_MAX) problems.push(`${at} has ${fields.length} fields, over the limit of ${EMBED_FIELDS_MAX}`);
    fields.forEach((field, f) => {
      required(`${at}.fields[${f}].name`, field.name);
      required(`${at}.fields[${f}].value`, field.value);
      over(`${at}.fields[${f}].name`, field.name.length, EMBED_FIELD_NAME_MAX);
      over(`${at}.fields[${f}].value`, field.value.length, EMBED_FIELD_VALUE_MAX);
    });
  });
  const total = embeds.reduce((sum, embed) => sum + embedLength(embed), 0);
  if (total > EMBEDS_TOTAL_MAX) problems.push(`embeds total ${total} characters, over the limit of ${EMBEDS_TOTAL_MAX}`);

  if (rows.length > ACTION_ROWS_MAX) problems.push(`${rows.length} action rows, over the limit of ${ACTION_ROWS_MAX}`);
  const seenIds = new Set<string>();
  rows.forEach((row, r) => {
    if (row.components.length === 0) problems.push(`components[${r}] is an empty action row`);
    if (row.components.length > BUTTONS_PER_ROW_MAX) {
      problems.push(`components[${r}] has ${row.components.length} buttons, over the limit of ${BUTTONS_PER_ROW_MAX}`);
    }
    row.components.forEach((button, b) => {
      const at = `components[${r}].components[${b}]`;
      over(`${at}.label`, button.label?.length ?? 0, BUTTON_LABEL_MAX);
      if (!button.label && button.emoji === undefined) problems.push(`${at} has neither label nor emoji`);
      if (button.url !== undefined) return; // link buttons carry a URL instead of a custom id
      const id = button.custom_id ?? '';
      if (id.length < CUSTOM_ID_MIN || id.length > CUSTOM_ID_MAX) {
        problems.push(`${at}.custom_id is ${id.length} characters, outside ${CUSTOM_ID_MIN}–${CUSTOM_ID_MAX}`);
      }
      if (seenIds.has(id)) problems.push(`${at}.custom_id "${id}" is used twice in the message`);
      seenIds.add(id);
    });
  });
  return problems;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
