import type { Database } from '../db/database.js';
import { releaseProcessLock, tryProcessLock } from '../db/process-locks.js';
import { autovacuumEnabled, staleTables, tidyTables } from '../db/statistics.js';
import type { Logger } from '../logger.js';

/** How often the upkeep looks: autovacuum's own default nap between rounds. */
export const UPKEEP_INTERVAL_MS = 60_000;

export type UpkeepRound =
  | { readonly kind: 'autovacuum-runs' }
  | { readonly kind: 'nothing-to-do' }
  | { readonly kind: 'another-process' }
  | { readonly kind: 'done'; readonly vacuumed: readonly string[]; readonly analyzed: readonly string[] };

export interface TableUpkeepDeps {
  /** The bot's database: the checks run on it (they read the statistics views, a millisecond). */
  readonly database: Database;
  /**
   * A session for the work itself. On PostgreSQL a connection of its own with long bounds (UPKEEP_TIMEOUTS),
   * so VACUUM neither takes one of the commands' connections nor inherits their 1.5 s statement bound; on
   * PGlite, whose one connection is the whole database, the bot's own.
   */
  readonly openSession: () => Promise<Database>;
  /** Whether the server's autovacuum does this already (then the upkeep does nothing); the server's setting by default. */
  readonly autovacuumRuns?: (database: Database) => Promise<boolean>;
  readonly logger: Logger;
  readonly intervalMs?: number;
}

/**
 * Autovacuum's work, done by the bot where nothing else does it: PGlite has no autovacuum, and a PostgreSQL
 * server may run with it off (this project's CI machines do). Every minute, tables past autovacuum's rules
 * are vacuumed (dead row versions: the progress counters are rewritten on every opening) or analyzed (the
 * planner's statistics: a library loaded while the bot runs). With autovacuum on, each round is one cheap
 * query. In a cluster, one process at a time works (an advisory lock); the others skip that round.
 */
export class TableUpkeep {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;

  constructor(private readonly deps: TableUpkeepDeps) {}

  start(): void {
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One round: what it did, or why it did nothing. */
  async runOnce(): Promise<UpkeepRound> {
    const { database } = this.deps;
    // PGlite runs PostgreSQL in single-user mode: no autovacuum launcher, whatever the setting says.
    const autovacuumRuns = this.deps.autovacuumRuns ?? ((d: Database) => (d.kind === 'pglite' ? Promise.resolve(false) : autovacuumEnabled(d.db)));
    if (await autovacuumRuns(database)) return { kind: 'autovacuum-runs' };
    const stale = await staleTables(database.db);
    if (stale.vacuum.length === 0 && stale.analyze.length === 0) return { kind: 'nothing-to-do' };
    const session = await this.deps.openSession();
    try {
      if (!(await tryProcessLock(session.db, 'tableUpkeep'))) return { kind: 'another-process' };
      try {
        return { kind: 'done', ...(await tidyTables(session.db, stale, { vacuum: true })) };
      } finally {
        await releaseProcessLock(session.db, 'tableUpkeep');
      }
    } finally {
      await session.close();
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce().then(
        (round) => {
          if (round.kind === 'done') this.deps.logger.info({ vacuumed: round.vacuumed, analyzed: round.analyzed }, 'table upkeep done');
        },
        (error: unknown) => this.deps.logger.warn({ err: error }, 'table upkeep failed; trying again next round'),
      );
      void this.running.finally(() => this.schedule());
    }, this.deps.intervalMs ?? UPKEEP_INTERVAL_MS);
    this.timer.unref();
  }
}
