/**
 * A member's export as JSON text, exactly as `JSON.stringify(document, replacer, pretty ? 2 : undefined)` writes
 * it, but a slice of rows at a time with `pause()` awaited between slices: a reader of 30,000 lessons has ~60,000
 * rows, and one `JSON.stringify` of them (twice when the indented file is too big for Discord) held the bot's thread
 * ~0.5 s, every other member's interaction waiting behind it.
 *
 * The document is an object whose last key is `tables`: table name → rows (objects).
 */
export async function exportJson(
  document: { readonly tables: Readonly<Record<string, readonly unknown[]>> },
  options: { pretty: boolean; replacer: (key: string, value: unknown) => unknown; pause: () => Promise<void>; rowsPerSlice?: number },
): Promise<string> {
  const keys = Object.keys(document);
  if (keys.at(-1) !== 'tables') throw new Error('exportJson: `tables` must be the document’s last key');
  const { pretty, replacer, pause } = options;
  const rowsPerSlice = options.rowsPerSlice ?? 500;
  const space = pretty ? 2 : undefined;
  const line = (depth: number) => (pretty ? `\n${'  '.repeat(depth)}` : '');
  const colon = pretty ? ': ' : ':';
  const value = (item: unknown, depth: number, key: string): string | undefined => {
    // undefined for what JSON.stringify cannot write (undefined, a function): left out of an object, null in a list.
    const text = JSON.stringify(item, (k, v: unknown) => replacer(k === '' ? key : k, v), space) as string | undefined;
    return pretty && text !== undefined ? text.replace(/\n/gu, line(depth)) : text;
  };
  const parts: string[] = ['{'];
  let field = 0;
  for (const key of keys.slice(0, -1)) {
    const text = value((document as Readonly<Record<string, unknown>>)[key], 1, key);
    if (text === undefined) continue;
    parts.push(`${field++ > 0 ? ',' : ''}${line(1)}${JSON.stringify(key)}${colon}${text}`);
  }
  parts.push(`${field > 0 ? ',' : ''}${line(1)}"tables"${colon}{`);
  const names = Object.keys(document.tables);
  let written = 0;
  for (const [index, name] of names.entries()) {
    const rows = document.tables[name] ?? [];
    parts.push(`${index > 0 ? ',' : ''}${line(2)}${JSON.stringify(name)}${colon}${rows.length === 0 ? '[]' : '['}`);
    if (rows.length === 0) continue;
    for (const [at, row] of rows.entries()) {
      parts.push(`${at > 0 ? ',' : ''}${line(3)}${value(row, 3, String(at)) ?? 'null'}`);
      if (++written % rowsPerSlice === 0) await pause();
    }
    parts.push(`${line(2)}]`);
  }
  parts.push(names.length > 0 ? `${line(1)}}` : '}');
  parts.push(`${line(0)}}`);
  return parts.join('');
}
