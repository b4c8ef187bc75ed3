/** The subset of Discord's embed JSON this bot sends; pass it to the API (or EmbedBuilder) as is. */
export interface EmbedField {
  readonly name: string;
  readonly value: string;
  readonly inline?: boolean;
}

export interface EmbedData {
  readonly title?: string;
  readonly url?: string;
  readonly description?: string;
  readonly fields?: readonly EmbedField[];
  readonly footer?: { readonly text: string };
  readonly author?: { readonly name: string; readonly url?: string };
  /** ISO 8601. */
  readonly timestamp?: string;
  readonly color?: number;
}

/** An embed's size as Discord counts it against the 6000 total: title, description, field names and values, footer text, author name. */
export function embedLength(embed: EmbedData): number {
  return (
    (embed.title?.length ?? 0) +
    (embed.description?.length ?? 0) +
    (embed.fields ?? []).reduce((sum, field) => sum + field.name.length + field.value.length, 0) +
    (embed.footer?.text.length ?? 0) +
    (embed.author?.name.length ?? 0)
  );
}
