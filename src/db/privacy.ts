import { sql } from 'kysely';
import type { Executor } from './schema.js';

/*
 * A member's data, wherever it is. Tables are found in the schema itself (every table with a `user_id`
 * column), so a table added by a later feature is exported and erased without touching this file.
 * Columns that name a member under another name are listed here.
 */

/** Columns other than `user_id` that hold a member's id, and what forgetting does with them. */
const OTHER_MEMBER_COLUMNS: readonly { table: string; column: string; replacement: string }[] = [
  // A moderator's plan belongs to the server's schedule: it stays, without saying who made it.
  { table: 'lesson_plans', column: 'planned_by', replacement: 'forgotten' },
];

/**
 * Tables without a `user_id` whose rows belong to a member through a parent row that has one: the answers
 * of a member's quiz attempts. Exported with their parent's table, and deleted before it (so forget-me
 * counts them).
 */
const MEMBER_CHILD_TABLES: readonly { table: string; column: string; parent: string; parentColumn: string }[] = [
  { table: 'quiz_questions', column: 'attempt_id', parent: 'quiz_attempts', parentColumn: 'id' },
];

export const MEMBER_COLUMN = 'user_id';

/**
 * The keys of the member's parent rows, as an array computed first: the child rows are then found by their
 * key's index, never by a join that reads the whole child table (a member with hundreds of quizzes).
 */
function parentKeys(parent: string, parentColumn: string, userId: string) {
  return sql`array(select ${sql.ref(parentColumn)} from ${sql.table(parent)} where ${sql.ref(MEMBER_COLUMN)} = ${userId})`;
}

/**
 * Tables with a `user_id` column, ordered so that a table referencing another comes first (deleting in
 * this order never trips a foreign key).
 */
export async function memberTables(db: Executor): Promise<string[]> {
  const tables = await sql<{ table_name: string }>`
    select c.table_name from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = current_schema() and c.column_name = ${MEMBER_COLUMN} and t.table_type = 'BASE TABLE'
    order by c.table_name`.execute(db);
  const references = await sql<{ child: string; parent: string }>`
    select cl.relname as child, pl.relname as parent from pg_constraint k
    join pg_class cl on cl.oid = k.conrelid
    join pg_class pl on pl.oid = k.confrelid
    join pg_namespace n on n.oid = cl.relnamespace
    where k.contype = 'f' and n.nspname = current_schema() and cl.relname <> pl.relname`.execute(db);
  const names = tables.rows.map((row) => row.table_name);
  const parentsOf = new Map<string, Set<string>>();
  for (const { child, parent } of references.rows) {
    if (!parentsOf.has(parent)) parentsOf.set(parent, new Set());
    parentsOf.get(parent)?.add(child);
  }
  // Children before parents: a depth-first order over "is referenced by".
  const ordered: string[] = [];
  const seen = new Set<string>();
  const visit = (table: string) => {
    if (seen.has(table)) return;
    seen.add(table);
    for (const child of parentsOf.get(table) ?? []) if (names.includes(child)) visit(child);
    ordered.push(table);
  };
  for (const table of names) visit(table);
  return ordered;
}

export type MemberRows = Record<string, Record<string, unknown>[]>;

/** Every row about a member, by table; rows in a stable order. */
export async function memberRows(db: Executor, userId: string): Promise<MemberRows> {
  const rows: MemberRows = {};
  for (const table of (await memberTables(db)).sort()) {
    const result = await sql<Record<string, unknown>>`
      select * from ${sql.table(table)} where ${sql.ref(MEMBER_COLUMN)} = ${userId} order by ${stableOrder(table)}`.execute(db);
    rows[table] = result.rows;
  }
  for (const { table, column } of OTHER_MEMBER_COLUMNS) {
    const result = await sql<Record<string, unknown>>`
      select * from ${sql.table(table)} where ${sql.ref(column)} = ${userId} order by ${stableOrder(table)}`.execute(db);
    if (result.rows.length > 0) rows[table] = [...(rows[table] ?? []), ...result.rows];
  }
  for (const { table, column, parent, parentColumn } of MEMBER_CHILD_TABLES) {
    const result = await sql<Record<string, unknown>>`
      select * from ${sql.table(table)} where ${sql.ref(column)} = any(${parentKeys(parent, parentColumn, userId)}) order by ${stableOrder(table)}`.execute(db);
    rows[table] = result.rows;
  }
  return rows;
}

