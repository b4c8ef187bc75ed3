import { sql, type Kysely } from 'kysely';

// Frozen in time: this file describes the schema as it was on its date and never imports src/.

/*
 * A lesson's `search_vector` (its title, summary and article lexemes with their positions, ~2.7 KB) is moved to
 * the TOAST table with every row, and PostgreSQL first tried to compress it with pglz each time: a text-search
 * vector does not compress by the quarter pglz requires (stored 2,749 bytes against 2,753 in memory on the
 * bench's 10,000 lessons; 3,022 against 3,026 for vectors of English prose), so every try was thrown away,
 * ~0.03 ms of the import's backend a lesson (10,000 lessons written: 5.29–5.53 s of its CPU against
 * 5.12–5.14 s without the tries). `external` storage keeps it out of line, uncompressed, as it already was.
 * Rows written before keep their layout (the same: none of them was compressed).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table lessons alter column search_vector set storage external`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table lessons alter column search_vector set storage extended`.execute(db);
}
