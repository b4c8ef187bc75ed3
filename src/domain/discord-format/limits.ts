/*
 * Discord's hard limits (API rejects anything over them with a 400). Lengths are measured in
 * UTF-16 code units (JavaScript's `length`), which is never less than Discord's own count, so a
 * text that passes here passes there.
 */

export const MESSAGE_CONTENT_MAX = 2000;
export const EMBEDS_PER_MESSAGE_MAX = 10;

export const EMBED_TITLE_MAX = 256;
export const EMBED_DESCRIPTION_MAX = 4096;
export const EMBED_FIELDS_MAX = 25;
export const EMBED_FIELD_NAME_MAX = 256;
export const EMBED_FIELD_VALUE_MAX = 1024;
export const EMBED_FOOTER_TEXT_MAX = 2048;
export const EMBED_AUTHOR_NAME_MAX = 256;
/** Title + description + field names and values + footer text + author name, across ALL embeds of a message. */
export const EMBEDS_TOTAL_MAX = 6000;

export const ACTION_ROWS_MAX = 5;
export const BUTTONS_PER_ROW_MAX = 5;
export const CUSTOM_ID_MIN = 1;
export const CUSTOM_ID_MAX = 100;
export const BUTTON_LABEL_MAX = 80;

/** An autocomplete answer: at most 25 choices, each a name of 1–100 characters and a string value of at most 100. */
export const AUTOCOMPLETE_CHOICES_MAX = 25;
export const CHOICE_NAME_MAX = 100;
export const CHOICE_VALUE_MAX = 100;

/**
 * Not a documented limit, but Discord refuses embed URLs much longer than this; ours stay well under,
 * and anything longer is dropped rather than risk a rejected message.
 */
export const EMBED_URL_MAX = 2048;