/**
 * Rows one statement of forget-me deletes at most. lesson_readers' row triggers (read counts, totals, ranks) run
 * ~10 statements a row, ~0.3 ms: a reader of 4,000 lessons took one delete past the bot's 1.5 s statement bound,
 * and forgetting them failed every time. 250 rows are well inside it; the transaction holds them all.
 */
export const FORGET_ROWS_PER_STATEMENT = 250;

/**
 * Deletes every row about a member (run it in a transaction: it locks tables), and anonymises the other columns that
 * name them. Returns how many rows each table lost (or had anonymised). Triggers on lesson_readers
 * lower the lessons' read counts as their rows go.
 */
export async function deleteMemberRows(
  db: Executor,
  userId: string,
  options: { rowsPerStatement?: number } = {},
): Promise<Record<string, number>> {
  const rowsPerStatement = options.rowsPerStatement ?? FORGET_ROWS_PER_STATEMENT;
  // Forgetting runs alone among the writers of reading totals: it waits for the reads in flight and holds
  // new ones off until it commits. It lowers the rank counts of the member's numbers one after another,
  // while a read raises a neighbour's in the other direction; interleaved, each could hold a row the other
  // waits for (a deadlock). Taken first, before any row, so this transaction waits holding nothing, and in
  // the order a change of leaderboard visibility takes them (its settings row, then the totals tables).
  await sql`lock table member_settings, lesson_readers, member_reading_totals, member_window_totals in share row exclusive mode`.execute(db);
  const counts: Record<string, number> = {};
  for (const { table, column, parent, parentColumn } of MEMBER_CHILD_TABLES) {
    const result = await sql`
      delete from ${sql.table(table)} where ${sql.ref(column)} = any(${parentKeys(parent, parentColumn, userId)})`.execute(db);
    counts[table] = Number(result.numAffectedRows ?? 0);
  }
  for (const table of await memberTables(db)) {
    // The member's rows by their physical ids (found as the whole delete found them, through the table's user_id
    // index), then deleted a slice at a time. No new row of theirs commits meanwhile: a read waits for the lock above.
    const found = await sql<{ row: string }>`
      select ctid::text as row from ${sql.table(table)} where ${sql.ref(MEMBER_COLUMN)} = ${userId}`.execute(db);
    const rows = found.rows.map(({ row }) => row);
    if (rows.length <= rowsPerStatement) {
      // Few enough for one statement, by the user_id index as before (for a list of row ids a small table is read whole).
      const result = await sql`delete from ${sql.table(table)} where ${sql.ref(MEMBER_COLUMN)} = ${userId}`.execute(db);
      counts[table] = Number(result.numAffectedRows ?? 0);
      continue;
    }
    counts[table] = 0;
    for (let start = 0; start < rows.length; start += rowsPerStatement) {
      const slice = rows.slice(start, start + rowsPerStatement);
      const result = await sql`delete from ${sql.table(table)} where ctid = any(${slice}::tid[])`.execute(db);
      counts[table] += Number(result.numAffectedRows ?? 0);
    }
  }
  for (const { table, column, replacement } of OTHER_MEMBER_COLUMNS) {
    const result = await sql`update ${sql.table(table)} set ${sql.ref(column)} = ${replacement} where ${sql.ref(column)} = ${userId}`.execute(
      db,
    );
    counts[`${table}.${column}`] = Number(result.numAffectedRows ?? 0);
  }
  return counts;
}

/**
 * Rows in an order that does not depend on the table's physical layout: by their text, sorted by the database. (In
 * the bot, by their JSON text: 60,000 rows of a long reading history held its thread ~0.1 s.)
 */
function stableOrder(table: string) {
  return sql`${sql.table(table)}::text`;
}
