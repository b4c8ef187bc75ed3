/**
 * Cuts text to at most `max` characters, at a word boundary where one is near (in the last 40 %), ending
 * with an ellipsis; never leaves half a surrogate pair, and with `escaped` never half a Markdown escape (`\`).
 * The one truncation used for titles, autocomplete names and everything placed in Discord's limits.
 */
export function truncateAtWord(text: string, max: number, options: { escaped?: boolean } = {}): string {
  if (text.length <= max) return text;
  if (max < 1) return '';
  const room = max - 1;
  let base = text.slice(0, room);
  const lastSpace = base.lastIndexOf(' ');
  if (lastSpace > room * 0.6) base = base.slice(0, lastSpace);
  base = base.trimEnd();
  if (/[\uD800-\uDBFF]$/u.test(base)) base = base.slice(0, -1);
  if (options.escaped && /(?:^|[^\\])(?:\\\\)*\\$/u.test(base)) base = base.slice(0, -1);
  return `${base}…`;
}
