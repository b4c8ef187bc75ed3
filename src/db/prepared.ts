import { createHash } from 'node:crypto';
import { sql } from 'kysely';

/**
 * Marks a statement to be sent as a named prepared statement on PostgreSQL (see preparedName). For the
 * lookups by key that most interactions run, PostgreSQL's planning took longer than running them (card:
 * ~0.25 ms planning, ~0.1 ms execution); prepared once per connection, after five runs PostgreSQL keeps a
 * generic plan when it costs no more than the custom ones, and planning is skipped. Only for statements
 * whose text does not vary (parameters only) and whose best plan does not depend on the parameters' values.
 * PGlite ignores the comment.
 */
export const PREPARED_MARK = '/* newsdesk:prepared */';
export const PREPARED = sql.raw(`${PREPARED_MARK} `);

const names = new Map<string, string>();

/** The statement name for a marked SQL text (stable per text, so each connection prepares it once), else undefined. */
export function preparedName(text: string): string | undefined {
  if (!text.trimStart().startsWith(PREPARED_MARK)) return undefined;
  let name = names.get(text);
  if (name === undefined) {
    name = `nd_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    names.set(text, name);
  }
  return name;
}
