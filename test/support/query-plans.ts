import { CompiledQuery, createQueryId, type Kysely, type KyselyPlugin, type RootOperationNode } from 'kysely';
import type { DB } from '../../src/db/schema.js';

/**
 * Checking that command queries use indexes: run the real code against a database wrapped by
 * `recordQueries`, then `seqScans` EXPLAINs every query it sent (with its parameters) and lists each
 * sequential scan of the given tables. Reusable for any service: wrap, call, check.
 */
export interface RecordedQueries {
  /** The database to pass to the code under test: the same connection, recording what it runs. */
  readonly db: Kysely<DB>;
  /** The queries run since the last `take()`, compiled, and forgets them. */
  take(): CompiledQuery[];
}

export function recordQueries(db: Kysely<DB>): RecordedQueries {
  let nodes: RootOperationNode[] = [];
  const plugin: KyselyPlugin = {
    transformQuery(args) {
      nodes.push(args.node);
      return args.node;
    },
    async transformResult(args) {
      return args.result;
    },
  };
  return {
    db: db.withPlugin(plugin),
    take() {
      const taken = nodes.map((node) => db.getExecutor().compileQuery(node, createQueryId()));
      nodes = [];
      return taken;
    },
  };
}

export interface SeqScan {
  readonly table: string;
  readonly sql: string;
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

/** Tables a command must never read whole (issue 13: lessons, readers, events; discovery's own tables). */
export const INDEXED_TABLES = ['lessons', 'lesson_readers', 'reading_events', 'similar_readings', 'lexeme_docs'] as const;

/** The sequential scans of `tables` in the plans of the given queries (EXPLAIN, not run). */
export async function seqScans(
  db: Kysely<DB>,
  queries: readonly CompiledQuery[],
  tables: readonly string[] = INDEXED_TABLES,
): Promise<SeqScan[]> {
  const found: SeqScan[] = [];
  for (const query of queries) {
    if (!/^\s*(select|with|update|delete|insert)/iu.test(query.sql)) continue;
    const result = await db.executeQuery<{ 'QUERY PLAN': unknown }>(
      CompiledQuery.raw(`explain (format json) ${query.sql}`, [...query.parameters]),
    );
    const raw = result.rows[0]?.['QUERY PLAN'];
    const plans = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan: PlanNode }[];
    const visit = (node: PlanNode): void => {
      if (node['Node Type'] === 'Seq Scan' && node['Relation Name'] && tables.includes(node['Relation Name'])) {
        found.push({ table: node['Relation Name'], sql: query.sql.replace(/\s+/gu, ' ').slice(0, 200) });
      }
      for (const child of node.Plans ?? []) visit(child);
    };
    for (const plan of plans) visit(plan.Plan);
  }
  return found;
}
