import { CompiledQuery, createQueryId, type Kysely, type KyselyPlugin, type RootOperationNode } from 'kysely';
import type { DB } from '../../src/db/schema.js';

/**
 * Checking that command queries use indexes: run the real code against a database wrapped by
 * `recordQueries`, then `seqScans` EXPLAINs every query it sent (with its parameters) and lists each
 * sequential scan of the given tables. Each recorded query knows which query functions of src/db/ sent
 * it (read from the call stack), so a test can also check which functions a command path runs.
 */
export interface RecordedQuery {
  readonly query: CompiledQuery;
  /** The exported functions of src/db/ on the stack when it was sent, as 'module.function' ('lessons.findLesson'). */
  readonly sources: readonly string[];
}

export interface RecordedQueries<D extends Kysely<DB> = Kysely<DB>> {
  /** The database to pass to the code under test: the same connection (or transaction), recording what it runs. */
  readonly db: D;
  /** The queries run since the last `take()`, compiled, and forgets them. */
  take(): RecordedQuery[];
}

export function recordQueries<D extends Kysely<DB>>(db: D): RecordedQueries<D> {
  let recorded: { node: RootOperationNode; sources: string[] }[] = [];
  const plugin: KyselyPlugin = {
    transformQuery(args) {
      recorded.push({ node: args.node, sources: queryFunctionsOnStack() });
      return args.node;
    },
    async transformResult(args) {
      return args.result;
    },
  };
  return {
    db: db.withPlugin(plugin) as D,
    take() {
      const taken = recorded.map(({ node, sources }) => ({ query: db.getExecutor().compileQuery(node, createQueryId()), sources }));
      recorded = [];
      return taken;
    },
  };
}

const QUERY_FUNCTION_FRAME = /^\s*at (?:async )?(?:[\w$]+\.)*([\w$]+) \((?:file:\/\/)?[^()]*\/src\/db\/([\w-]+)\.ts:\d+:\d+\)$/u;

/** The src/db/ functions on the current call stack ('module.function'), outermost first. */
function queryFunctionsOnStack(): string[] {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 200;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  const found: string[] = [];
  for (const line of stack.split('\n').reverse()) {
    const match = QUERY_FUNCTION_FRAME.exec(line);
    if (match && !found.includes(`${match[2]}.${match[1]}`)) found.push(`${match[2]}.${match[1]}`);
  }
  return found;
}

export interface SeqScan {
  readonly table: string;
  /** Which query functions sent it (empty: a query written outside src/db/). */
  readonly sources: readonly string[];
  readonly sql: string;
  /** Why it is tolerated (TOLERATED_SEQ_SCANS), or undefined: a failure. */
  readonly tolerated?: string;
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Total Cost': number;
  /** With `analyze`: the rows a node handed on and those its filters removed, per loop, and its loops. */
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  Plans?: PlanNode[];
}

/**
 * Tables a command must never read whole: issue 13's three (lessons, readers, events), discovery's own
 * tables, and every other table that grows with the library, the members or the days (seeded at those
 * sizes by test/support/plan-library.ts).
 */
export const INDEXED_TABLES = [
  'lessons',
  'lesson_readers',
  'reading_events',
  'similar_readings',
  'lexeme_docs',
  'lesson_vocabularies',
  'lesson_vocabulary_words',
  'quiz_attempts',
  'quiz_questions',
  'deliveries',
  'member_reading_totals',
  'member_window_totals',
] as const;

export interface ToleratedSeqScan {
  /** The query function ('module.function') and the table. */
  readonly source: string;
  readonly table: string;
  /** Only directly under a Limit that the planner expects to stop within the first tenth of the table. */
  readonly underLimit: boolean;
  readonly reason: string;
}

/**
 * The only sequential scans a command may make, and why: any other one fails, and so does one of these
 * where its condition does not hold.
 */
export const TOLERATED_SEQ_SCANS: readonly ToleratedSeqScan[] = [
  {
    source: 'lesson-search.autocompleteLessons',
    table: 'lessons',
    underLimit: true,
    reason:
      'a prefix in many lessons (a member has typed 2–3 letters): reading lessons in order until 100 match is ' +
      'the cheapest plan by far; the word index would collect every match first (at 100,000 lessons, 270 ms ' +
      'for a prefix in most lessons against 5–12 ms), and walking the date index fetches rows at random',
  },
  {
    source: 'lexeme-docs.lexemeDocCounts',
    table: 'lexeme_docs',
    underLimit: false,
    reason:
      'one row per distinct word of titles and summaries (it grows with the vocabulary, not with the lessons: ' +
      '13,000 rows, 72 pages, for the 10,000 lessons here); an import looks words up in batches (100 and more ' +
      'for the titles it re-matches), where reading those pages is cheaper than probing the key per word',
  },
];

/** The part of the table the planner expects a Limit to read before it stops, at most, to tolerate a scan under it. */
const BOUNDED_SHARE = 0.1;

/** The sequential scans of `tables` in the plans of the given queries (EXPLAIN, not run); see TOLERATED_SEQ_SCANS. */
export async function seqScans(
  db: Kysely<DB>,
  queries: readonly (RecordedQuery | CompiledQuery)[],
  tables: readonly string[] = INDEXED_TABLES,
): Promise<SeqScan[]> {
  const found: SeqScan[] = [];
  const explained = new Set<string>();
  for (const entry of queries) {
    const { query, sources } = 'sources' in entry ? entry : { query: entry, sources: [] };
    if (!/^\s*(select|with|update|delete|insert)/iu.test(query.sql)) continue;
    // The same statement with the same parameters plans the same: EXPLAIN it once.
    const key = JSON.stringify([query.sql, query.parameters]);
    if (explained.has(key)) continue;
    explained.add(key);
    for (const { node, parent } of await planNodes(db, query)) {
      if (node['Node Type'] !== 'Seq Scan' || !node['Relation Name'] || !tables.includes(node['Relation Name'])) continue;
      const table = node['Relation Name'];
      const stopsEarly = parent?.['Node Type'] === 'Limit' && parent['Total Cost'] <= BOUNDED_SHARE * node['Total Cost'];
      const tolerated = TOLERATED_SEQ_SCANS.find(
        (scan) => scan.table === table && sources.includes(scan.source) && (!scan.underLimit || stopsEarly),
      );
      found.push({ table, sources, sql: query.sql.replace(/\s+/gu, ' ').slice(0, 300), ...(tolerated ? { tolerated: tolerated.reason } : {}) });
    }
  }
  return found;
}

/** Every node of the query's plan, with its parent (EXPLAIN: the query is not run; with `analyze`, it is, and the nodes have their actual rows). */
export async function planNodes(
  db: Kysely<DB>,
  query: CompiledQuery,
  options: { analyze?: boolean } = {},
): Promise<{ node: PlanNode; parent: PlanNode | undefined }[]> {
  const explain = options.analyze ? 'explain (analyze, format json)' : 'explain (format json)';
  const result = await db.executeQuery<{ 'QUERY PLAN': unknown }>(CompiledQuery.raw(`${explain} ${query.sql}`, [...query.parameters]));
  const raw = result.rows[0]?.['QUERY PLAN'];
  const plans = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan: PlanNode }[];
  const nodes: { node: PlanNode; parent: PlanNode | undefined }[] = [];
  const visit = (node: PlanNode, parent: PlanNode | undefined): void => {
    nodes.push({ node, parent });
    for (const child of node.Plans ?? []) visit(child, node);
  };
  for (const plan of plans) visit(plan.Plan, undefined);
  return nodes;
}
